//! Per-range folds of `dev` (AGG/StdAggregator.java: Welford running means, sample standard
//! deviation, NaN mapped to 0) and `least_squares` (AGG/LeastSquaresAggregator.java with
//! commons-math3 `SimpleRegression(true)`: 1 or 2 points pass through, 3 or more give the
//! fitted line's values at the first and last timestamps).

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

/// Java `Double.MIN_VALUE` (smallest positive subnormal).
const JAVA_DOUBLE_MIN: f64 = 4.9e-324;

/// The running regression of one range.
#[derive(Default)]
pub struct LeastSquares {
    first: Option<DataPoint>,
    second: Option<DataPoint>,
    start: i64,
    stop: i64,
    n: i64,
    sum_x: f64,
    sum_y: f64,
    sum_xx: f64,
    sum_xy: f64,
    xbar: f64,
    ybar: f64,
}

impl LeastSquares {
    fn slope(&self) -> f64 {
        if self.n < 2 || self.sum_xx.abs() < 10.0 * JAVA_DOUBLE_MIN {
            return f64::NAN;
        }
        self.sum_xy / self.sum_xx
    }

    fn predict(&self, x: f64) -> f64 {
        let b1 = self.slope();
        let intercept = (self.sum_y - b1 * self.sum_x) / self.n as f64;
        intercept + b1 * x
    }
}

impl RangeFold for LeastSquares {
    fn add(&mut self, p: &DataPoint) -> Result<(), AggregateError> {
        if self.second.is_none() {
            if self.first.is_none() {
                self.first = Some(p.clone());
                self.start = p.timestamp;
            } else {
                self.second = Some(p.clone());
            }
        }
        self.stop = p.timestamp;
        let x = p.timestamp as f64;
        let y = double_value(p)?;
        if self.n == 0 {
            self.xbar = x;
            self.ybar = y;
        } else {
            let fact1 = 1.0 + self.n as f64;
            let fact2 = self.n as f64 / (1.0 + self.n as f64);
            let dx = x - self.xbar;
            let dy = y - self.ybar;
            self.sum_xx += dx * dx * fact2;
            self.sum_xy += dx * dy * fact2;
            self.xbar += dx / fact1;
            self.ybar += dy / fact1;
        }
        self.sum_x += x;
        self.sum_y += y;
        self.n += 1;
        Ok(())
    }

    fn emit(&mut self, _when: i64, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        let s = std::mem::take(self);
        match s.n {
            0 => {}
            1 => out.extend(s.first.clone()),
            2 => {
                out.extend(s.first.clone());
                out.extend(s.second.clone());
            }
            _ => {
                out.push(DataPoint::double(s.start, s.predict(s.start as f64)));
                out.push(DataPoint::double(s.stop, s.predict(s.stop as f64)));
            }
        }
        Ok(())
    }
}
