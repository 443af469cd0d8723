//! The generated query corpus, reads and group-bys: raw reads of every window, tag filters,
//! exclude_tags, limit, order, relative times, and every group-by alone and combined (the
//! aggregator cases are in `aggs.rs`); helpers to build queries.

use serde_json::{json, Map, Value};

use crate::compare::Case;
use crate::data::{utc, windows, Dataset, Window, ALL};
use crate::expected::ALIAS_ECHOED;

/// Extra members of an aggregator object.
pub type Options = Vec<(&'static str, Value)>;

/// The window called `label`.
pub fn window(label: &str) -> Window {
    windows()
        .into_iter()
        .find(|w| w.label == label)
        .unwrap_or_else(|| panic!("no window {label}"))
}

/// A query of one metric object over `[start, end]`, with `extra` members at the top level.
pub fn query(range: (i64, i64), metric: Value, extra: Value) -> Value {
    let mut q = json!({"start_absolute": range.0, "end_absolute": range.1, "metrics": [metric]});
    merge(&mut q, extra);
    q
}

/// `{"name": name}` plus the members of `extra`.
pub fn metric(name: &str, extra: Value) -> Value {
    let mut m = json!({ "name": name });
    merge(&mut m, extra);
    m
}

fn merge(into: &mut Value, extra: Value) {
    if let (Some(o), Value::Object(e)) = (into.as_object_mut(), extra) {
        o.extend(e);
    }
}

/// A `{"value","unit"}` sampling object.
pub fn sampling(value: i64, unit: &str) -> Value {
    json!({"value": value, "unit": unit})
}

/// A range aggregator object.
pub fn range_agg(name: &str, samp: Value, opts: &[(&str, Value)]) -> Value {
    let mut a = Map::new();
    a.insert("name".into(), json!(name));
    a.insert("sampling".into(), samp);
    for (k, v) in opts {
        a.insert((*k).into(), v.clone());
    }
    Value::Object(a)
}

/// A window widened by an hour on both sides.
pub fn span(w: Window) -> (i64, i64) {
    (w.start - 3_600_000, w.end + 3_600_000)
}

/// Raw reads: every metric over every window and the whole span, with filters and options.
pub fn raw(ds: &Dataset) -> Vec<Case> {
    let mut out = Vec::new();
    for m in [
        "long", "double", "mixed", "string", "del", "delall", "clash",
    ] {
        let name = ds.metric(m);
        out.push(Case::query(
            format!("raw/{m}/all"),
            &query(ALL, metric(&name, json!({})), json!({})),
        ));
        for w in windows() {
            out.push(Case::query(
                format!("raw/{m}/{}", w.label),
                &query(span(w), metric(&name, json!({})), json!({})),
            ));
        }
    }
    let long = ds.metric("long");
    let own = ds.own_tag();
    let filters = [
        json!({"host": ["a"]}),
        json!({"host": ["a", "b"]}),
        json!({"host": ["a"], "dc": ["east"]}),
        json!({"host": ["nope"]}),
        json!({"host": []}),
        json!({"rack": ["r1"]}),
        json!({"svc": ["api:v2"], "zone": ["z=1"]}),
        json!({ own.clone(): [format!("{}-a", ds.prefix)] }),
        json!({"dc": "west"}),
    ];
    let leap = span(window("leap2024"));
    for (i, f) in filters.iter().enumerate() {
        out.push(Case::query(
            format!("tags/{i}"),
            &query(leap, metric(&long, json!({"tags": f})), json!({})),
        ));
        out.push(Case::query(
            format!("tags/{i}/exclude"),
            &query(
                leap,
                metric(&long, json!({"tags": f, "exclude_tags": true})),
                json!({}),
            ),
        ));
    }
    for m in ["long", "double", "string"] {
        let name = ds.metric(m);
        for limit in [0, 1, 5, 100000] {
            for order in [None, Some("asc"), Some("desc")] {
                let mut extra = json!({"limit": limit});
                if m == "string" {
                    // Two string series share instants, and Java orders such ties at random
                    // (see compare::same): a limit must not cut through one.
                    extra["tags"] = json!({"host": ["a"]});
                }
                if let Some(o) = order {
                    extra["order"] = json!(o);
                }
                out.push(Case::query(
                    format!("limit/{m}/{limit}/{order:?}"),
                    &query(leap, metric(&name, extra), json!({})),
                ));
            }
        }
        out.push(Case::query(
            format!("order/{m}/desc"),
            &query(ALL, metric(&name, json!({"order": "desc"})), json!({})),
        ));
        out.push(Case::query(
            format!("order/{m}/desc-exclude"),
            &query(
                leap,
                metric(&name, json!({"order": "desc", "exclude_tags": true})),
                json!({}),
            ),
        ));
    }
    // Relative times: all the data is years old, so "now" moving between the two requests
    // changes nothing.
    for (s, e) in [
        (json!({"value": 100, "unit": "years"}), None),
        (
            json!({"value": 70, "unit": "years"}),
            Some(json!({"value": 2, "unit": "years"})),
        ),
        (
            json!({"value": 5000, "unit": "weeks"}),
            Some(json!({"value": 26, "unit": "months"})),
        ),
        (json!({"value": 2, "unit": "minutes"}), None),
    ] {
        let mut q = json!({"start_relative": s, "metrics": [metric(&long, json!({"tags": {"host": ["a"]}}))]});
        if let Some(e) = e {
            q["end_relative"] = e;
        }
        out.push(Case::query(format!("relative/{s}"), &q));
    }
    out.push(Case::query(
        "relative/start-absolute-end-relative",
        &json!({"start_absolute": 0, "end_relative": {"value": 1, "unit": "years"}, "metrics": [metric(&long, json!({"tags": {"host": ["b"]}}))]}),
    ));
    out.push(Case::query(
        "relative/count-all",
        &json!({"start_relative": {"value": 80, "unit": "years"}, "metrics": [metric(&long, json!({"aggregators": [{"name": "count", "sampling": {"value": 100, "unit": "years"}, "align_sampling": true}]}))]}),
    ));
    out.push(Case::query(
        "multi/metrics",
        &json!({"start_absolute": leap.0, "end_absolute": leap.1, "metrics": [metric(&long, json!({})), metric(&ds.metric("double"), json!({"tags": {"host": ["a"]}})), metric(&ds.metric("missing"), json!({}))]}),
    ));
    let clash = ds.metric("clash");
    for a in [
        json!({"name": "count", "sampling": sampling(1, "hours")}),
        json!({"name": "sum", "sampling": sampling(1, "hours")}),
        json!({"name": "first", "sampling": sampling(1, "days")}),
        json!({"name": "last", "sampling": sampling(1, "days")}),
        json!({"name": "diff"}),
    ] {
        out.push(Case::query(
            format!("clash/{}", a["name"]),
            &query(leap, metric(&clash, json!({"aggregators": [a]})), json!({})),
        ));
    }
    out.push(Case::query(
        "missing/metric",
        &query(ALL, metric(&ds.metric("missing"), json!({})), json!({})),
    ));
    out.push(
        Case::query(
            "alias",
            &query(leap, metric(&long, json!({"alias": "other"})), json!({})),
        )
        .expect(&ALIAS_ECHOED),
    );
    out.push(Case::query(
        "cache_time",
        &query(leap, metric(&long, json!({})), json!({"cache_time": 0})),
    ));
    out.push(Case::query(
        "time_zone/raw",
        &query(
            leap,
            metric(&long, json!({})),
            json!({"time_zone": "Asia/Kolkata"}),
        ),
    ));
    out
}

/// Every group-by alone and combined, with and without aggregators.
pub fn group_bys(ds: &Dataset) -> Vec<Case> {
    let tag = |t: &[&str]| json!({"name": "tag", "tags": t});
    let time =
        json!({"name": "time", "range_size": {"value": 1, "unit": "days"}, "group_count": 7});
    let time_h =
        json!({"name": "time", "range_size": {"value": 6, "unit": "hours"}, "group_count": 4});
    let value = json!({"name": "value", "range_size": 250});
    let bin = json!({"name": "bin", "bins": [-500, 0, 100, 1000]});
    let groups: Vec<(&str, Vec<Value>)> = vec![
        ("tag-host", vec![tag(&["host"])]),
        ("tag-dc", vec![tag(&["dc"])]),
        ("tag-host-dc", vec![tag(&["dc", "host"])]),
        ("tag-missing", vec![tag(&["nope"])]),
        ("tag-rack", vec![tag(&["rack"])]),
        ("time", vec![time.clone()]),
        ("time-6h", vec![time_h.clone()]),
        ("value", vec![value.clone()]),
        ("bin", vec![bin.clone()]),
        ("tag+time", vec![tag(&["host"]), time.clone()]),
        ("tag+value", vec![tag(&["dc"]), value.clone()]),
        ("time+value", vec![time_h.clone(), value.clone()]),
        ("tag+bin", vec![tag(&["host"]), bin.clone()]),
        (
            "all",
            vec![tag(&["dc"]), time.clone(), value.clone(), bin.clone()],
        ),
    ];
    let leap = span(window("leap2024"));
    let mut out = Vec::new();
    for (label, g) in groups {
        for m in ["long", "double", "mixed", "string"] {
            out.push(Case::query(
                format!("group/{label}/{m}"),
                &query(
                    leap,
                    metric(&ds.metric(m), json!({"group_by": g})),
                    json!({}),
                ),
            ));
        }
        out.push(Case::query(
            format!("group/{label}/sum-1d"),
            &query(
                leap,
                metric(&ds.metric("long"), json!({"group_by": g, "aggregators": [{"name": "sum", "sampling": sampling(1, "days")}]})),
                json!({}),
            ),
        ));
        out.push(Case::query(
            format!("group/{label}/limit-desc"),
            &query(
                leap,
                metric(
                    &ds.metric("long"),
                    json!({"group_by": g, "limit": 7, "order": "desc"}),
                ),
                json!({}),
            ),
        ));
    }
    // Time group-bys in zones with DST: day and month ranges cross the changes.
    let long = ds.metric("long");
    let march = (utc(2023, 3, 1, 0, 0), utc(2023, 4, 5, 0, 0));
    for zone in [
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Australia/Lord_Howe",
    ] {
        for (label, range, unit, count) in
            [("days", march, "days", 7), ("months", ALL, "months", 12)]
        {
            let g = json!([{"name": "time", "range_size": {"value": 1, "unit": unit}, "group_count": count}]);
            let a =
                json!([{"name": "count", "sampling": sampling(1, "days"), "align_sampling": true}]);
            out.push(Case::query(
                format!("group/time-{label}/{zone}"),
                &query(
                    range,
                    metric(&long, json!({"group_by": g, "aggregators": a})),
                    json!({"time_zone": zone}),
                ),
            ));
        }
    }
    out
}
