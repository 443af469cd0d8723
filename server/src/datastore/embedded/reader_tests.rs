//! Row reads against a model: blocks overlapped by buffered overwrites, per-point and
//! whole-block expiry, every value kind, both orders, limits and small batch hints.

use std::collections::BTreeMap;

use plugin_api::{DataPoint, Order, Value};
use protocols::SeriesPoints;

use super::EmbeddedStore;
use crate::datastore::{Datastore, ReadRange, TagFilter};
use crate::test_rng::XorShift;

fn value(kind: usize, v: i64) -> Value {
    match kind {
        0 => Value::Long(v),
        1 => Value::Double(v as f64 / 7.0),
        _ => Value::Text(format!("s{v}")),
    }
}

/// Last write per timestamp: its value and whether it expires within the test.
type Model = BTreeMap<i64, (Value, bool)>;

fn write(store: &EmbeddedStore, metric: &str, ttl: i64, pts: Vec<DataPoint>, model: &mut Model) {
    for p in &pts {
        model.insert(p.timestamp, (p.value.clone(), ttl == 1));
    }
    let series = SeriesPoints {
        metric: metric.into(),
        tags: vec![("h".into(), "a".into())],
        ttl,
        points: pts,
    };
    store.write(&[series]).unwrap();
}

fn read(store: &EmbeddedStore, metric: &str, r: &ReadRange, hint: usize) -> Vec<DataPoint> {
    let mut out = Vec::new();
    for row in store
        .find_rows(metric, r.start, r.end, &TagFilter::all())
        .unwrap()
    {
        let mut reader = store.read_points(&row, r).unwrap();
        reader.set_batch_hint(hint);
        let mut batch = Vec::new();
        loop {
            batch.clear();
            let more = reader.next_batch(&mut batch).unwrap();
            assert!(batch.len() <= hint, "a batch past its hint");
            out.append(&mut batch);
            if !more {
                break;
            }
        }
    }
    out
}

#[test]
fn reads_match_the_last_live_write_of_each_timestamp() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    let mut rnd = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut models = Vec::new();
    for round in 0..12 {
        let (metric, kind) = (format!("m{round}"), round % 3);
        let mut model = Model::new();
        // Whole blocks, every point expiring alike (never, or within the test).
        let n = 300 + rnd.below(400) as i64;
        let ttl = [0, 1, 3600][round / 2 % 3];
        let pts = (0..n).map(|i| DataPoint {
            timestamp: i * 10,
            value: value(kind, i),
        });
        write(&store, &metric, ttl, pts.collect(), &mut model);
        // Overwrites and points between the old ones, some expiring: mixed expiry in the
        // buffer, and in blocks once the buffer flushes. Every other round leaves the later
        // half as written, blocks whose points all expire alike.
        let reach = if round % 2 == 0 { n * 5 } else { n * 10 + 50 };
        for _ in 0..3 {
            let pts: Vec<DataPoint> = (0..rnd.below(200))
                .map(|_| {
                    let timestamp = rnd.below(reach as u64) as i64;
                    let value = value(kind, -(rnd.below(1000) as i64));
                    (timestamp, DataPoint { timestamp, value })
                })
                .collect::<BTreeMap<i64, DataPoint>>()
                .into_values()
                .collect();
            let ttl = [0, 1, 7200][rnd.below(3) as usize];
            write(&store, &metric, ttl, pts, &mut model);
        }
        models.push((metric, model, n * 10 + 50));
    }
    // Points written with a TTL of one second expire.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    for (metric, model, span) in &models {
        for _ in 0..40 {
            let a = rnd.below(*span as u64 + 20) as i64 - 10;
            let b = a + rnd.below(*span as u64) as i64;
            let order = if rnd.below(2) == 0 {
                Order::Asc
            } else {
                Order::Desc
            };
            let limit = [0, 1, 7, 300][rnd.below(4) as usize];
            let hint = [1, 5, 16, 512][rnd.below(4) as usize];
            let r = ReadRange {
                start: a,
                end: b,
                order,
                limit,
                query: 0,
                rows: 0,
            };
            let mut expected: Vec<DataPoint> = model
                .range(a..=b)
                .filter(|(_, (_, expired))| !expired)
                .map(|(&timestamp, (value, _))| DataPoint {
                    timestamp,
                    value: value.clone(),
                })
                .collect();
            if order == Order::Desc {
                expected.reverse();
            }
            if limit > 0 {
                expected.truncate(limit as usize);
            }
            let got = read(&store, metric, &r, hint);
            assert_eq!(
                got, expected,
                "{metric} {a}..={b} {order:?} limit {limit} hint {hint}"
            );
            let counted: u64 = store
                .find_rows(metric, a, b, &TagFilter::all())
                .unwrap()
                .iter()
                .map(|row| store.count_points(row, &r).unwrap())
                .sum();
            let live = model.range(a..=b).filter(|(_, (_, e))| !e).count() as u64;
            let live = if limit > 0 { live.min(limit) } else { live };
            assert_eq!(counted, live, "{metric} count {a}..={b} limit {limit}");
        }
    }
}
