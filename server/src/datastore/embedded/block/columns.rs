//! A decoded block kept as columns, so readers walk timestamps and numbers without building
//! a [`Cell`] per point; the buffers are reused from block to block.

use plugin_api::Value;

use super::{bad, decode_numbers_into, header, take_section, BlockError, Cell, HEADER, NEVER};
use crate::datastore::value_codec;

/// The values of a decoded block, by kind.
#[derive(Debug, Default)]
enum Kind {
    #[default]
    Long,
    Double,
    Other,
}

/// When the points of a decoded block expire.
#[derive(Debug, Default)]
enum Expiry {
    /// None does.
    #[default]
    Never,
    /// All at this time.
    All(i64),
    /// Each at its own time, in `Columns::expiries`.
    Each,
}

/// One block's points as columns: timestamps, values of one kind, expiries.
#[derive(Debug, Default)]
pub struct Columns {
    /// Timestamps, ascending.
    pub ts: Vec<i64>,
    kind: Kind,
    longs: Vec<i64>,
    doubles: Vec<f64>,
    others: Vec<Value>,
    expiry: Expiry,
    expiries: Vec<i64>,
}

impl Columns {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    /// Expiry of point `i` ([`NEVER`] when it does not expire).
    pub fn expiry(&self, i: usize) -> i64 {
        match self.expiry {
            Expiry::Never => NEVER,
            Expiry::All(e) => e,
            Expiry::Each => self.expiries[i],
        }
    }

    /// True when no point expires or every one expires after `now`.
    pub fn all_live(&self, now: i64) -> bool {
        match self.expiry {
            Expiry::Never => true,
            Expiry::All(e) => e > now,
            Expiry::Each => false,
        }
    }

    /// True when every point expired by `now`.
    pub fn all_expired(&self, now: i64) -> bool {
        matches!(self.expiry, Expiry::All(e) if e <= now)
    }

    /// Moves the value of point `i` out (text values leave `Null` behind).
    pub fn take_value(&mut self, i: usize) -> Value {
        match self.kind {
            Kind::Long => Value::Long(self.longs[i]),
            Kind::Double => Value::Double(self.doubles[i]),
            Kind::Other => std::mem::replace(&mut self.others[i], Value::Null),
        }
    }

    /// Moves point `i` out as a cell.
    pub fn take_cell(&mut self, i: usize) -> Cell {
        Cell {
            ts: self.ts[i],
            value: self.take_value(i),
            expiry: self.expiry(i),
        }
    }

    /// Appends the points `from..to` to `out` through `make`, in ascending order or, when
    /// `reverse`, descending.
    pub fn take_range<T>(
        &mut self,
        from: usize,
        to: usize,
        reverse: bool,
        make: impl Fn(i64, Value) -> T,
        out: &mut Vec<T>,
    ) {
        let ts = &self.ts[from..to];
        macro_rules! push {
            ($vals:expr, $wrap:expr) => {{
                let pairs = ts.iter().zip($vals);
                if reverse {
                    out.extend(pairs.rev().map(|(&t, v)| make(t, $wrap(v))));
                } else {
                    out.extend(pairs.map(|(&t, v)| make(t, $wrap(v))));
                }
            }};
        }
        match self.kind {
            Kind::Long => push!(&self.longs[from..to], |v: &i64| Value::Long(*v)),
            Kind::Double => push!(&self.doubles[from..to], |v: &f64| Value::Double(*v)),
            Kind::Other => push!(&mut self.others[from..to], |v: &mut Value| {
                std::mem::replace(v, Value::Null)
            }),
        }
    }

    /// Decodes the block `bytes` of a row of `data_type`, replacing what was held.
    pub fn decode(&mut self, data_type: &str, bytes: &[u8]) -> Result<(), BlockError> {
        let h = header(bytes)?;
        let mut rest = &bytes[HEADER..];
        decode_numbers_into(
            take_section(&mut rest)?,
            h.n,
            i64::from_le_bytes,
            &mut self.ts,
        )?;
        self.kind = match bytes[1] {
            0 => {
                let section = take_section(&mut rest)?;
                decode_numbers_into(section, h.n, i64::from_le_bytes, &mut self.longs)?;
                Kind::Long
            }
            1 => {
                let section = take_section(&mut rest)?;
                decode_numbers_into(section, h.n, f64::from_le_bytes, &mut self.doubles)?;
                Kind::Double
            }
            _ => {
                let mut s = take_section(&mut rest)?;
                self.others.clear();
                for _ in 0..h.n {
                    let one = take_section(&mut s)?;
                    let v = value_codec::decode(data_type, one).map_err(|e| bad(&e.to_string()))?;
                    self.others.push(v);
                }
                Kind::Other
            }
        };
        self.expiry = match bytes[22] {
            0 => Expiry::Never,
            1 => Expiry::All(h.min_expiry),
            _ => {
                let section = take_section(&mut rest)?;
                decode_numbers_into(section, h.n, i64::from_le_bytes, &mut self.expiries)?;
                Expiry::Each
            }
        };
        Ok(())
    }
}
