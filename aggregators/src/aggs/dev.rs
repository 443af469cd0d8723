//! Per-range fold of `dev` (AGG/StdAggregator.java): Welford running means, sample standard
//! deviation, NaN mapped to 0.

use plugin_api::{AggregateError, DataPoint};

use crate::jvm::double_value;
use crate::range::normal::RangeFold;

/// `return_type` of `dev` (`StdAggregator.Dev`; null behaves like `value`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DevReturn {
    /// The standard deviation.
    #[default]
    Value,
    /// `mean + sd * dev_count`.
    PosSd,
    /// `mean - sd * dev_count`.
    NegSd,
}

/// The running state of one range.
pub struct Dev {
    mode: DevReturn,
    dev_count: i32,
    count: i32,
    average: f64,
    pwr_sum_avg: f64,
    std_dev: f64,
}

impl Dev {
    /// A fold returning `mode` with multiplier `dev_count`.
    pub fn new(mode: DevReturn, dev_count: i32) -> Self {
        Dev {
            mode,
            dev_count,
            count: 0,
            average: 0.0,
            pwr_sum_avg: 0.0,
            std_dev: 0.0,
        }
    }
}

impl RangeFold for Dev {
    fn add(&mut self, p: &DataPoint) -> Result<(), AggregateError> {
        self.count = self.count.wrapping_add(1);
        let n = f64::from(self.count);
        let x = double_value(p)?;
        self.average += (x - self.average) / n;
        self.pwr_sum_avg += (x * x - self.pwr_sum_avg) / n;
        // Same operation order as Java: (pwrSumAvg*n - (n*avg)*avg) / (n-1).
        let n_minus_1 = f64::from(self.count.wrapping_sub(1));
        self.std_dev =
            ((self.pwr_sum_avg * n - n * self.average * self.average) / n_minus_1).sqrt();
        Ok(())
    }

    fn emit(&mut self, when: i64, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        let sd = if self.std_dev.is_nan() {
            0.0
        } else {
            self.std_dev
        };
        let k = f64::from(self.dev_count);
        let v = match self.mode {
            DevReturn::PosSd => self.average + sd * k,
            DevReturn::NegSd => self.average - sd * k,
            DevReturn::Value => sd,
        };
        *self = Dev::new(self.mode, self.dev_count);
        out.push(DataPoint::double(when, v));
        Ok(())
    }
}
