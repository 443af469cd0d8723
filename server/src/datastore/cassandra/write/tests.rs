//! Write-path arithmetic and planning, without Cassandra.

use plugin_api::{DataPoint, Value};

use super::*;
use crate::datastore::column_name::DEFAULT_ROW_WIDTH_MS;

fn caches() -> WriteCaches {
    WriteCaches {
        row_keys: SeenCache::new(100),
        row_times: SeenCache::new(100),
    }
}

fn series(metric: &str, ttl: i64, points: &[(i64, Value)]) -> SeriesPoints {
    SeriesPoints {
        metric: metric.into(),
        tags: vec![("dc".into(), "x".into()), ("host".into(), "a".into())],
        ttl,
        points: points
            .iter()
            .map(|(t, v)| DataPoint {
                timestamp: *t,
                value: v.clone(),
            })
            .collect(),
    }
}

#[test]
fn ttl_rules() {
    // spec cassandra-storage.md §3.6
    let mut o = CassandraOptions::default();
    let now = 1_700_000_000_000;
    assert_eq!(point_ttl(0, now, now, &o), Some(0));
    assert_eq!(point_ttl(86_400, now, now, &o), Some(86_400));
    o.datapoint_ttl = 3600;
    assert_eq!(point_ttl(0, now, now, &o), Some(3600));
    assert_eq!(point_ttl(60, now, now, &o), Some(60));
    o.force_default_ttl = true;
    assert_eq!(point_ttl(60, now, now, &o), Some(3600));
    o.align_ttl = true;
    // 100.9 s old: Java's int division takes 100 s off.
    assert_eq!(point_ttl(60, now - 100_900, now, &o), Some(3500));
    // Too old: dropped. Future-dated: longer.
    assert_eq!(point_ttl(60, now - 3_600_000, now, &o), None);
    assert_eq!(point_ttl(60, now + 10_000, now, &o), Some(3610));
    // Align with no TTL configured drops everything (Java quirk).
    o.datapoint_ttl = 0;
    o.force_default_ttl = false;
    assert_eq!(point_ttl(0, now, now, &o), None);
}

#[test]
fn row_key_ttl_adds_the_row_width() {
    let ms = RowSpec::default();
    assert_eq!(row_key_ttl(0, &ms), 0);
    // spec §4.7: 86400 + 1814400.
    assert_eq!(row_key_ttl(86_400, &ms), 1_900_800);
    let sec = RowSpec::Seconds { width: 1_814_400 };
    assert_eq!(row_key_ttl(10, &sec), 1_814_410);
    assert_eq!(row_key_ttl(MAX_TTL, &ms), MAX_TTL as i32);
}

#[test]
fn worked_write_plan() {
    // spec cassandra-storage.md §4.7: first point of a new row, then a second one.
    let o = CassandraOptions::default();
    let spec = RowSpec::default();
    let mut c = caches();
    let s = series("sys.cpu", 86_400, &[(1_700_000_000_000, Value::Long(42))]);
    let p = plan(std::slice::from_ref(&s), &spec, &o, &mut c, 0).unwrap();
    assert_eq!(p.names, vec!["sys.cpu".to_string()]);
    assert_eq!(
        p.row_times,
        vec![("sys.cpu".to_string(), 1_698_278_400_000, 1_900_800)]
    );
    assert_eq!(p.row_keys.len(), 1);
    assert_eq!(p.row_keys[0].1, 1_900_800);
    assert_eq!(p.points.len(), 1);
    let pt = &p.points[0];
    assert_eq!(
        p.keys[pt.key],
        [
            0x73, 0x79, 0x73, 0x2e, 0x63, 0x70, 0x75, 0x00, 0x00, 0x00, 0x01, 0x8b, 0x69, 0x47,
            0xe0, 0x00, 0x00, 0x0b, 0x6b, 0x61, 0x69, 0x72, 0x6f, 0x73, 0x5f, 0x6c, 0x6f, 0x6e,
            0x67, 0x64, 0x63, 0x3d, 0x78, 0x3a, 0x68, 0x6f, 0x73, 0x74, 0x3d, 0x61, 0x3a
        ]
    );
    assert_eq!(
        (pt.column, pt.value.as_slice(), pt.ttl),
        ([0x66, 0x9d, 0x88, 0x00], &[0x54][..], 86_400)
    );
    p.commit(&mut c);
    let s2 = series("sys.cpu", 86_400, &[(1_700_000_060_000, Value::Long(-1))]);
    let p = plan(&[s2], &spec, &o, &mut c, 0).unwrap();
    assert!(p.names.is_empty() && p.row_times.is_empty() && p.row_keys.is_empty());
    assert_eq!(p.points[0].column, [0x66, 0x9e, 0x72, 0x60]);
    assert_eq!(p.points[0].value, [0x01]);
    let legacy = RowSpec::Legacy {
        width: DEFAULT_ROW_WIDTH_MS,
    };
    let p = plan(&[s], &legacy, &o, &mut caches(), 0).unwrap();
    assert_eq!(p.points[0].column, [0xcd, 0x3b, 0x10, 0x00]);
}

#[test]
fn one_index_entry_per_row_and_row_time() {
    let o = CassandraOptions::default();
    let spec = RowSpec::default();
    let w = DEFAULT_ROW_WIDTH_MS;
    let s = series(
        "m",
        0,
        &[
            (0, Value::Long(1)),
            (1, Value::Double(1.5)),
            (2, Value::Text("hé".into())),
            (w, Value::Long(2)),
            (-1, Value::Long(3)),
        ],
    );
    let p = plan(&[s], &spec, &o, &mut caches(), 0).unwrap();
    // Three types in row 0, one key in row w, one in row -2.
    assert_eq!(p.row_keys.len(), 5);
    let times: Vec<i64> = p.row_times.iter().map(|t| t.1).collect();
    assert_eq!(times, vec![0, w, -2]);
    assert_eq!(p.names.len(), 3);
    let types: Vec<&str> = p.row_keys.iter().map(|k| k.0.data_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "kairos_long",
            "kairos_double",
            "kairos_string",
            "kairos_long",
            "kairos_long"
        ]
    );
    assert_eq!(p.points[2].value, [0x00, 0x03, 0x68, 0xc3, 0xa9]);
    assert_eq!(p.points[4].column, [0, 0, 0, 1]);
}

#[test]
fn a_cell_written_twice_in_one_write_keeps_the_later_point() {
    let o = CassandraOptions::default();
    let spec = RowSpec::default();
    // Larger first: Cassandra alone would keep 9 (same write timestamp, larger value).
    let first = series("m", 0, &[(5, Value::Long(9)), (6, Value::Long(1))]);
    let second = series("m", 0, &[(5, Value::Long(2)), (7, Value::Long(3))]);
    let p = plan(&[first, second], &spec, &o, &mut caches(), 0).unwrap();
    assert_eq!(p.point_count(), 3);
    let cells: Vec<([u8; 4], Vec<u8>)> = p
        .points
        .iter()
        .map(|pt| (pt.column, pt.value.clone()))
        .collect();
    let long = |v: i64| {
        let mut b = Vec::new();
        value_codec::encode(&Value::Long(v), &mut b).unwrap();
        b
    };
    let col = |t: i64| spec.column_name(0, t);
    assert_eq!(
        cells,
        vec![(col(5), long(2)), (col(6), long(1)), (col(7), long(3))]
    );
}

#[test]
fn refusals() {
    let o = CassandraOptions::default();
    let spec = RowSpec::default();
    let bad = |s: SeriesPoints| plan(&[s], &spec, &o, &mut caches(), 0).is_err();
    assert!(bad(series("a\0b", 0, &[(0, Value::Long(1))])));
    assert!(bad(series("m", -1, &[(0, Value::Long(1))])));
    assert!(bad(series("m", MAX_TTL + 1, &[(0, Value::Long(1))])));
    assert!(bad(series("m", 0, &[(0, Value::Text("x".repeat(70_000)))])));
    assert!(!bad(series("m", MAX_TTL, &[(0, Value::Long(1))])));
}

#[test]
fn tag_map_keeps_java_order() {
    let tags = vec![
        ("\u{1F600}".to_string(), "1".to_string()),
        ("\u{FF21}".to_string(), "2".to_string()),
    ];
    match tag_map(&tags) {
        CqlValue::Map(m) => assert_eq!(m[0].0, CqlValue::Text("\u{1F600}".into())),
        other => panic!("{other:?}"),
    }
}

#[test]
fn batches_split_by_count_and_size() {
    assert_eq!(chunks(5, 2, |_| 1), vec![0..2, 2..4, 4..5]);
    assert_eq!(
        chunks(3, 10, |_| MAX_BATCH_BYTES / 2 + 1),
        vec![0..1, 1..2, 2..3]
    );
    assert_eq!(chunks(1, 10, |_| MAX_BATCH_BYTES * 4), vec![0..1]);
    assert!(chunks(0, 10, |_| 1).is_empty());
}

#[test]
fn tag_indexed_metrics_get_one_index_row_per_pair() {
    // spec cassandra-storage.md §4.7, tag-indexed variant.
    let mut o = CassandraOptions::default();
    o.tag_index.insert("sys.cpu".into(), vec!["*".into()]);
    let s = series("sys.cpu", 86_400, &[(1_700_000_000_000, Value::Long(42))]);
    let p = plan(&[s], &RowSpec::default(), &o, &mut caches(), 0).unwrap();
    assert_eq!(
        p.tag_rows,
        vec![
            (0, "dc=x".to_string(), 1_750_428_808),
            (0, "host=a".to_string(), 1_750_428_808)
        ]
    );
    let other = series("other", 0, &[(0, Value::Long(1))]);
    assert!(plan(&[other], &RowSpec::default(), &o, &mut caches(), 0)
        .unwrap()
        .tag_rows
        .is_empty());
}
