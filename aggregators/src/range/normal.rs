//! Normal range iteration (`RangeAggregator.RangeDataPointAggregator`): a range starts at the
//! first point not yet taken and takes the following points while `ts < rangeEnd(first)`.
//! Empty ranges produce nothing; a descending stream collapses into one range, as in Java.

use plugin_api::{AggregateError, Aggregator, AggregatorState, DataPoint, GroupInfo};

use super::RangeSettings;

/// The per-range computation of one aggregator (Java `RangeSubAggregator`).
pub trait RangeFold: Send {
    /// Takes the next point of the current range.
    fn add(&mut self, p: &DataPoint) -> Result<(), AggregateError>;
    /// Emits the range's output at `when` (the range's output time) and resets.
    fn emit(&mut self, when: i64, out: &mut Vec<DataPoint>) -> Result<(), AggregateError>;
}

/// Builds a fresh fold for every group.
pub type FoldMaker = Box<dyn Fn() -> Box<dyn RangeFold> + Send + Sync>;

/// A configured range aggregator with normal iteration.
pub struct RangeAggregator {
    settings: RangeSettings,
    numeric_only: bool,
    output_number: bool,
    make: FoldMaker,
}

impl RangeAggregator {
    /// `numeric_only`: accepts only `number` groups; `output_number`: output group type is
    /// `number` (otherwise the input type is kept).
    pub fn new(
        settings: RangeSettings,
        numeric_only: bool,
        output_number: bool,
        make: FoldMaker,
    ) -> Self {
        RangeAggregator {
            settings,
            numeric_only,
            output_number,
            make,
        }
    }
}

impl Aggregator for RangeAggregator {
    fn accepts(&self, group_type: &str) -> bool {
        !self.numeric_only || group_type == "number"
    }

    fn output_type(&self, input_type: &str) -> String {
        if self.output_number {
            "number".to_string()
        } else {
            input_type.to_string()
        }
    }

    fn open(&self, _group: &GroupInfo) -> Result<Box<dyn AggregatorState>, AggregateError> {
        Ok(Box::new(RangeState {
            settings: self.settings.clone(),
            fold: (self.make)(),
            current: None,
        }))
    }
}

/// Per-group state: the open range's end and output time.
struct RangeState {
    settings: RangeSettings,
    fold: Box<dyn RangeFold>,
    current: Option<(i64, i64)>,
}

impl RangeState {
    /// `getDataPointTime()` and `getEndRange()` for the first point of a new range.
    fn open_range(&self, ts: i64) -> Result<(i64, i64), AggregateError> {
        let s = &self.settings;
        let end = s.range_end(ts)?;
        let when = if s.align_start {
            s.range_start(ts)?
        } else if s.align_end {
            end
        } else {
            ts
        };
        Ok((end, when))
    }
}

impl AggregatorState for RangeState {
    fn push(
        &mut self,
        batch: &[DataPoint],
        out: &mut Vec<DataPoint>,
    ) -> Result<(), AggregateError> {
        for p in batch {
            if let Some((end, when)) = self.current {
                if p.timestamp < end {
                    self.fold.add(p)?;
                    continue;
                }
                self.current = None;
                self.fold.emit(when, out)?;
            }
            self.current = Some(self.open_range(p.timestamp)?);
            self.fold.add(p)?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        if let Some((_, when)) = self.current.take() {
            self.fold.emit(when, out)?;
        }
        Ok(())
    }
}
