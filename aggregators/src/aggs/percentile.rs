//! Per-range fold of `percentile` (AGG/PercentileAggregator.java, UTIL/UniformReservoir.java):
//! a 1028-slot uniform reservoir (exact up to 1028 points), sorted, R6 interpolation.

use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use plugin_api::{AggregateError, DataPoint};

use crate::jvm::{double_to_string, double_value};
use crate::range::normal::RangeFold;

/// `UniformReservoir.DEFAULT_SIZE`.
const RESERVOIR_SIZE: usize = 1028;

/// `java.util.Random` (48-bit LCG), shared like the reservoir's static field.
struct JavaRandom(u64);

impl JavaRandom {
    const MULT: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;

    fn new(seed: u64) -> Self {
        JavaRandom((seed ^ Self::MULT) & Self::MASK)
    }

    fn next(&mut self, bits: u32) -> i32 {
        self.0 = (self.0.wrapping_mul(Self::MULT).wrapping_add(0xB)) & Self::MASK;
        (self.0 >> (48 - bits)) as i32
    }

    fn next_long(&mut self) -> i64 {
        (i64::from(self.next(32)) << 32).wrapping_add(i64::from(self.next(32)))
    }
}

fn random() -> &'static Mutex<JavaRandom> {
    static RANDOM: OnceLock<Mutex<JavaRandom>> = OnceLock::new();
    RANDOM.get_or_init(|| {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Mutex::new(JavaRandom::new(seed))
    })
}

/// `UniformReservoir.nextLong(n)`: uniform in `[0, n)`.
fn next_below(n: i64) -> i64 {
    let mut rng = match random().lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    loop {
        let bits = rng.next_long() & !(1i64 << 63);
        let val = bits % n;
        if bits - val + (n - 1) >= 0 {
            return val;
        }
    }
}

/// The running state of one range.
pub struct Percentile {
    quantile: f64,
    values: Vec<f64>,
    count: i64,
}

impl Percentile {
    /// A fold for quantile `q` (checked only when a range is emitted, like Java).
    pub fn new(quantile: f64) -> Self {
        Percentile {
            quantile,
            values: Vec::new(),
            count: 0,
        }
    }
}

/// Java `Arrays.sort(double[])` order: -0.0 before 0.0, every NaN last.
fn java_sort(v: &mut [f64]) {
    use std::cmp::Ordering;
    v.sort_by(|a, b| match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.total_cmp(b),
    });
}

impl RangeFold for Percentile {
    fn add(&mut self, p: &DataPoint) -> Result<(), AggregateError> {
        let x = double_value(p)?;
        self.count += 1;
        if self.values.len() < RESERVOIR_SIZE {
            self.values.push(x);
        } else {
            let r = next_below(self.count);
            if (r as usize) < RESERVOIR_SIZE {
                self.values[r as usize] = x;
            }
        }
        Ok(())
    }

    fn emit(&mut self, when: i64, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        let mut v = std::mem::take(&mut self.values);
        self.count = 0;
        java_sort(&mut v);
        let q = self.quantile;
        if !(0.0..=1.0).contains(&q) {
            return Err(AggregateError::msg(format!(
                "{} is not in [0..1]",
                double_to_string(q)
            )));
        }
        let n = v.len();
        let result = if n == 0 {
            0.0
        } else {
            let pos = q * (n as f64 + 1.0);
            if pos < 1.0 {
                v[0]
            } else if pos >= n as f64 {
                v[n - 1]
            } else {
                let i = pos as usize;
                let (lower, upper) = (v[i - 1], v[i]);
                lower + (pos - pos.floor()) * (upper - lower)
            }
        };
        out.push(DataPoint::double(when, result));
        Ok(())
    }
}
