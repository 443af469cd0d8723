//! gaps (exhaustive ranges), dev, percentile and least_squares.

mod common;

use common::*;
use plugin_api::{DataPoint, GroupInfo, ParamError, QueryContext};
use serde_json::json;

fn ctx_range(start: i64, end: i64) -> QueryContext {
    QueryContext {
        start,
        end,
        ..ctx()
    }
}

fn gaps(extra: serde_json::Value, c: &QueryContext, pts: &[DataPoint]) -> Vec<DataPoint> {
    let mut p = json!({"name": "gaps"});
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    run_with(p, c, "number", pts).unwrap()
}

#[test]
fn gaps_java_vectors() {
    let pts = longs(&[
        (0, 1),
        (1, 10),
        (1, 20),
        (1, 3),
        (2, 1),
        (2, 3),
        (4, 5),
        (5, 25),
    ]);
    let mut expect = pts[..6].to_vec();
    expect.push(null(3));
    expect.extend(longs(&[(4, 5), (5, 25)]));
    assert_eq!(gaps(json!({}), &ctx_range(0, 5), &pts), expect);

    let pts = longs(&[(1, 10), (4, 5), (5, 25)]);
    let expect = vec![
        DataPoint::long(1, 10),
        null(2),
        null(3),
        DataPoint::long(4, 5),
        DataPoint::long(5, 25),
    ];
    assert_eq!(gaps(json!({}), &ctx_range(1, 5), &pts), expect);

    let pts = longs(&[(3, 10), (4, 5), (5, 25)]);
    let expect = vec![
        null(1),
        null(2),
        DataPoint::long(3, 10),
        DataPoint::long(4, 5),
        DataPoint::long(5, 25),
        null(6),
        null(7),
    ];
    assert_eq!(gaps(json!({}), &ctx_range(1, 7), &pts), expect);

    let pts = longs(&[(3, 10), (5, 25)]);
    let expect = vec![DataPoint::long(3, 10), null(4), DataPoint::long(5, 25)];
    assert_eq!(gaps(json!({"trim": true}), &ctx_range(1, 7), &pts), expect);

    let s = json!({"align_start_time": true, "sampling": sampling(1, "seconds")});
    let pts = longs(&[(0, 0), (1000, 1), (2000, 2)]);
    let mut expect = pts.clone();
    expect.push(null(3000));
    assert_eq!(gaps(s.clone(), &ctx_range(0, 3001), &pts), expect);
    assert_eq!(gaps(s.clone(), &ctx_range(0, 3000), &pts), expect);
    let pts = longs(&[(0, 0), (1000, 1), (2000, 2), (3000, 3)]);
    assert_eq!(gaps(s, &ctx_range(0, 3000), &pts), pts);
    // a value cannot be read from a null point
    let err = run_with(json!({"name": "sum"}), &ctx(), "number", &[null(1)]).unwrap_err();
    assert!(err
        .to_string()
        .starts_with("No aggregator can be chained after"));
}

#[test]
fn gaps_verified_vectors() {
    let s = json!({"sampling": sampling(1, "seconds")});
    let pts = longs(&[(1500, 1), (1700, 2), (4200, 3)]);
    let expect = vec![
        DataPoint::long(1500, 1),
        DataPoint::long(1700, 2),
        null(2000),
        null(3000),
        DataPoint::long(4200, 3),
        null(5000),
    ];
    assert_eq!(gaps(s, &ctx_range(1200, 5000), &pts), expect);

    // the shared `started` flag: only the first group starts at its own first point
    let c = ctx_range(0, 10_000);
    let a = agg(
        json!({"name": "gaps", "trim": true, "sampling": sampling(1, "seconds")}),
        &c,
    )
    .unwrap();
    let info = GroupInfo {
        metric: "m".into(),
        group_type: "number".into(),
        tags: vec![],
    };
    let g1 = run_batched_state(a.as_ref(), &info, &longs(&[(3000, 1), (5000, 2)]));
    let g2 = run_batched_state(a.as_ref(), &info, &longs(&[(4000, 1), (6000, 2)]));
    assert_eq!(
        g1,
        vec![
            DataPoint::long(3000, 1),
            null(4000),
            DataPoint::long(5000, 2)
        ]
    );
    assert_eq!(
        g2,
        vec![
            null(0),
            null(1000),
            null(2000),
            null(3000),
            DataPoint::long(4000, 1),
            null(5000),
            DataPoint::long(6000, 2)
        ]
    );
    // no end: nulls up to now; an empty group still gets nulls without trim
    let c = QueryContext {
        start: NOW - 3000,
        ..ctx()
    };
    assert_eq!(
        stamps(&gaps(
            json!({"sampling": sampling(1, "seconds"), "align_sampling": false}),
            &c,
            &[]
        )),
        vec![NOW - 3000, NOW - 2000, NOW - 1000, NOW]
    );
    assert!(gaps(json!({"trim": true}), &c, &[]).is_empty());
}

fn run_batched_state(
    a: &dyn plugin_api::Aggregator,
    info: &GroupInfo,
    pts: &[DataPoint],
) -> Vec<DataPoint> {
    let mut s = a.open(info).unwrap();
    let mut out = Vec::new();
    s.push(pts, &mut out).unwrap();
    s.finish(&mut out).unwrap();
    out
}

#[test]
fn dev_vectors() {
    let pts: Vec<DataPoint> = (1..=10).map(|i| DataPoint::long(0, i)).collect();
    assert_eq!(
        run(json!({"name": "dev"}), &pts),
        doubles(&[(0, 3.0276503540974917)])
    );
    let out = run(
        json!({"name": "dev", "return_type": "pos_sd", "dev_count": 2}),
        &pts,
    );
    assert_eq!(out, doubles(&[(0, 11.555300708194984)]));
    let out = run(json!({"name": "dev", "return_type": "neg_sd"}), &pts);
    assert_eq!(out, doubles(&[(0, 5.5 - 3.0276503540974917)]));
    assert_eq!(
        run(json!({"name": "dev"}), &longs(&[(0, 5)])),
        doubles(&[(0, 0.0)])
    );
    let big: Vec<DataPoint> = (0..10_000).map(|i| DataPoint::long(0, i)).collect();
    let sd = run(json!({"name": "dev"}), &big)[0].value.as_f64();
    assert!((sd - 2886.9).abs() < 0.1, "{sd}");
    assert_eq!(
        agg_err(json!({"name": "dev", "return_type": "POS_SD"}), &ctx()).to_string(),
        "cannot validate null"
    );
}

#[test]
fn percentile_vectors() {
    let five: Vec<DataPoint> = (1..=5).map(|i| DataPoint::long(0, i)).collect();
    let p = |q: f64, pts: &[DataPoint]| {
        run(json!({"name": "percentile", "percentile": q}), pts)[0]
            .value
            .as_f64()
    };
    assert_eq!(p(0.5, &five), 3.0);
    assert_eq!(p(0.75, &five), 4.5);
    assert_eq!(p(0.9, &five), 5.0);
    assert_eq!(p(0.1, &five), 1.0);
    assert_eq!(p(0.5, &longs(&[(0, 4), (0, 1), (0, 3), (0, 2)])), 2.5);
    let err = run_with(
        json!({"name": "percentile", "percentile": 1.5}),
        &ctx(),
        "number",
        &five,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "1.5 is not in [0..1]");
    for bad in [
        json!({"name": "percentile"}),
        json!({"name": "percentile", "percentile": 0}),
    ] {
        assert_eq!(
            agg_err(bad, &ctx()),
            ParamError::Invalid("percentile may not be zero".into())
        );
    }
    assert_eq!(
        agg_err(json!({"name": "percentile", "percentile": "0.7.1"}), &ctx()),
        ParamError::Invalid("percentile multiple points".into())
    );
    // more than 1028 points: a sample, still within range
    let many: Vec<DataPoint> = (0..5000).map(|i| DataPoint::long(0, i)).collect();
    let v = run_batched(
        agg(json!({"name": "percentile", "percentile": 0.5}), &ctx())
            .unwrap()
            .as_ref(),
        "number",
        &many,
        100,
    )
    .unwrap();
    assert!((0.0..5000.0).contains(&v[0].value.as_f64()));
}

#[test]
fn least_squares_vectors() {
    let ls = json!({"name": "least_squares", "sampling": sampling(1, "minutes")});
    let out = run(
        ls.clone(),
        &longs(&[(0, 1), (1000, 3), (2500, 2), (4000, 7)]),
    );
    assert_eq!(
        out,
        doubles(&[(0, 0.8775510204081631), (4000, 5.938775510204081)])
    );
    assert!(run(ls.clone(), &[]).is_empty());
    assert_eq!(run(ls.clone(), &longs(&[(5, 1)])), longs(&[(5, 1)]));
    assert_eq!(
        run(ls.clone(), &longs(&[(5, 1), (6, 2)])),
        longs(&[(5, 1), (6, 2)])
    );
    // 10 points 1..10 every 2 ms in one range: the line passes through them
    let pts: Vec<DataPoint> = (1..=10).map(|i| DataPoint::long(i * 2, i)).collect();
    let out = run(
        json!({"name": "least_squares", "sampling": sampling(1, "years")}),
        &pts,
    );
    assert_eq!(stamps(&out), vec![2, 20]);
    assert!(
        (out[0].value.as_f64() - 1.0).abs() < 1e-9 && (out[1].value.as_f64() - 10.0).abs() < 1e-9
    );
}

#[test]
fn integration_fixture_aggregators() {
    // test_aggregators: 10 points 1..10 every 2 ms
    let start = 1_375_202_962_764i64;
    let pts: Vec<DataPoint> = (0..10)
        .map(|i| DataPoint::long(start + 2 * i, i + 1))
        .collect();
    let c = ctx_at(start);
    let one = |name: &str| {
        let p = json!({"name": name, "sampling": sampling(10, "years")});
        run_with(p, &c, "number", &pts).unwrap()
    };
    assert_eq!(one("sum"), doubles(&[(start, 55.0)]));
    assert_eq!(one("max"), doubles(&[(start, 10.0)]));
    assert_eq!(one("min"), doubles(&[(start, 1.0)]));
    assert_eq!(one("avg"), doubles(&[(start, 5.5)]));
    // sum over 4 ms from the second-aligned anchor, then avg over a year: 11
    let sum4 = run_with(
        json!({"name": "sum", "sampling": sampling(4, "milliseconds")}),
        &c,
        "number",
        &pts,
    )
    .unwrap();
    let avg = run_with(
        json!({"name": "avg", "sampling": sampling(1, "years")}),
        &c,
        "number",
        &sum4,
    )
    .unwrap();
    assert_eq!(avg[0].value.as_f64(), 11.0);
    let rates = run_with(json!({"name": "rate"}), &c, "number", &pts).unwrap();
    assert!(rates.iter().all(|p| p.value.as_f64() == 0.5) && rates.len() == 9);
}
