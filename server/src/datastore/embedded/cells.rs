//! A row buffer's points, kept compactly: timestamps and values in parallel vectors of eight
//! bytes each, and expiries only once a point has one. Numbers cost 16 bytes a point against
//! 40 for a [`Cell`], and capacity grows to a block's size, not past it, while below it.

use plugin_api::Value;

use super::block::{Cell, BLOCK_POINTS, NEVER};

/// Values of one row, by kind (a row holds one data type; a stray kind turns them general).
#[derive(Debug)]
enum Vals {
    Long(Vec<i64>),
    Double(Vec<f64>),
    Other(Vec<Value>),
}

/// Buffered points of one row, in arrival order until sorted.
#[derive(Debug)]
pub struct Cells {
    ts: Vec<i64>,
    vals: Vals,
    /// Expiry of each point; `None` while no point expires.
    expiry: Option<Vec<i64>>,
}

impl Default for Cells {
    fn default() -> Self {
        Cells {
            ts: Vec::new(),
            vals: Vals::Long(Vec::new()),
            expiry: None,
        }
    }
}

impl Cells {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    /// Timestamps, in the order held.
    pub fn ts(&self) -> &[i64] {
        &self.ts
    }

    /// Room for one more point: doubling up to a block's size, then doubling past it.
    fn grow(&mut self) {
        let len = self.ts.len();
        if len < self.ts.capacity() {
            return;
        }
        let want = if len < BLOCK_POINTS {
            (len * 2).clamp(8, BLOCK_POINTS)
        } else {
            len * 2
        };
        let more = want - len;
        self.ts.reserve_exact(more);
        match &mut self.vals {
            Vals::Long(v) => v.reserve_exact(more),
            Vals::Double(v) => v.reserve_exact(more),
            Vals::Other(v) => v.reserve_exact(more),
        }
        if let Some(e) = &mut self.expiry {
            e.reserve_exact(more);
        }
    }

    /// Turns the values general, for a point of another kind.
    fn generalize(&mut self) {
        let vals = match std::mem::replace(&mut self.vals, Vals::Other(Vec::new())) {
            Vals::Long(v) => v.into_iter().map(Value::Long).collect(),
            Vals::Double(v) => v.into_iter().map(Value::Double).collect(),
            Vals::Other(v) => v,
        };
        self.vals = Vals::Other(vals);
    }

    /// Appends a point.
    pub fn push(&mut self, ts: i64, value: &Value, expiry: i64) {
        if self.ts.is_empty() {
            // The first point decides the kind.
            self.vals = match value {
                Value::Long(_) => Vals::Long(Vec::new()),
                Value::Double(_) => Vals::Double(Vec::new()),
                _ => Vals::Other(Vec::new()),
            };
            self.expiry = None;
        }
        let fits = matches!(
            (&self.vals, value),
            (Vals::Long(_), Value::Long(_))
                | (Vals::Double(_), Value::Double(_))
                | (Vals::Other(_), _)
        );
        if !fits {
            self.generalize();
        }
        self.grow();
        if expiry != NEVER && self.expiry.is_none() {
            let mut e = Vec::with_capacity(self.ts.capacity());
            e.resize(self.ts.len(), NEVER);
            self.expiry = Some(e);
        }
        if let Some(e) = &mut self.expiry {
            e.push(expiry);
        }
        match (&mut self.vals, value) {
            (Vals::Long(v), Value::Long(x)) => v.push(*x),
            (Vals::Double(v), Value::Double(x)) => v.push(*x),
            (Vals::Other(v), x) => v.push(x.clone()),
            // `fits` made the kinds agree.
            _ => {}
        }
        self.ts.push(ts);
    }

    /// Point `i` as a cell.
    pub fn cell(&self, i: usize) -> Cell {
        Cell {
            ts: self.ts[i],
            value: match &self.vals {
                Vals::Long(v) => Value::Long(v[i]),
                Vals::Double(v) => Value::Double(v[i]),
                Vals::Other(v) => v[i].clone(),
            },
            expiry: self.expiry.as_ref().map_or(NEVER, |e| e[i]),
        }
    }

    /// Points `from..to` as cells.
    pub fn to_cells(&self, from: usize, to: usize) -> Vec<Cell> {
        (from..to).map(|i| self.cell(i)).collect()
    }

    /// Every point as a cell.
    pub fn into_cells(self) -> Vec<Cell> {
        self.to_cells(0, self.len())
    }

    /// Sorts by timestamp, keeping the last written point of each timestamp.
    pub fn normalize(&mut self) {
        let mut order: Vec<u32> = (0..self.ts.len() as u32).collect();
        // Stable: equal timestamps stay in arrival order, so the last one is the newest.
        order.sort_by_key(|&i| self.ts[i as usize]);
        order.dedup_by(|later, earlier| {
            let same = self.ts[*later as usize] == self.ts[*earlier as usize];
            if same {
                *earlier = *later;
            }
            same
        });
        let pick = |i: &u32| *i as usize;
        self.ts = order.iter().map(|i| self.ts[pick(i)]).collect();
        self.vals = match &mut self.vals {
            Vals::Long(v) => Vals::Long(order.iter().map(|i| v[pick(i)]).collect()),
            Vals::Double(v) => Vals::Double(order.iter().map(|i| v[pick(i)]).collect()),
            Vals::Other(v) => Vals::Other(
                order
                    .iter()
                    .map(|i| std::mem::replace(&mut v[pick(i)], Value::Null))
                    .collect(),
            ),
        };
        if let Some(e) = &self.expiry {
            self.expiry = Some(order.iter().map(|i| e[pick(i)]).collect());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(c: &Cells) -> Vec<(i64, Value, i64)> {
        (0..c.len())
            .map(|i| {
                let x = c.cell(i);
                (x.ts, x.value, x.expiry)
            })
            .collect()
    }

    #[test]
    fn normalize_sorts_and_keeps_the_last_write_of_each_timestamp() {
        let mut c = Cells::default();
        for (ts, v, e) in [
            (3, 1, NEVER),
            (1, 2, NEVER),
            (3, 3, 50),
            (2, 4, NEVER),
            (1, 5, 9),
        ] {
            c.push(ts, &Value::Long(v), e);
        }
        c.normalize();
        assert_eq!(
            all(&c),
            vec![
                (1, Value::Long(5), 9),
                (2, Value::Long(4), NEVER),
                (3, Value::Long(3), 50)
            ]
        );
    }

    #[test]
    fn kinds_expiries_and_capacity() {
        let mut c = Cells::default();
        c.push(1, &Value::Double(0.5), NEVER);
        c.push(2, &Value::Double(-0.0), NEVER);
        // A stray kind keeps every value as it was.
        c.push(3, &Value::Text("t".into()), 70);
        assert_eq!(
            all(&c),
            vec![
                (1, Value::Double(0.5), NEVER),
                (2, Value::Double(-0.0), NEVER),
                (3, Value::Text("t".into()), 70)
            ]
        );
        let mut c = Cells::default();
        for ts in 0..BLOCK_POINTS as i64 {
            c.push(ts, &Value::Long(ts), NEVER);
        }
        assert_eq!(
            c.ts.capacity(),
            BLOCK_POINTS,
            "no room past a block while filling one"
        );
        assert!(c.expiry.is_none());
        assert_eq!(c.to_cells(5, 7).len(), 2);
        assert_eq!(c.into_cells()[239].value, Value::Long(239));
    }
}
