//! Per-range folds of `sum`, `count`, `avg`, `min`, `max`, `first` and `last`
//! (AGG/SumAggregator.java, CountAggregator.java, AvgAggregator.java, MinAggregator.java,
//! MaxAggregator.java, FirstAggregator.java, LastAggregator.java).

use plugin_api::{AggregateError, DataPoint};

use crate::jvm::{double_value, is_double};
use crate::range::normal::RangeFold;

/// `sum`: a plain double accumulator in stream order; output double.
#[derive(Default)]
pub struct Sum(f64);

impl RangeFold for Sum {
    fn add(&mut self, p: &DataPoint) -> Result<(), AggregateError> {
        self.0 += double_value(p)?;
        Ok(())
    }

    fn emit(&mut self, when: i64, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        out.push(DataPoint::double(when, std::mem::take(&mut self.0)));
        Ok(())
    }
}

/// `count`: number of points as a long (values are never read).
#[derive(Default)]
pub struct Count(i64);

impl RangeFold for Count {
    fn add(&mut self, _p: &DataPoint) -> Result<(), AggregateError> {
        self.0 += 1;
        Ok(())
    }

    fn emit(&mut self, when: i64, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        out.push(DataPoint::long(when, std::mem::take(&mut self.0)));
        Ok(())
    }
}

/// `avg`: sum and int count over the points whose `isDouble()` is true.
#[derive(Default)]
pub struct Avg {
    sum: f64,
    count: i32,
}

impl RangeFold for Avg {
    fn add(&mut self, p: &DataPoint) -> Result<(), AggregateError> {
        if is_double(p) {
            self.sum += double_value(p)?;
            self.count = self.count.wrapping_add(1);
        }
        Ok(())
    }

    fn emit(&mut self, when: i64, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        let avg = self.sum / f64::from(self.count);
        *self = Avg::default();
        out.push(DataPoint::double(when, avg));
        Ok(())
    }
}

/// Java `Math.max(a, b)`: NaN wins, and +0.0 is larger than -0.0.
pub fn java_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    if a == 0.0 && b == 0.0 {
        return if a.is_sign_negative() { b } else { a };
    }
    if a >= b {
        a
    } else {
        b
    }
}

/// Java `Math.min(a, b)`: NaN wins, and -0.0 is smaller than +0.0.
pub fn java_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    if a == 0.0 && b == 0.0 {
        return if a.is_sign_negative() { a } else { b };
    }
    if a <= b {
        a
    } else {
        b
    }
}

/// `max`: fold from `-Double.MAX_VALUE` with `Math.max`.
pub struct Max(f64);

impl Default for Max {
    fn default() -> Self {
        Max(-f64::MAX)
    }
}

impl RangeFold for Max {
    fn add(&mut self, p: &DataPoint) -> Result<(), AggregateError> {
        self.0 = java_max(self.0, double_value(p)?);
        Ok(())
    }

    fn emit(&mut self, when: i64, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        out.push(DataPoint::double(when, std::mem::take(self).0));
        Ok(())
    }
}

/// `min`: fold from `Double.MAX_VALUE` with `Math.min`.
pub struct Min(f64);

impl Default for Min {
    fn default() -> Self {
        Min(f64::MAX)
    }
}

impl RangeFold for Min {
    fn add(&mut self, p: &DataPoint) -> Result<(), AggregateError> {
        self.0 = java_min(self.0, double_value(p)?);
        Ok(())
    }

    fn emit(&mut self, when: i64, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        out.push(DataPoint::double(when, std::mem::take(self).0));
        Ok(())
    }
}

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
