//! `sum`, `count`, `avg`, `min`, `max`, `first`, `last`: the Java unit tests' vectors
//! (Sum/Count/Avg/Min/Max/First/LastAggregatorTest) and the spec's §7 cases.

mod common;

use common::*;
use plugin_api::{DataPoint, Value};
use serde_json::json;

fn long_set() -> Vec<DataPoint> {
    longs(&[(1, 10), (1, 20), (1, 3), (2, 1), (2, 3), (2, 5), (3, 25)])
}

fn double_set() -> Vec<DataPoint> {
    doubles(&[
        (1, 10.0),
        (1, 20.3),
        (1, 3.0),
        (2, 1.0),
        (2, 3.2),
        (2, 5.0),
        (3, 25.1),
    ])
}

fn mixed_set() -> Vec<DataPoint> {
    vec![
        DataPoint::double(1, 10.0),
        DataPoint::double(1, 20.3),
        DataPoint::long(1, 3),
        DataPoint::long(2, 1),
        DataPoint::double(2, 3.2),
        DataPoint::double(2, 5.0),
        DataPoint::double(3, 25.1),
    ]
}

#[test]
fn sum_vectors() {
    let s = json!({"name": "sum"});
    assert_eq!(
        run(s.clone(), &long_set()),
        doubles(&[(1, 33.0), (2, 9.0), (3, 25.0)])
    );
    assert_eq!(
        run(s.clone(), &double_set()),
        doubles(&[(1, 33.3), (2, 9.2), (3, 25.1)])
    );
    assert_eq!(
        run(s.clone(), &mixed_set()),
        doubles(&[(1, 33.3), (2, 9.2), (3, 25.1)])
    );
    assert!(run(s.clone(), &[]).is_empty());
    // MetricsResourceTest: 10 + 5 + 10.1 + 5.1 in this order.
    let pts = vec![
        DataPoint::long(2, 10),
        DataPoint::long(2, 5),
        DataPoint::double(2, 10.1),
        DataPoint::double(2, 5.1),
    ];
    assert_eq!(run(s, &pts), doubles(&[(2, 30.200000000000003)]));
}

#[test]
fn count_vectors() {
    let c = json!({"name": "count"});
    let expect = longs(&[(1, 3), (2, 3), (3, 1)]);
    assert_eq!(run(c.clone(), &long_set()), expect);
    assert_eq!(run(c.clone(), &double_set()), expect);
    assert_eq!(run(c.clone(), &mixed_set()), expect);
    // count accepts text groups and never reads values
    let a = agg(c.clone(), &ctx()).unwrap();
    assert!(a.accepts("text"));
    assert_eq!(a.output_type("text"), "number");
    let out = run_with(c, &ctx(), "text", &[text(1, "a"), text(1, "b"), null(2)]).unwrap();
    assert_eq!(out, longs(&[(1, 2), (2, 1)]));
}

#[test]
fn avg_vectors() {
    let a = json!({"name": "avg"});
    assert_eq!(
        run(a.clone(), &long_set()),
        doubles(&[(1, 11.0), (2, 3.0), (3, 25.0)])
    );
    let out = run(a.clone(), &double_set());
    assert_eq!(out[0], DataPoint::double(1, 11.1));
    assert!((out[1].value.as_f64() - 3.0666).abs() < 0.001);
    assert_eq!(out[2], DataPoint::double(3, 25.1));
    assert_eq!(run(a.clone(), &mixed_set())[0], DataPoint::double(1, 11.1));
    let legacy = longs(&[(1, 10), (1, 20), (1, 3), (1, 1), (1, 3), (1, 5), (1, 25)]);
    let out = run(a.clone(), &legacy);
    assert!((out[0].value.as_f64() - 9.571).abs() < 0.01);
    // null points are skipped; a range of nulls only is NaN
    let out = run(a, &[null(1), DataPoint::long(1, 4), null(2)]);
    assert_eq!(out[0], DataPoint::double(1, 4.0));
    assert!(out[1].value.as_f64().is_nan());
    assert!(!agg(json!({"name": "avg"}), &ctx()).unwrap().accepts("text"));
}

#[test]
fn min_max_vectors() {
    let min = json!({"name": "min"});
    let max = json!({"name": "max"});
    assert_eq!(
        run(min.clone(), &long_set()),
        doubles(&[(1, 3.0), (2, 1.0), (3, 25.0)])
    );
    assert_eq!(
        run(min.clone(), &double_set()),
        doubles(&[(1, 3.0), (2, 1.0), (3, 25.1)])
    );
    assert_eq!(
        run(max.clone(), &long_set()),
        doubles(&[(1, 20.0), (2, 5.0), (3, 25.0)])
    );
    assert_eq!(
        run(max.clone(), &double_set()),
        doubles(&[(1, 20.3), (2, 5.0), (3, 25.1)])
    );
    let neg = doubles(&[
        (1, -10.0),
        (1, -20.3),
        (1, -3.0),
        (2, 1.0),
        (2, -3.2),
        (2, -5.0),
        (3, -25.1),
        (3, -10.1),
    ]);
    assert_eq!(
        run(max.clone(), &neg),
        doubles(&[(1, -3.0), (2, 1.0), (3, -10.1)])
    );
    // Java Math.max/min: NaN propagates, -0.0 < 0.0
    let out = run(
        max.clone(),
        &doubles(&[(1, f64::NAN), (1, 5.0), (2, -0.0), (2, 0.0)]),
    );
    assert!(out[0].value.as_f64().is_nan());
    assert!(out[1].value.as_f64().is_sign_positive());
    let out = run(min.clone(), &doubles(&[(1, 0.0), (1, -0.0)]));
    assert!(out[0].value.as_f64().is_sign_negative());
    // a null point cannot be read
    let err = run_with(max, &ctx(), "number", &[null(1)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "No aggregator can be chained after org.kairosdb.core.aggregator.DataGapsMarkingAggregator"
    );
}

#[test]
fn first_last_vectors() {
    let first = json!({"name": "first"});
    let last = json!({"name": "last"});
    assert_eq!(
        run(first.clone(), &long_set()),
        longs(&[(1, 10), (2, 1), (3, 25)])
    );
    assert_eq!(
        run(last.clone(), &long_set()),
        longs(&[(1, 3), (2, 5), (3, 25)])
    );
    let strings: Vec<DataPoint> = [
        (1, "a"),
        (1, "b"),
        (1, "c"),
        (2, "d"),
        (2, "e"),
        (2, "f"),
        (3, "g"),
    ]
    .iter()
    .map(|(t, s)| text(*t, s))
    .collect();
    let out = run_with(first.clone(), &ctx(), "text", &strings).unwrap();
    assert_eq!(out, vec![text(1, "a"), text(2, "d"), text(3, "g")]);
    let out = run_with(last.clone(), &ctx(), "text", &strings).unwrap();
    assert_eq!(out, vec![text(1, "c"), text(2, "f"), text(3, "g")]);
    let mut mixed = mixed_set();
    mixed.insert(6, text(3, "25.3"));
    mixed.push(DataPoint::double(4, 23.4));
    let out = run(first.clone(), &mixed);
    assert_eq!(out[2], text(3, "25.3"));
    assert_eq!(out[3], DataPoint::double(4, 23.4));
    assert_eq!(agg(first, &ctx()).unwrap().output_type("text"), "text");
}

#[test]
fn last_alignment() {
    let pts = longs(&[
        (0, 11),
        (1, 10),
        (2, 20),
        (3, 3),
        (5, 1),
        (6, 3),
        (7, 5),
        (8, 25),
    ]);
    let s = sampling(5, "milliseconds");
    let out = run(json!({"name": "last", "sampling": s}), &pts);
    assert_eq!(out, longs(&[(3, 3), (8, 25)]));
    let out = run(
        json!({"name": "last", "sampling": s, "align_start_time": true}),
        &pts,
    );
    assert_eq!(out, longs(&[(0, 3), (5, 25)]));
    let out = run(
        json!({"name": "last", "sampling": s, "align_end_time": true}),
        &pts,
    );
    assert_eq!(out, longs(&[(5, 3), (10, 25)]));
    // first uses the first point's own time by default
    let out = run(json!({"name": "first", "sampling": s}), &pts);
    assert_eq!(out, longs(&[(0, 11), (5, 1)]));
}

#[test]
fn value_type_is_kept_by_first() {
    let out = run(
        json!({"name": "first"}),
        &[DataPoint {
            timestamp: 5,
            value: Value::Long(7),
        }],
    );
    assert_eq!(out, longs(&[(5, 7)]));
}
