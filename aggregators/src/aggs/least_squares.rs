//! Per-range fold of `least_squares` (AGG/LeastSquaresAggregator.java with commons-math3
//! `SimpleRegression(true)`): 1 or 2 points pass through, 3 or more give the fitted line's
//! values at the first and last timestamps.

use plugin_api::{AggregateError, DataPoint};

use crate::jvm::double_value;
use crate::range::normal::RangeFold;

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
