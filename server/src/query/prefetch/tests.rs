//! Prefetch: every row reads back whatever the budget, the window of reads, the point limit,
//! rows that spill midway.

use super::*;
use crate::query::limits::QueryLimits;
use crate::test_rng::XorShift;
use plugin_api::Value;

struct VecReader(Vec<DataPoint>, usize);
impl PointReader for VecReader {
    fn next_batch(&mut self, out: &mut Vec<DataPoint>) -> Result<bool, DatastoreError> {
        let end = (self.1 + 3).min(self.0.len());
        out.extend_from_slice(&self.0[self.1..end]);
        let more = end > self.1;
        self.1 = end;
        Ok(more)
    }
}

fn row(i: usize) -> RowKey {
    RowKey {
        metric: "m".into(),
        row_time: 0,
        data_type: "kairos_long".into(),
        tags: vec![("host".into(), format!("h{i}"))],
    }
}

/// Row i holds i % 5 points of mixed kinds (row 0, 5, ... none).
fn points(i: usize) -> Vec<DataPoint> {
    (0..i % 5)
        .map(|k| {
            let t = k as i64 * 10 + i as i64;
            DataPoint {
                timestamp: t,
                value: match k % 3 {
                    0 => Value::Long(t),
                    1 => Value::Double(t as f64 + 0.5),
                    _ => Value::Text(format!("s{t}")),
                },
            }
        })
        .collect()
}

fn drain(mut r: Box<dyn PointReader>) -> Vec<DataPoint> {
    let mut out = Vec::new();
    while r.next_batch(&mut out).unwrap() {}
    out
}

#[test]
fn every_row_reads_back_whatever_the_budget() {
    let rows: Vec<RowKey> = (0..600).map(row).collect();
    let open = |r: &RowKey| -> Result<Box<dyn PointReader>, DatastoreError> {
        let i: usize = r.tags[0].1[1..].parse().unwrap();
        Ok(Box::new(VecReader(points(i), 0)))
    };
    let monitor = Monitor::start(QueryLimits::default());
    // All in memory, some in memory and the rest in the file, all in the file.
    for budget in [usize::MAX, 500, 0] {
        let f = prefetch(rows.clone(), HashMap::new(), &open, &monitor, budget).unwrap();
        let expected: Vec<RowKey> = (0..600).filter(|i| i % 5 != 0).map(row).collect();
        assert_eq!(f.rows, expected, "budget {budget}");
        assert_eq!(f.sample_size, (0..600).map(|i| (i % 5) as u64).sum::<u64>());
        assert_eq!(f.points.file.is_some(), budget != usize::MAX);
        // Read back in another order than written.
        for i in (0..600).rev().filter(|i| i % 5 != 0) {
            assert_eq!(drain(f.points.reader(&row(i))), points(i), "row {i}");
        }
        // A row is handed out once.
        assert!(drain(f.points.reader(&row(1))).is_empty());
    }
}

#[test]
fn kept_rows_read_back_in_the_merges_batches() {
    let rows: Vec<RowKey> = (0..20).map(row).collect();
    let doubles = |i: usize| -> Vec<DataPoint> {
        (0..10)
            .map(|k| DataPoint::double(k, i as f64 + k as f64 / 8.0))
            .collect()
    };
    let open = |r: &RowKey| -> Result<Box<dyn PointReader>, DatastoreError> {
        let i: usize = r.tags[0].1[1..].parse().unwrap();
        Ok(Box::new(VecReader(doubles(i), 0)))
    };
    let monitor = Monitor::start(QueryLimits::default());
    let f = prefetch(rows, HashMap::new(), &open, &monitor, usize::MAX).unwrap();
    for i in 0..20 {
        let mut r = f.points.reader(&row(i));
        r.set_batch_hint(3);
        let (mut out, mut batches) = (Vec::new(), 0);
        loop {
            let before = out.len();
            if !r.next_batch(&mut out).unwrap() {
                break;
            }
            assert!(out.len() - before <= 3, "row {i}: a batch past the hint");
            batches += 1;
        }
        assert_eq!(out, doubles(i), "row {i}");
        assert_eq!(batches, 4, "row {i}");
    }
}

#[test]
fn reads_in_flight_stay_at_the_window() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static OPEN: AtomicUsize = AtomicUsize::new(0);
    static MOST: AtomicUsize = AtomicUsize::new(0);
    // Readers open when a later row opens: a sliding window keeps it one short of full.
    static LEAST: AtomicUsize = AtomicUsize::new(usize::MAX);
    struct Counted(VecReader);
    impl Drop for Counted {
        fn drop(&mut self) {
            OPEN.fetch_sub(1, Ordering::SeqCst);
        }
    }
    impl PointReader for Counted {
        fn next_batch(&mut self, out: &mut Vec<DataPoint>) -> Result<bool, DatastoreError> {
            self.0.next_batch(out)
        }
    }
    let rows: Vec<RowKey> = (0..200).map(row).collect();
    let open = |r: &RowKey| -> Result<Box<dyn PointReader>, DatastoreError> {
        let i: usize = r.tags[0].1[1..].parse().unwrap();
        let before = OPEN.fetch_add(1, Ordering::SeqCst);
        MOST.fetch_max(before + 1, Ordering::SeqCst);
        if i >= ROWS_AT_ONCE {
            LEAST.fetch_min(before, Ordering::SeqCst);
        }
        Ok(Box::new(Counted(VecReader(points(i), 0))))
    };
    let monitor = Monitor::start(QueryLimits::default());
    let f = prefetch(rows, HashMap::new(), &open, &monitor, usize::MAX).unwrap();
    assert_eq!(f.sample_size, (0..200).map(|i| (i % 5) as u64).sum::<u64>());
    assert_eq!(
        MOST.load(Ordering::SeqCst),
        ROWS_AT_ONCE,
        "the window fills, no more"
    );
    assert_eq!(
        LEAST.load(Ordering::SeqCst),
        ROWS_AT_ONCE - 1,
        "and stays full"
    );
    assert_eq!(OPEN.load(Ordering::SeqCst), 0, "every reader is closed");
}

#[test]
fn the_point_limit_stops_the_read() {
    let rows: Vec<RowKey> = (0..100).map(row).collect();
    let open = |_: &RowKey| -> Result<Box<dyn PointReader>, DatastoreError> {
        Ok(Box::new(VecReader(points(4), 0)))
    };
    let monitor = Monitor::start(QueryLimits {
        points: 10,
        ..QueryLimits::default()
    });
    let err = prefetch(rows, HashMap::new(), &open, &monitor, 1000)
        .err()
        .unwrap();
    assert!(
        format!("{err:?}").contains("Query exceeded limit of 10"),
        "{err:?}"
    );
}

/// Rows spill mid-row, at their first batch or never, with batches of any size: every row
/// reads back whole (a row that spilled mid-row once lost what it held in memory).
#[test]
fn rows_that_spill_midway_read_back_whole() {
    struct Batches(Vec<DataPoint>, usize, usize);
    impl PointReader for Batches {
        fn next_batch(&mut self, out: &mut Vec<DataPoint>) -> Result<bool, DatastoreError> {
            let end = (self.1 + self.2).min(self.0.len());
            out.extend_from_slice(&self.0[self.1..end]);
            let more = end > self.1;
            self.1 = end;
            Ok(more)
        }
    }
    let mut rng = XorShift(0x1234_5678_9abc_def1);
    let mut rnd = |n: u64| rng.below(n);
    for round in 0..50 {
        let sizes: Vec<usize> = (0..40).map(|_| rnd(30) as usize).collect();
        let batch = 1 + rnd(7) as usize;
        let budget = rnd(200) as usize;
        let series = |i: usize| -> Vec<DataPoint> {
            (0..sizes[i])
                .map(|k| DataPoint::long(k as i64, (i * 100 + k) as i64))
                .collect()
        };
        let rows: Vec<RowKey> = (0..sizes.len()).map(row).collect();
        let open = |r: &RowKey| -> Result<Box<dyn PointReader>, DatastoreError> {
            let i: usize = r.tags[0].1[1..].parse().unwrap();
            Ok(Box::new(Batches(series(i), 0, batch)))
        };
        let monitor = Monitor::start(QueryLimits::default());
        let f = prefetch(rows, HashMap::new(), &open, &monitor, budget).unwrap();
        assert_eq!(
            f.sample_size,
            sizes.iter().sum::<usize>() as u64,
            "round {round}"
        );
        for (i, n) in sizes.iter().enumerate() {
            let got = drain(f.points.reader(&row(i)));
            assert_eq!(
                got.len(),
                *n,
                "round {round} row {i} budget {budget} batch {batch}"
            );
            assert_eq!(got, series(i), "round {round} row {i}");
        }
    }
}

/// Rows the store already started reading are consumed first, whatever their place, through
/// the reader given and never opened again; the rows kept stay in the order given.
#[test]
fn started_rows_are_read_first_and_kept_in_order() {
    use std::sync::Mutex as StdMutex;
    struct Logged(VecReader, usize, &'static StdMutex<Vec<usize>>, bool);
    impl PointReader for Logged {
        fn next_batch(&mut self, out: &mut Vec<DataPoint>) -> Result<bool, DatastoreError> {
            if !self.3 {
                self.3 = true;
                self.2.lock().unwrap().push(self.1);
            }
            self.0.next_batch(out)
        }
    }
    static CONSUMED: StdMutex<Vec<usize>> = StdMutex::new(Vec::new());
    static OPENED: StdMutex<Vec<usize>> = StdMutex::new(Vec::new());
    let rows: Vec<RowKey> = (0..100).map(row).collect();
    let early: Vec<usize> = vec![97, 40, 3, 64];
    // Started readers hold other points than `open` would give, to tell them apart.
    let started_points = |i: usize| vec![DataPoint::long(7, i as i64 * 1000)];
    let started: HashMap<RowKey, Box<dyn PointReader>> = early
        .iter()
        .map(|&i| {
            let reader: Box<dyn PointReader> =
                Box::new(Logged(VecReader(started_points(i), 0), i, &CONSUMED, false));
            (row(i), reader)
        })
        .collect();
    let open = |r: &RowKey| -> Result<Box<dyn PointReader>, DatastoreError> {
        let i: usize = r.tags[0].1[1..].parse().unwrap();
        OPENED.lock().unwrap().push(i);
        Ok(Box::new(Logged(
            VecReader(points(i), 0),
            i,
            &CONSUMED,
            false,
        )))
    };
    let monitor = Monitor::start(QueryLimits::default());
    let f = prefetch(rows, started, &open, &monitor, usize::MAX).unwrap();
    let consumed = CONSUMED.lock().unwrap().clone();
    let mut first: Vec<usize> = consumed[..early.len()].to_vec();
    first.sort_unstable();
    assert_eq!(
        first,
        vec![3, 40, 64, 97],
        "started rows first: {consumed:?}"
    );
    assert_eq!(consumed.len(), 100, "every row read once");
    let opened = OPENED.lock().unwrap().clone();
    assert_eq!(opened.len(), 96);
    assert!(
        early.iter().all(|i| !opened.contains(i)),
        "a started row opened again"
    );
    // Row 40 holds no point through `open` but one through its started reader.
    let expected: Vec<RowKey> = (0..100)
        .filter(|i| i % 5 != 0 || early.contains(i))
        .map(row)
        .collect();
    assert_eq!(f.rows, expected);
    for &i in &early {
        assert_eq!(drain(f.points.reader(&row(i))), started_points(i));
    }
    assert_eq!(drain(f.points.reader(&row(41))), points(41));
}
