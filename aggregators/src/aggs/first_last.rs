//! Per-range folds of `first` and `last` (AGG/FirstAggregator.java, AGG/LastAggregator.java).

use plugin_api::{AggregateError, DataPoint};

use crate::range::normal::RangeFold;

/// `first`: the first point of the range, re-timestamped to the range's output time.
#[derive(Default)]
pub struct First(Option<DataPoint>);

impl RangeFold for First {
    fn add(&mut self, p: &DataPoint) -> Result<(), AggregateError> {
        if self.0.is_none() {
            self.0 = Some(p.clone());
        }
        Ok(())
    }

    fn emit(&mut self, when: i64, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        if let Some(mut p) = self.0.take() {
            p.timestamp = when;
            out.push(p);
        }
        Ok(())
    }
}

/// `last`: the last point of the range; it keeps its own timestamp unless an align flag is set.
pub struct Last {
    point: Option<DataPoint>,
    aligned: bool,
}

impl Last {
    /// `aligned`: `align_start_time || align_end_time`.
    pub fn new(aligned: bool) -> Self {
        Last {
            point: None,
            aligned,
        }
    }
}

impl RangeFold for Last {
    fn add(&mut self, p: &DataPoint) -> Result<(), AggregateError> {
        self.point = Some(p.clone());
        Ok(())
    }

    fn emit(&mut self, when: i64, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        if let Some(mut p) = self.point.take() {
            if self.aligned {
                p.timestamp = when;
            }
            out.push(p);
        }
        Ok(())
    }
}
