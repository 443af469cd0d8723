//! Non-range aggregators: diff, div, scale, rate, sampler, sma, trim, filter, score, save_as.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use plugin_api::{DataPoint, GroupInfo, ParamError, PointSink};
use serde_json::json;

fn assert_close(out: &[DataPoint], expect: &[(i64, f64)]) {
    assert_eq!(out.len(), expect.len(), "{out:?}");
    for (p, (t, v)) in out.iter().zip(expect) {
        assert_eq!(p.timestamp, *t);
        assert!((p.value.as_f64() - v).abs() < 0.01, "{out:?}");
    }
}

#[test]
fn diff_vectors() {
    let d = json!({"name": "diff"});
    assert_eq!(
        run(d.clone(), &longs(&[(1, 10), (2, 20), (3, 30), (4, 40)])),
        doubles(&[(2, 10.0), (3, 10.0), (4, 10.0)])
    );
    assert_eq!(
        run(d.clone(), &longs(&[(1, 10), (2, 10), (3, 5), (4, 20)])),
        doubles(&[(2, 0.0), (3, -5.0), (4, 15.0)])
    );
    let same = longs(&[(1, 10), (1, 15), (2, 5), (2, 20), (3, 30)]);
    assert_eq!(
        run(d.clone(), &same),
        doubles(&[(1, 5.0), (2, -10.0), (2, 15.0), (3, 10.0)])
    );
    assert!(run(d, &longs(&[(1, 1)])).is_empty());
}

#[test]
fn div_and_scale() {
    assert_eq!(
        run(
            json!({"name": "div", "divisor": 2}),
            &longs(&[(1, 10), (2, 3)])
        ),
        doubles(&[(1, 5.0), (2, 1.5)])
    );
    assert_eq!(
        agg_err(json!({"name": "div"}), &ctx()),
        ParamError::Invalid("m_divisor may not be zero".into())
    );
    assert_eq!(
        agg_err(json!({"name": "div", "divisor": 0}), &ctx()),
        ParamError::Invalid("m_divisor may not be zero".into())
    );
    let out = run(
        json!({"name": "scale", "factor": 2.5}),
        &longs(&[(1, 10), (1, 3), (2, 5), (3, 25)]),
    );
    assert_eq!(out, doubles(&[(1, 25.0), (1, 7.5), (2, 12.5), (3, 62.5)]));
    let out = run(
        json!({"name": "scale", "factor": 1.5}),
        &doubles(&[(1, 10.0), (1, 20.3), (2, 3.2)]),
    );
    assert_close(&out, &[(1, 15.0), (1, 30.45), (2, 4.8)]);
    // no factor: 0.0
    assert_eq!(
        run(json!({"name": "scale"}), &longs(&[(1, 10)])),
        doubles(&[(1, 0.0)])
    );
    assert_eq!(
        run(
            json!({"name": "scale", "factor": "0.5"}),
            &longs(&[(1, 10)])
        ),
        doubles(&[(1, 5.0)])
    );
}

#[test]
fn rate_vectors() {
    let r = json!({"name": "rate"});
    assert_eq!(
        run(r.clone(), &longs(&[(1, 10), (2, 20), (3, 30), (4, 40)])),
        doubles(&[(2, 10.0), (3, 10.0), (4, 10.0)])
    );
    assert_eq!(
        run(r.clone(), &longs(&[(1, 10), (3, 20), (5, 30), (7, 40)])),
        doubles(&[(3, 5.0), (5, 5.0), (7, 5.0)])
    );
    assert_eq!(
        run(r.clone(), &longs(&[(1, 10), (2, 10), (3, 5), (4, 20)])),
        doubles(&[(2, 0.0), (3, -5.0), (4, 15.0)])
    );
    let err = run_with(r, &ctx(), "number", &longs(&[(1, 10), (1, 15), (2, 5)])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "The rate aggregator cannot compute rate for data points with the same time stamp.  You must precede rate with another aggregator."
    );
    // [verified] unit seconds
    let out = run(
        json!({"name": "rate", "unit": "seconds"}),
        &longs(&[(0, 10), (1500, 13), (4500, 12)]),
    );
    assert_eq!(out, doubles(&[(1500, 2.0), (4500, -0.3333333333333333)]));
    let out = run(
        json!({"name": "rate", "sampling": {"value": 1, "unit": "seconds"}}),
        &longs(&[(0, 10), (1500, 13)]),
    );
    assert_eq!(out, doubles(&[(1500, 2.0)]));
    // [verified] unit months from 2015-02-01 UTC: 28 days
    let t0 = utc(2015, 2, 1, 0, 0, 0, 0);
    let out = run(
        json!({"name": "rate", "unit": "months"}),
        &longs(&[(t0, 0), (t0 + 1000, 1)]),
    );
    assert_eq!(out, doubles(&[(t0 + 1000, 28.0 * 86_400.0)]));
    // descending: the calendar duration is taken at the newer point
    let t1 = utc(2015, 3, 1, 0, 0, 0, 0);
    let out = run(
        json!({"name": "rate", "unit": "months"}),
        &longs(&[(t1, 1), (t1 - 1000, 0)]),
    );
    assert_eq!(out, doubles(&[(t1 - 1000, 31.0 * 86_400.0)]));
    assert_eq!(
        agg_err(json!({"name": "sampler", "sampling": {"value": 1, "unit": "seconds"}}), &ctx()).to_string(),
        "Property 'sampling' was specified for object 'sampler' but no matching setter was found on 'class org.kairosdb.core.aggregator.SamplerAggregator'"
    );
}

#[test]
fn sampler_vectors() {
    let s = json!({"name": "sampler"});
    assert_eq!(
        run(s.clone(), &longs(&[(1, 10), (2, 20), (3, 30), (4, 40)])),
        doubles(&[(2, 20.0), (3, 30.0), (4, 40.0)])
    );
    assert_eq!(
        run(s.clone(), &longs(&[(1, 10), (2, 10), (3, 5), (4, 20)])),
        doubles(&[(2, 10.0), (3, 5.0), (4, 20.0)])
    );
    assert_eq!(
        run(s.clone(), &longs(&[(1, 10), (2, 10), (4, 10), (6, 20)])),
        doubles(&[(2, 10.0), (4, 5.0), (6, 10.0)])
    );
    let err = run_with(s, &ctx(), "number", &longs(&[(1, 10), (1, 15)])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "The sampler aggregator cannot compute rate for data points with the same time stamp.  You must precede sampler with another aggregator."
    );
}

#[test]
fn sampling_durations_in_brussels() {
    use aggregators::time::{sampling_duration, Duration, TimeUnit, Zone};
    let z = Zone::parse("Europe/Brussels").unwrap();
    let at = |y: i32, m: u32, d: u32| local("Europe/Brussels", y, m, d, 1, 2) + 3004;
    let day = 86_400_000;
    let cases = [
        (TimeUnit::Years, at(2014, 12, 18), 365 * day),
        (TimeUnit::Years, at(2012, 2, 18), 366 * day),
        (TimeUnit::Months, at(2014, 1, 18), 31 * day),
        (TimeUnit::Months, at(2014, 2, 18), 28 * day),
        (TimeUnit::Weeks, at(2014, 12, 18), 7 * day),
        (TimeUnit::Days, at(2014, 12, 18), day),
        (TimeUnit::Hours, at(2014, 12, 18), 3_600_000),
        (TimeUnit::Minutes, at(2014, 12, 18), 60_000),
        (TimeUnit::Seconds, at(2014, 12, 18), 1000),
        (TimeUnit::Milliseconds, at(2014, 12, 18), 1),
    ];
    for (unit, t, expect) in cases {
        assert_eq!(
            sampling_duration(t, Duration { value: 1, unit }, z).unwrap(),
            expect,
            "{unit:?}"
        );
    }
    // a DST day is 23 hours
    let ny = Zone::parse("America/New_York").unwrap();
    let t = local("America/New_York", 2014, 3, 8, 12, 0);
    assert_eq!(
        sampling_duration(
            t,
            Duration {
                value: 1,
                unit: TimeUnit::Days
            },
            ny
        )
        .unwrap(),
        23 * 3_600_000
    );
}

#[test]
fn sma_vectors() {
    let s = json!({"name": "sma", "size": 3});
    let out = run(
        s.clone(),
        &longs(&[(1, 10), (1, 20), (1, 3), (2, 1), (2, 5), (3, 6)]),
    );
    assert_close(&out, &[(1, 11.0), (2, 8.0), (2, 3.0), (3, 4.0)]);
    let out = run(
        s.clone(),
        &doubles(&[(1, 10.0), (1, 20.3), (1, 3.0), (2, 1.0), (2, 5.2), (3, 6.0)]),
    );
    assert_close(&out, &[(1, 11.1), (2, 8.1), (2, 3.067), (3, 4.067)]);
    assert!(run(s.clone(), &longs(&[(1, 1), (2, 2)])).is_empty());
    assert_eq!(
        run(s, &longs(&[(1, 1), (2, 2), (3, 3)])),
        doubles(&[(3, 2.0)])
    );
    // size 0 (or missing) fails when the group is opened, with no message
    let a = agg(json!({"name": "sma"}), &ctx()).unwrap();
    let info = GroupInfo {
        metric: "m".into(),
        group_type: "number".into(),
        tags: vec![],
    };
    assert_eq!(
        a.open(&info).err().map(|e| e.to_string()),
        Some("null".to_string())
    );
    // negative size: NaN
    let out = run(json!({"name": "sma", "size": -1}), &longs(&[(1, 1)]));
    assert!(out[0].value.as_f64().is_nan());
}

#[test]
fn trim_vectors() {
    let three = longs(&[(1, 1), (2, 2), (3, 3)]);
    let t =
        |mode: &str, pts: &[DataPoint]| stamps(&run(json!({"name": "trim", "trim": mode}), pts));
    assert_eq!(t("first", &three), vec![2, 3]);
    assert_eq!(t("LAST", &three), vec![1, 2]);
    assert_eq!(t("Both", &three), vec![2]);
    for mode in ["first", "last", "both"] {
        assert!(t(mode, &three[..1]).is_empty());
    }
    assert!(t("both", &three[..2]).is_empty());
    assert_eq!(t("first", &three[..2]), vec![2]);
    assert_eq!(stamps(&run(json!({"name": "trim"}), &three)), vec![1, 2, 3]);
    assert_eq!(
        agg_err(json!({"name": "trim", "trim": "middle"}), &ctx()).to_string(),
        "middle is not a valid trim type, must be 'first', 'last' or 'both'."
    );
}

#[test]
fn filter_vectors() {
    let set = longs(&[(1, 10), (2, 20), (3, 15), (4, 30), (5, 10), (6, 25)]);
    let f = |op: &str, th: f64| {
        stamps(&run(
            json!({"name": "filter", "filter_op": op, "threshold": th}),
            &set,
        ))
    };
    assert_eq!(f("lte", 15.0), vec![2, 4, 6]);
    assert_eq!(f("gt", 20.0), vec![1, 2, 3, 5]);
    assert_eq!(f("gte", 20.0), vec![1, 3, 5]);
    assert_eq!(f("equal", 10.0), vec![2, 3, 4, 6]);
    assert_eq!(f("ne", 10.0), vec![1, 5]);
    let neg = longs(&[(1, -10), (2, -20), (3, 30), (4, 40), (5, -50)]);
    assert_eq!(
        stamps(&run(
            json!({"name": "filter", "filter_op": "LT", "threshold": 0}),
            &neg
        )),
        vec![3, 4]
    );
    let strings: Vec<DataPoint> = ["alfa", "beta", "gamma", "delta", "alfa", "beta"]
        .iter()
        .enumerate()
        .map(|(i, s)| text(i as i64 + 1, s))
        .collect();
    let out = run_with(
        json!({"name": "filter", "filter_op": "equal", "threshold": "alfa"}),
        &ctx(),
        "text",
        &strings,
    )
    .unwrap();
    assert_eq!(stamps(&out), vec![2, 3, 4, 6]);
    let mixed = vec![
        text(1, "alfa"),
        text(2, "beta"),
        DataPoint::long(3, 10),
        text(4, "delta"),
        DataPoint::double(5, 20.0),
        text(6, "beta"),
    ];
    let out = run(
        json!({"name": "filter", "filter_op": "gte", "threshold": 13.43543}),
        &mixed,
    );
    assert_eq!(out, longs(&[(3, 10)]));
    let out = run(
        json!({"name": "filter", "filter_op": "equal", "threshold": "beta"}),
        &mixed,
    );
    assert_eq!(stamps(&out), vec![1, 4]);
    // "5" stays a string, so numbers are all removed; booleans remove everything
    assert!(run(
        json!({"name": "filter", "filter_op": "lt", "threshold": "5"}),
        &set
    )
    .is_empty());
    assert!(run(
        json!({"name": "filter", "filter_op": "lt", "threshold": true}),
        &set
    )
    .is_empty());
    // a string threshold removes gaps' null points without reading them
    assert!(run(
        json!({"name": "filter", "filter_op": "lt", "threshold": "x"}),
        &[null(1)]
    )
    .is_empty());
    // no filter_op: NullPointerException once data flows
    let err = run_with(
        json!({"name": "filter", "threshold": 1}),
        &ctx(),
        "number",
        &set,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "null");
    assert_eq!(
        agg_err(json!({"name": "filter", "filter_op": "bad"}), &ctx()).to_string(),
        "bad is not a valid trim type, must be 'lte', 'lt', 'gte', 'gt', 'equal' or 'ne'."
    );
    // Double.compare: -0.0 < 0.0
    let z = doubles(&[(1, -0.0), (2, 0.0)]);
    assert_eq!(
        stamps(&run(
            json!({"name": "filter", "filter_op": "lt", "threshold": 0.0}),
            &z
        )),
        vec![2]
    );
}

#[test]
fn score_vectors() {
    let th = json!([{"value": 10, "boundary": "inferior"}, {"value": 0, "boundary": "inferior"}]);
    let pts = doubles(&[(0, -1.0), (1, 1.0), (2, 11.0)]);
    let out = run(json!({"name": "score", "thresholds": th}), &pts);
    assert_eq!(out, doubles(&[(0, 0.0), (1, 1.0), (2, 2.0)]));
    let out = run(
        json!({"name": "score", "thresholds": th, "order": "descending"}),
        &pts,
    );
    assert_eq!(out, doubles(&[(0, 2.0), (1, 1.0), (2, 0.0)]));
    let one = |b: &str| {
        run(
            json!({"name": "score", "thresholds": [{"value": 0, "boundary": b}]}),
            &doubles(&[(0, 0.0)]),
        )
    };
    assert_eq!(one("inferior"), doubles(&[(0, 1.0)]));
    assert_eq!(one("superior"), doubles(&[(0, 0.0)]));
    // default boundary is superior; NaN counts leading inferior thresholds
    let out = run(
        json!({"name": "score", "thresholds": [{"value": 0}]}),
        &doubles(&[(0, 0.0)]),
    );
    assert_eq!(out, doubles(&[(0, 0.0)]));
    let th = json!([{"value": 1, "boundary": "inferior"}, {"value": 2}]);
    assert_eq!(
        run(
            json!({"name": "score", "thresholds": th}),
            &doubles(&[(0, f64::NAN)])
        ),
        doubles(&[(0, 1.0)])
    );
    assert_eq!(
        agg_err(json!({"name": "score"}), &ctx()),
        ParamError::Invalid("thresholds may not be null".into())
    );
    assert_eq!(
        agg_err(
            json!({"name": "score", "thresholds": [], "order": "DESCENDING"}),
            &ctx()
        )
        .to_string(),
        "cannot validate null"
    );
    // an upper-case boundary is null: equal values fail while sorting (400) ...
    let bad = json!([{"value": 1, "boundary": "INFERIOR"}, {"value": 1}]);
    assert_eq!(
        agg_err(json!({"name": "score", "thresholds": bad}), &ctx()).to_string(),
        "Call to org.kairosdb.core.aggregator.ScoreAggregator:setThresholds failed with message: null"
    );
    // ... or when a value equals it (500, no message)
    let bad = json!([{"value": 1, "boundary": "INFERIOR"}]);
    let err = run_with(
        json!({"name": "score", "thresholds": bad}),
        &ctx(),
        "number",
        &doubles(&[(0, 1.0)]),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "null");
}

type Tags = Vec<(String, String)>;
type Write = (String, Tags, i64);

#[derive(Default)]
struct Recorder(Mutex<Vec<(Write, Vec<DataPoint>)>>);

impl PointSink for Recorder {
    fn write(
        &self,
        metric: &str,
        tags: &[(String, String)],
        ttl: i64,
        points: &[DataPoint],
    ) -> Result<(), String> {
        self.0
            .lock()
            .unwrap()
            .push(((metric.into(), tags.to_vec(), ttl), points.to_vec()));
        Ok(())
    }
}

fn save(
    params: serde_json::Value,
    group_bys: Vec<(String, serde_json::Value)>,
    tags: Vec<(String, Vec<String>)>,
) -> (Result<Vec<DataPoint>, String>, Vec<Write>) {
    let rec = Arc::new(Recorder::default());
    let c = plugin_api::QueryContext {
        group_bys,
        sink: Some(rec.clone()),
        ..ctx()
    };
    let a = agg(params, &c).unwrap();
    let info = GroupInfo {
        metric: "group".into(),
        group_type: "number".into(),
        tags,
    };
    let pts = longs(&[(1, 10), (2, 20)]);
    let res = a.open(&info).and_then(|mut s| {
        let mut out = Vec::new();
        s.push(&pts, &mut out)?;
        s.finish(&mut out)?;
        Ok(out)
    });
    let writes = rec
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|(w, _)| w.clone())
        .collect();
    (res.map_err(|e| e.to_string()), writes)
}

fn kv(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn save_as_vectors() {
    let host = vec![(
        "host".to_string(),
        vec!["tag_should_not_be_there".to_string()],
    )];
    let (out, writes) = save(
        json!({"name": "save_as", "metric_name": "testTtl", "ttl": 42}),
        vec![],
        vec![],
    );
    assert_eq!(out.unwrap(), longs(&[(1, 10), (2, 20)]));
    assert_eq!(
        writes,
        vec![("testTtl".to_string(), kv(&[("saved_from", "group")]), 42)]
    );
    let (_, writes) = save(
        json!({"name": "save_as", "metric_name": "testTtl", "tags": {"sweet_tag": "value"}, "add_saved_from": false}),
        vec![],
        host.clone(),
    );
    assert_eq!(writes[0].1, kv(&[("sweet_tag", "value")]));
    let (_, writes) = save(
        json!({"name": "save_as", "metric_name": "testTtl", "tags": {"sweet_tag": "value"}}),
        vec![],
        host,
    );
    assert_eq!(
        writes[0].1,
        kv(&[("saved_from", "group"), ("sweet_tag", "value")])
    );
    let tags = vec![
        ("host".to_string(), vec!["bob".to_string()]),
        (
            "some_tag".to_string(),
            vec!["tag_should_not_be_there".to_string()],
        ),
        (
            "host2".to_string(),
            vec!["host2_tag".to_string(), "two".to_string()],
        ),
    ];
    let gb = vec![(
        "tag".to_string(),
        json!({"name": "tag", "tags": ["host", "host2"]}),
    )];
    let (_, writes) = save(
        json!({"name": "save_as", "metric_name": "testTtl", "ttl": 42}),
        gb,
        tags,
    );
    assert_eq!(writes[0].1, kv(&[("host", "bob"), ("saved_from", "group")]));
    // a repeated key fails when the group is opened
    let (out, _) = save(
        json!({"name": "save_as", "metric_name": "x", "tags": {"saved_from": "me"}}),
        vec![],
        vec![],
    );
    assert_eq!(
        out.unwrap_err(),
        "Multiple entries with same key: saved_from=me and saved_from=group"
    );
    // no metric name: DataPointEvent refuses it once a point flows
    let (out, _) = save(json!({"name": "save_as"}), vec![], vec![]);
    assert_eq!(out.unwrap_err(), "null");
}
