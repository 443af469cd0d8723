//! Exhaustive range iteration (`RangeAggregator.ExhaustiveRangeDataPointAggregator`), used by
//! `gaps`: consecutive ranges from the query start (or, with `trim`, the first point) to the
//! query end (inclusive), a null point for every empty range, points passed through unchanged.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use plugin_api::{AggregateError, Aggregator, AggregatorState, DataPoint, GroupInfo, Value};

use super::RangeSettings;

/// The configured `gaps` aggregator.
pub struct GapsAggregator {
    settings: RangeSettings,
    // RangeAggregator.m_started belongs to the aggregator, so it is shared by all groups
    // (spec §6.5: only the first group with trim starts at its own first point).
    started: Arc<AtomicBool>,
}

impl GapsAggregator {
    /// A gaps aggregator with the given range settings.
    pub fn new(settings: RangeSettings) -> Self {
        GapsAggregator {
            settings,
            started: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl Aggregator for GapsAggregator {
    fn accepts(&self, _group_type: &str) -> bool {
        true
    }

    fn output_type(&self, input_type: &str) -> String {
        input_type.to_string()
    }

    fn open(&self, _group: &GroupInfo) -> Result<Box<dyn AggregatorState>, AggregateError> {
        let s = &self.settings;
        Ok(Box::new(GapsState {
            next_start: if s.trim { s.anchor } else { s.query_start },
            settings: s.clone(),
            started: self.started.clone(),
            range_end: None,
        }))
    }
}

struct GapsState {
    settings: RangeSettings,
    started: Arc<AtomicBool>,
    /// `m_nextExpectedRangeStartTime`.
    next_start: i64,
    /// End of the range being filled with points (a non-empty range).
    range_end: Option<i64>,
}

impl GapsState {
    /// Starts the next range; `head` is the current point if any.
    fn next_range(&mut self, head: Option<i64>) -> Result<(i64, i64), AggregateError> {
        let mut s = self.next_start;
        if let Some(ts) = head {
            if self.settings.trim && !self.started.swap(true, Ordering::SeqCst) {
                s = ts;
            }
        }
        let (start, end) = self.settings.bounds(s)?;
        self.next_start = end;
        Ok((start, end))
    }
}

fn null_point(ts: i64) -> DataPoint {
    DataPoint {
        timestamp: ts,
        value: Value::Null,
    }
}

impl AggregatorState for GapsState {
    fn push(
        &mut self,
        batch: &[DataPoint],
        out: &mut Vec<DataPoint>,
    ) -> Result<(), AggregateError> {
        for p in batch {
            loop {
                if let Some(end) = self.range_end {
                    if p.timestamp < end {
                        out.push(p.clone());
                        break;
                    }
                    self.range_end = None;
                }
                let (start, end) = self.next_range(Some(p.timestamp))?;
                if p.timestamp < end {
                    self.range_end = Some(end);
                } else {
                    // An empty range: its time is the range start (the head is past it).
                    out.push(null_point(start));
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        self.range_end = None;
        if self.settings.trim {
            return Ok(());
        }
        while self.next_start <= self.settings.query_end {
            let (start, _) = self.next_range(None)?;
            out.push(null_point(start));
        }
        Ok(())
    }
}
