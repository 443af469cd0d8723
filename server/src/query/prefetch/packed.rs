//! A prefetched row kept in memory: timestamps and values in two vectors, 16 bytes a point,
//! when every point is a long or every point a double (a row has one data type, so nearly
//! always); otherwise the points themselves, 40 bytes each.

use plugin_api::{DataPoint, Value};

/// One row's points, packed when their values allow.
pub enum Packed {
    /// Every value a long.
    Longs { ts: Vec<i64>, vals: Vec<i64> },
    /// Every value a double (bits kept exactly: NaN, -0.0).
    Doubles { ts: Vec<i64>, vals: Vec<f64> },
    /// Text or mixed values, as read.
    Points(Vec<DataPoint>),
}

impl Packed {
    /// Packs `points`, keeping their order.
    pub fn pack(points: Vec<DataPoint>) -> Packed {
        let ts = || points.iter().map(|p| p.timestamp).collect::<Vec<_>>();
        if let Some(vals) = values(&points, |v| match *v {
            Value::Long(x) => Some(x),
            _ => None,
        }) {
            return Packed::Longs { ts: ts(), vals };
        }
        if let Some(vals) = values(&points, |v| match *v {
            Value::Double(x) => Some(x),
            _ => None,
        }) {
            return Packed::Doubles { ts: ts(), vals };
        }
        Packed::Points(points)
    }

    /// Points held.
    pub fn len(&self) -> usize {
        match self {
            Packed::Longs { ts, .. } | Packed::Doubles { ts, .. } => ts.len(),
            Packed::Points(p) => p.len(),
        }
    }

    /// Appends points `from..` (at most `n`) to `out`; returns how many. Text and mixed rows
    /// are handed over whole on the first call (their points are moved, not copied).
    pub fn unpack_some(&mut self, from: usize, n: usize, out: &mut Vec<DataPoint>) -> usize {
        let from = from.min(self.len());
        let to = self.len().min(from.saturating_add(n));
        match self {
            Packed::Longs { ts, vals } => out.extend(
                ts[from..to]
                    .iter()
                    .zip(&vals[from..to])
                    .map(|(&t, &v)| DataPoint::long(t, v)),
            ),
            Packed::Doubles { ts, vals } => out.extend(
                ts[from..to]
                    .iter()
                    .zip(&vals[from..to])
                    .map(|(&t, &v)| DataPoint::double(t, v)),
            ),
            Packed::Points(p) => {
                let all = p.len().saturating_sub(from);
                out.append(p);
                return all;
            }
        }
        to.saturating_sub(from)
    }
}

/// Every point's value through `pick`, or `None` as soon as it refuses one.
fn values<T>(points: &[DataPoint], pick: fn(&Value) -> Option<T>) -> Option<Vec<T>> {
    points.iter().map(|p| pick(&p.value)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Packs and unpacks `points`; returns how they were kept.
    fn round_trip(points: Vec<DataPoint>) -> &'static str {
        let mut packed = Packed::pack(points.clone());
        assert_eq!(packed.len(), points.len());
        let kind = match &packed {
            Packed::Longs { .. } => "longs",
            Packed::Doubles { .. } => "doubles",
            Packed::Points(_) => "points",
        };
        let mut out = vec![DataPoint::long(-1, -1)];
        assert_eq!(packed.unpack_some(0, usize::MAX, &mut out), points.len());
        assert_eq!(
            out.remove(0),
            DataPoint::long(-1, -1),
            "appends after what was there"
        );
        assert_eq!(out.len(), points.len());
        for (a, b) in out.iter().zip(&points) {
            assert_eq!(a.timestamp, b.timestamp);
            match (&a.value, &b.value) {
                (Value::Double(x), Value::Double(y)) => assert_eq!(x.to_bits(), y.to_bits()),
                (x, y) => assert_eq!(x, y),
            }
        }
        kind
    }

    #[test]
    fn longs_and_doubles_pack_and_come_back_exactly() {
        let longs = vec![
            DataPoint::long(3, i64::MIN),
            DataPoint::long(1, 0),
            DataPoint::long(2, i64::MAX),
        ];
        assert_eq!(round_trip(longs), "longs");
        let doubles = vec![
            DataPoint::double(-5, f64::NAN),
            DataPoint::double(0, -0.0),
            DataPoint::double(7, 1.5e300),
        ];
        assert_eq!(round_trip(doubles), "doubles");
    }

    #[test]
    fn unpacking_in_slices_gives_every_point_once() {
        let longs: Vec<_> = (0..10).map(|t| DataPoint::long(t, t * 3)).collect();
        let mut packed = Packed::pack(longs.clone());
        let (mut out, mut at) = (Vec::new(), 0);
        while at < packed.len() {
            let n = packed.unpack_some(at, 4, &mut out);
            assert!(n > 0 && n <= 4);
            at += n;
        }
        assert_eq!(out, longs);
        assert_eq!(packed.unpack_some(at, 4, &mut out), 0);
        // Mixed rows come whole, once.
        let mixed = vec![DataPoint::long(1, 1), DataPoint::double(2, 1.0)];
        let mut packed = Packed::pack(mixed.clone());
        let mut out = Vec::new();
        assert_eq!(packed.unpack_some(0, 1, &mut out), 2);
        assert_eq!(out, mixed);
    }

    #[test]
    fn text_and_mixed_rows_stay_points() {
        let mixed = vec![DataPoint::long(1, 1), DataPoint::double(2, 1.0)];
        assert_eq!(round_trip(mixed), "points");
        let text = vec![DataPoint {
            timestamp: 1,
            value: Value::Text("a".into()),
        }];
        assert_eq!(round_trip(text), "points");
        assert_eq!(Packed::pack(Vec::new()).len(), 0);
    }
}
