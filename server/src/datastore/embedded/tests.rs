//! Embedded store behaviour: round trips, row spans, order/limit, deletes, TTL, reopen.

use plugin_api::{DataPoint, Order, Value};
use protocols::SeriesPoints;

use super::EmbeddedStore;
use crate::datastore::{Datastore, ReadRange, TagFilter};

fn series(metric: &str, tags: &[(&str, &str)], points: Vec<DataPoint>) -> SeriesPoints {
    let mut tags: Vec<(String, String)> = tags
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    SeriesPoints::sort_tags(&mut tags);
    SeriesPoints {
        metric: metric.into(),
        tags,
        ttl: 0,
        points,
    }
}

fn read_all(
    store: &EmbeddedStore,
    metric: &str,
    start: i64,
    end: i64,
    order: Order,
    limit: u64,
) -> Vec<(i64, Value)> {
    let range = ReadRange {
        start,
        end,
        order,
        limit,
        query: 0,
        rows: 0,
    };
    let mut out = Vec::new();
    for row in store
        .find_rows(metric, start, end, &TagFilter::all())
        .unwrap()
    {
        let mut r = store.read_points(&row, &range).unwrap();
        let mut buf = Vec::new();
        while r.next_batch(&mut buf).unwrap() {}
        out.extend(buf.into_iter().map(|p| (p.timestamp, p.value)));
    }
    out
}

#[test]
fn round_trip_types_and_rows() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    let w = 1_814_400_000;
    store
        .write(&[series(
            "m",
            &[("host", "a")],
            vec![
                DataPoint::long(-5, -1),
                DataPoint::long(10, 42),
                DataPoint::double(w + 3, 1.5),
                DataPoint {
                    timestamp: 2 * w,
                    value: Value::Text("hi".into()),
                },
            ],
        )])
        .unwrap();
    let rows = store
        .find_rows("m", i64::MIN, i64::MAX, &TagFilter::all())
        .unwrap();
    assert_eq!(rows.len(), 4, "{rows:?}");
    let mut all = read_all(&store, "m", i64::MIN, i64::MAX, Order::Asc, 0);
    all.sort_by_key(|p| p.0);
    assert_eq!(
        all,
        vec![
            (-5, Value::Long(-1)),
            (10, Value::Long(42)),
            (w + 3, Value::Double(1.5)),
            (2 * w, Value::Text("hi".into()))
        ]
    );
    assert_eq!(store.metric_names(None).unwrap(), vec!["m"]);
    assert_eq!(store.tag_names().unwrap(), vec!["host"]);
    assert_eq!(store.tag_values().unwrap(), vec!["a"]);
    // Row selection by time: only the row holding w + 3.
    assert_eq!(
        store
            .find_rows("m", w, w + 10, &TagFilter::all())
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn order_limit_and_inclusive_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    store
        .write(&[series(
            "m",
            &[("h", "a")],
            (1..=10).map(|t| DataPoint::long(t, t * 10)).collect(),
        )])
        .unwrap();
    let asc: Vec<i64> = read_all(&store, "m", 3, 7, Order::Asc, 0)
        .into_iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(asc, vec![3, 4, 5, 6, 7]);
    let desc: Vec<i64> = read_all(&store, "m", 3, 7, Order::Desc, 2)
        .into_iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(desc, vec![7, 6]);
    let row = &store.find_rows("m", 0, 100, &TagFilter::all()).unwrap()[0];
    assert_eq!(
        store
            .count_points(
                row,
                &ReadRange {
                    start: 0,
                    end: 100,
                    order: Order::Asc,
                    limit: 4,
                    query: 0,
                    rows: 0,
                }
            )
            .unwrap(),
        4
    );
    assert_eq!(
        store
            .count_points(
                row,
                &ReadRange {
                    start: 0,
                    end: 100,
                    order: Order::Asc,
                    limit: 0,
                    query: 0,
                    rows: 0,
                }
            )
            .unwrap(),
        10
    );
}

#[test]
fn overwrite_same_timestamp_keeps_last() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    store
        .write(&[series("m", &[("h", "a")], vec![DataPoint::long(1, 1)])])
        .unwrap();
    store
        .write(&[series("m", &[("h", "a")], vec![DataPoint::long(1, 2)])])
        .unwrap();
    assert_eq!(
        read_all(&store, "m", 0, 10, Order::Asc, 0),
        vec![(1, Value::Long(2))]
    );
}

#[test]
fn delete_range_and_tags_then_empty_rows_and_names_go() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    store
        .write(&[
            series(
                "m",
                &[("h", "a")],
                (1..=5).map(|t| DataPoint::long(t, t)).collect(),
            ),
            series(
                "m",
                &[("h", "b")],
                (1..=5).map(|t| DataPoint::long(t, t)).collect(),
            ),
        ])
        .unwrap();
    let only_a = TagFilter::new(&[("h".into(), vec!["a".into()])], "regex:").unwrap();
    store.delete("m", 2, 3, &only_a).unwrap();
    let a: Vec<i64> = {
        let rows = store.find_rows("m", 0, 10, &only_a).unwrap();
        let mut r = store
            .read_points(
                &rows[0],
                &ReadRange {
                    start: 0,
                    end: 10,
                    order: Order::Asc,
                    limit: 0,
                    query: 0,
                    rows: 0,
                },
            )
            .unwrap();
        let mut buf = Vec::new();
        while r.next_batch(&mut buf).unwrap() {}
        buf.iter().map(|p| p.timestamp).collect()
    };
    assert_eq!(a, vec![1, 4, 5]);
    assert_eq!(read_all(&store, "m", 0, 10, Order::Asc, 0).len(), 8);
    store.delete("m", i64::MIN, i64::MAX, &only_a).unwrap();
    assert_eq!(
        store
            .find_rows("m", i64::MIN, i64::MAX, &TagFilter::all())
            .unwrap()
            .len(),
        1
    );
    assert_eq!(store.metric_names(None).unwrap(), vec!["m"]);
    store
        .delete("m", i64::MIN, i64::MAX, &TagFilter::all())
        .unwrap();
    assert!(store.metric_names(None).unwrap().is_empty());
    assert!(store.tag_names().unwrap().is_empty());
    // Writing again after a delete works and re-registers the name.
    store
        .write(&[series("m", &[("h", "a")], vec![DataPoint::long(1, 1)])])
        .unwrap();
    assert_eq!(store.metric_names(Some("m")).unwrap(), vec!["m"]);
}

#[test]
fn ttl_hides_expired_points() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    let mut s = series("m", &[("h", "a")], vec![DataPoint::long(1, 1)]);
    s.ttl = 1;
    store
        .write(&[s, series("m", &[("h", "b")], vec![DataPoint::long(1, 2)])])
        .unwrap();
    assert_eq!(read_all(&store, "m", 0, 10, Order::Asc, 0).len(), 2);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(
        read_all(&store, "m", 0, 10, Order::Asc, 0),
        vec![(1, Value::Long(2))]
    );
}

#[test]
fn data_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
        store
            .write(&[series("m", &[("h", "a")], vec![DataPoint::long(1, 1)])])
            .unwrap();
        store
            .write(&[series("n", &[("h", "a")], vec![DataPoint::double(2, 2.5)])])
            .unwrap();
    }
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    assert_eq!(store.metric_names(None).unwrap(), vec!["m", "n"]);
    assert_eq!(
        read_all(&store, "n", 0, 10, Order::Asc, 0),
        vec![(2, Value::Double(2.5))]
    );
    // New rows after reopen get fresh ids (no collision with existing rows).
    store
        .write(&[series("o", &[("h", "a")], vec![DataPoint::long(3, 3)])])
        .unwrap();
    assert_eq!(
        read_all(&store, "m", 0, 10, Order::Asc, 0),
        vec![(1, Value::Long(1))]
    );
    assert_eq!(
        read_all(&store, "o", 0, 10, Order::Asc, 0),
        vec![(3, Value::Long(3))]
    );
}

#[test]
fn metric_prefix_and_nul_names() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    for m in ["sys.cpu", "sys.mem", "app.x"] {
        store
            .write(&[series(m, &[("h", "a")], vec![DataPoint::long(1, 1)])])
            .unwrap();
    }
    assert_eq!(
        store.metric_names(Some("sys.")).unwrap(),
        vec!["sys.cpu", "sys.mem"]
    );
    assert!(store
        .write(&[series("a\0b", &[("h", "a")], vec![DataPoint::long(1, 1)])])
        .is_err());
    // The failed batch left nothing behind.
    assert_eq!(store.metric_names(None).unwrap().len(), 3);
}

#[test]
fn rows_created_after_a_query_are_found_in_key_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), 1 << 20).unwrap();
    let hosts = |filter: &TagFilter| -> Vec<String> {
        store
            .find_rows("m", 0, i64::MAX, filter)
            .unwrap()
            .into_iter()
            .map(|r| r.tags[0].1.clone())
            .collect()
    };
    let host = |h: &str| TagFilter::new(&[("host".into(), vec![h.to_string()])], "regex:").unwrap();
    let write = |h: &str| {
        store
            .write(&[series("m", &[("host", h)], vec![DataPoint::long(1, 1)])])
            .unwrap()
    };
    write("b");
    assert_eq!(hosts(&TagFilter::all()), ["b"]);
    // Cached now; new rows join the cached list, in the order a fresh listing gives.
    write("c");
    write("a");
    assert_eq!(hosts(&TagFilter::all()), ["a", "b", "c"]);
    assert_eq!(hosts(&host("a")), ["a"]);
    assert_eq!(hosts(&host("regex:[bc]")), ["b", "c"]);
    assert!(hosts(&host("d")).is_empty());
    store.delete("m", 0, 10, &host("b")).unwrap();
    assert_eq!(hosts(&TagFilter::all()), ["a", "c"]);
    write("b");
    assert_eq!(hosts(&host("b")), ["b"]);
    assert_eq!(hosts(&TagFilter::all()), ["a", "b", "c"]);
}
