//! Blocks, the write-ahead log and crashes: replay, overwrites across flushes, deletes inside
//! blocks, expiry in blocks, torn log tails, migration from the one-record-per-point layout.

use plugin_api::{DataPoint, Order, Value};
use protocols::SeriesPoints;

use super::block::BLOCK_POINTS;
use super::EmbeddedStore;
use crate::datastore::{Datastore, ReadRange, TagFilter};

fn series(ttl: i64, points: Vec<DataPoint>) -> SeriesPoints {
    SeriesPoints {
        metric: "m".into(),
        tags: vec![("h".into(), "a".into())],
        ttl,
        points,
    }
}

fn longs(ts: impl Iterator<Item = i64>, f: impl Fn(i64) -> i64) -> Vec<DataPoint> {
    ts.map(|t| DataPoint::long(t, f(t))).collect()
}

fn range(start: i64, end: i64, order: Order) -> ReadRange {
    ReadRange {
        start,
        end,
        order,
        limit: 0,
        query: 0,
        rows: 0,
    }
}

fn read(store: &EmbeddedStore, r: ReadRange) -> Vec<(i64, Value)> {
    let mut out = Vec::new();
    for row in store
        .find_rows("m", r.start, r.end, &TagFilter::all())
        .unwrap()
    {
        let mut reader = store.read_points(&row, &r).unwrap();
        let mut buf = Vec::new();
        while reader.next_batch(&mut buf).unwrap() {}
        out.extend(buf.into_iter().map(|p| (p.timestamp, p.value)));
    }
    out
}

fn count(store: &EmbeddedStore, r: ReadRange) -> u64 {
    store
        .find_rows("m", r.start, r.end, &TagFilter::all())
        .unwrap()
        .iter()
        .map(|row| store.count_points(row, &r).unwrap())
        .sum()
}

/// What `kill -9` leaves of a running store: a copy of its directory as the OS holds it
/// (nothing closed or flushed from the process), to open in place of the original.
fn crash(store: EmbeddedStore, dir: &std::path::Path) -> tempfile::TempDir {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &to.join(e.file_name()));
            } else {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }
    let copied = tempfile::tempdir().unwrap();
    copy(dir, copied.path());
    drop(store);
    copied
}

#[test]
fn buffered_points_survive_a_crash_through_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    store.write(&[series(0, longs(1..=10, |t| t))]).unwrap();
    assert_eq!(store.state.lock().buffered(), 10, "still only in the log");
    let dir = crash(store, dir.path());
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    let all = read(&store, range(0, 100, Order::Asc));
    assert_eq!(
        all,
        longs(1..=10, |t| t)
            .into_iter()
            .map(|p| (p.timestamp, p.value))
            .collect::<Vec<_>>()
    );
}

#[test]
fn crash_between_log_append_and_block_flush_keeps_every_point_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    let n = BLOCK_POINTS as i64 + 10;
    // The first BLOCK_POINTS points fill a block (written, not synced); the rest stay buffered.
    let full = BLOCK_POINTS as i64;
    store
        .write(&[series(0, longs(1..=full, |t| t * 2))])
        .unwrap();
    store
        .write(&[series(0, longs(full + 1..=n, |t| t * 2))])
        .unwrap();
    assert_eq!(store.state.lock().buffered(), 10);
    let dir = crash(store, dir.path());
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    assert_eq!(count(&store, range(0, 1000, Order::Asc)), n as u64);
    let all = read(&store, range(0, 1000, Order::Asc));
    assert_eq!(all.len(), n as usize);
    assert!(all.iter().all(|(t, v)| *v == Value::Long(t * 2)));
}

#[test]
fn replay_skips_records_already_in_blocks_and_keeps_later_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    let n = BLOCK_POINTS as i64;
    store.write(&[series(0, longs(1..=n, |t| t))]).unwrap();
    // The block and its flushed seq are durable; record 1 stays in the log.
    store.persist().unwrap();
    store
        .write(&[series(0, vec![DataPoint::long(5, -5)])])
        .unwrap();
    let dir = crash(store, dir.path());
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    let all = read(&store, range(0, 1000, Order::Asc));
    assert_eq!(all.len(), n as usize);
    assert_eq!(
        all[4],
        (5, Value::Long(-5)),
        "the later overwrite wins after replay"
    );
}

#[test]
fn overwrites_and_late_points_merge_into_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    let n = 2 * BLOCK_POINTS as i64 + 50;
    store
        .write(&[series(0, longs((1..=n).map(|t| t * 10), |t| t))])
        .unwrap();
    // Overwrites inside flushed blocks and in the buffer, one point between two old ones, and
    // an older point arriving late.
    store
        .write(&[series(
            0,
            vec![
                DataPoint::long(100, -1),
                DataPoint::long(n * 10, -2),
                DataPoint::long(105, -3),
                DataPoint::long(5, -4),
            ],
        )])
        .unwrap();
    let check = |store: &EmbeddedStore| {
        let all = read(store, range(0, i64::MAX, Order::Asc));
        assert_eq!(all.len(), n as usize + 2);
        assert!(all.windows(2).all(|w| w[0].0 < w[1].0), "sorted, distinct");
        let at = |t: i64| all.iter().find(|p| p.0 == t).map(|p| p.1.clone());
        assert_eq!(at(100), Some(Value::Long(-1)));
        assert_eq!(at(n * 10), Some(Value::Long(-2)));
        assert_eq!(at(105), Some(Value::Long(-3)));
        assert_eq!(at(5), Some(Value::Long(-4)));
        assert_eq!(at(110), Some(Value::Long(110)));
        assert_eq!(count(store, range(0, i64::MAX, Order::Asc)), n as u64 + 2);
        let desc = read(store, range(95, 115, Order::Desc));
        let ts: Vec<i64> = desc.iter().map(|p| p.0).collect();
        assert_eq!(ts, vec![110, 105, 100]);
    };
    check(&store);
    // Closing flushes the buffer into the blocks it overlaps.
    store.close().unwrap();
    assert_eq!(store.state.lock().buffered(), 0);
    check(&store);
    drop(store);
    check(&EmbeddedStore::open(dir.path(), 1 << 20).unwrap());
}

#[test]
fn delete_inside_blocks_rewrites_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    let n = 3 * BLOCK_POINTS as i64;
    store.write(&[series(0, longs(1..=n, |t| t))]).unwrap();
    store.delete("m", 100, 500, &TagFilter::all()).unwrap();
    let check = |store: &EmbeddedStore| {
        let all = read(store, range(0, i64::MAX, Order::Asc));
        assert_eq!(all.len(), n as usize - 401);
        assert!(all.iter().all(|p| p.0 < 100 || p.0 > 500));
        assert_eq!(count(store, range(0, i64::MAX, Order::Asc)), n as u64 - 401);
        assert_eq!(count(store, range(90, 510, Order::Asc)), 20);
    };
    check(&store);
    let dir = crash(store, dir.path());
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    check(&store);
    store
        .delete("m", i64::MIN, i64::MAX, &TagFilter::all())
        .unwrap();
    assert!(store.metric_names(None).unwrap().is_empty());
    let dir = crash(store, dir.path());
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    assert!(
        store.metric_names(None).unwrap().is_empty(),
        "no replay brings them back"
    );
    assert!(read(&store, range(i64::MIN, i64::MAX, Order::Asc)).is_empty());
}

#[test]
fn expired_points_in_blocks_are_hidden_and_counted_out() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    let n = BLOCK_POINTS as i64 + 20;
    store.write(&[series(1, longs(1..=n, |t| t))]).unwrap();
    store
        .write(&[series(0, longs(n + 1..=n + 5, |t| t))])
        .unwrap();
    assert_eq!(count(&store, range(0, i64::MAX, Order::Asc)), n as u64 + 5);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(count(&store, range(0, i64::MAX, Order::Asc)), 5);
    let all = read(&store, range(0, i64::MAX, Order::Desc));
    let ts: Vec<i64> = all.iter().map(|p| p.0).collect();
    assert_eq!(ts, (n + 1..=n + 5).rev().collect::<Vec<_>>());
}

#[test]
fn torn_log_tail_is_ignored_and_close_empties_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    store.write(&[series(0, longs(1..=3, |t| t))]).unwrap();
    let dir = crash(store, dir.path());
    // A record cut short by the crash.
    let seg = std::fs::read_dir(dir.path().join("wal"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(&seg).unwrap();
    f.write_all(&[40, 0, 0, 0, 1, 2, 3, 4, 9, 9]).unwrap();
    drop(f);
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    assert_eq!(read(&store, range(0, 10, Order::Asc)).len(), 3);
    store.write(&[series(0, longs(4..=5, |t| t))]).unwrap();
    store.close().unwrap();
    let logged: u64 = std::fs::read_dir(dir.path().join("wal"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert_eq!(logged, 0, "everything is in blocks after close");
    drop(store);
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    assert_eq!(read(&store, range(0, 10, Order::Asc)).len(), 5);
}

#[test]
fn one_record_per_point_stores_migrate_to_blocks() {
    use crate::datastore::{value_codec, RowKey};
    let dir = tempfile::tempdir().unwrap();
    let spec = crate::datastore::column_name::RowSpec::default();
    {
        let db = fjall::Database::builder(dir.path()).open().unwrap();
        let ks = |n: &str| {
            db.keyspace(n, fjall::KeyspaceCreateOptions::default)
                .unwrap()
        };
        let (rows, points, metrics, meta) = (ks("rows"), ks("points"), ks("metrics"), ks("meta"));
        let tags = vec![("h".to_string(), "a".to_string())];
        let row = RowKey::new("m", spec.row_time(1000), "kairos_double", &tags);
        rows.insert(row.encode(), 1u64.to_be_bytes()).unwrap();
        metrics.insert("m", b"").unwrap();
        meta.insert(super::NEXT_ROW_ID, 2u64.to_be_bytes()).unwrap();
        for t in 1000..1300i64 {
            let mut v = Vec::new();
            value_codec::encode(&Value::Double(t as f64 / 4.0), &mut v).unwrap();
            let mut rec = Vec::new();
            super::record::encode(&v, None, &mut rec);
            let mut key = 1u64.to_be_bytes().to_vec();
            key.extend_from_slice(&spec.column_name(row.row_time, t));
            points.insert(key, rec).unwrap();
        }
        db.persist(fjall::PersistMode::SyncAll).unwrap();
    }
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    let all = read(&store, range(0, i64::MAX, Order::Asc));
    assert_eq!(all.len(), 300);
    assert_eq!(all[10], (1010, Value::Double(252.5)));
    assert!(!store.db.keyspace_exists("points"));
    // New rows do not collide with migrated ones.
    store
        .write(&[SeriesPoints {
            metric: "m".into(),
            tags: vec![("h".into(), "b".into())],
            ttl: 0,
            points: vec![DataPoint::double(1000, 1.0)],
        }])
        .unwrap();
    assert_eq!(read(&store, range(0, i64::MAX, Order::Asc)).len(), 301);
}

#[test]
fn slow_rows_end_up_in_few_blocks_across_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    for i in 0..20i64 {
        store
            .write(&[series(0, longs(i * 10..i * 10 + 10, |t| t))])
            .unwrap();
        // A checkpoint flushes the 10 buffered points.
        store.close().unwrap();
    }
    let blocks = store.blocks.iter().count();
    assert_eq!(
        blocks, 2,
        "10-point flushes merge into the last block while it is small"
    );
    let all = read(&store, range(0, i64::MAX, Order::Asc));
    assert_eq!(
        all,
        longs(0..200, |t| t)
            .into_iter()
            .map(|p| (p.timestamp, p.value))
            .collect::<Vec<_>>()
    );
    drop(store);
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    assert_eq!(count(&store, range(0, i64::MAX, Order::Asc)), 200);
}
