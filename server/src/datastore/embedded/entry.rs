//! The payload of one write-ahead log record: an accepted batch and the time it was accepted
//! (expiries are computed from it, so a replay gives the same ones).
//!
//! Layout (little-endian): now i64, series count u32, then per series: metric, tag count u32,
//! (name, value) pairs, ttl i64, point count u32, then per point: timestamp i64, kind u8
//! (0 long, 1 double, 2 text, 3 null) and the value (i64, f64 bits, or a string).
//! Strings are u32 length + UTF-8.

use plugin_api::{DataPoint, Value};
use protocols::SeriesPoints;

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// Encodes a batch accepted at `now_ms`.
pub fn encode(now_ms: i64, batch: &[SeriesPoints], out: &mut Vec<u8>) {
    out.extend_from_slice(&now_ms.to_le_bytes());
    out.extend_from_slice(&(batch.len() as u32).to_le_bytes());
    for s in batch {
        put_str(out, &s.metric);
        out.extend_from_slice(&(s.tags.len() as u32).to_le_bytes());
        for (k, v) in &s.tags {
            put_str(out, k);
            put_str(out, v);
        }
        out.extend_from_slice(&s.ttl.to_le_bytes());
        out.extend_from_slice(&(s.points.len() as u32).to_le_bytes());
        out.reserve(s.points.len() * 17);
        for p in &s.points {
            out.extend_from_slice(&p.timestamp.to_le_bytes());
            match &p.value {
                Value::Long(l) => {
                    out.push(0);
                    out.extend_from_slice(&l.to_le_bytes());
                }
                Value::Double(d) => {
                    out.push(1);
                    out.extend_from_slice(&d.to_le_bytes());
                }
                Value::Text(t) => {
                    out.push(2);
                    put_str(out, t);
                }
                Value::Null => out.push(3),
            }
        }
    }
}

struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("truncated write-ahead log entry".into());
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().map_err(|_| "bad u32")?,
        ))
    }
    fn i64(&mut self) -> Result<i64, String> {
        Ok(i64::from_le_bytes(
            self.take(8)?.try_into().map_err(|_| "bad i64")?,
        ))
    }
    fn string(&mut self) -> Result<String, String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|e| e.to_string())
    }
}

/// Decodes a payload into its acceptance time and batch.
pub fn decode(bytes: &[u8]) -> Result<(i64, Vec<SeriesPoints>), String> {
    let mut c = Cursor(bytes);
    let now = c.i64()?;
    let n = c.u32()? as usize;
    let mut batch = Vec::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        let metric = c.string()?;
        let nt = c.u32()? as usize;
        let mut tags = Vec::with_capacity(nt.min(1024));
        for _ in 0..nt {
            tags.push((c.string()?, c.string()?));
        }
        let ttl = c.i64()?;
        let np = c.u32()? as usize;
        let mut points = Vec::with_capacity(np.min(1 << 20));
        for _ in 0..np {
            let timestamp = c.i64()?;
            let value = match c.u8()? {
                0 => Value::Long(c.i64()?),
                1 => Value::Double(f64::from_bits(c.i64()? as u64)),
                2 => Value::Text(c.string()?),
                3 => Value::Null,
                k => return Err(format!("bad value kind {k} in write-ahead log entry")),
            };
            points.push(DataPoint { timestamp, value });
        }
        batch.push(SeriesPoints {
            metric,
            tags,
            ttl,
            points,
        });
    }
    Ok((now, batch))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let batch = vec![SeriesPoints {
            metric: "m".into(),
            tags: vec![("h".into(), "a".into())],
            ttl: 5,
            points: vec![
                DataPoint::long(1, -3),
                DataPoint::double(2, f64::NAN),
                DataPoint {
                    timestamp: 3,
                    value: Value::Text("é".into()),
                },
                DataPoint {
                    timestamp: 4,
                    value: Value::Null,
                },
            ],
        }];
        let mut out = Vec::new();
        encode(77, &batch, &mut out);
        let (now, back) = decode(&out).unwrap();
        assert_eq!(now, 77);
        assert_eq!(back[0].metric, "m");
        assert_eq!(back[0].ttl, 5);
        assert_eq!(back[0].tags, batch[0].tags);
        assert_eq!(back[0].points[0], batch[0].points[0]);
        assert!(matches!(back[0].points[1].value, Value::Double(d) if d.is_nan()));
        assert_eq!(back[0].points[2..], batch[0].points[2..]);
        assert!(decode(&out[..out.len() - 1]).is_err());
    }
}
