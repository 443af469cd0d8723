//! The generated query corpus: every aggregator with its parameters, every sampling unit with
//! and without each alignment in several time zones, chains, group-bys, tag filters,
//! exclude_tags, limit, order and relative times.

use serde_json::{json, Map, Value};

use crate::compare::Case;
use crate::data::{utc, windows, Dataset, Window, ALL};
use crate::expected::ALIAS_ECHOED;

/// Time units of sampling, as KairosDB spells them.
pub const UNITS: [&str; 8] = [
    "milliseconds",
    "seconds",
    "minutes",
    "hours",
    "days",
    "weeks",
    "months",
    "years",
];

/// Time zones with DST (north and south), a half-hour offset, a 30-minute DST shift.
pub const ZONES: [&str; 5] = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
];

/// The range aggregators (sampling, alignment) of KairosDB 1.3.
pub const RANGE_AGGS: [&str; 11] = [
    "avg",
    "count",
    "dev",
    "first",
    "gaps",
    "last",
    "least_squares",
    "max",
    "min",
    "sum",
    "percentile",
];

/// Extra members of an aggregator object.
type Options = Vec<(&'static str, Value)>;

fn window(label: &str) -> Window {
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

fn sampling(value: i64, unit: &str) -> Value {
    json!({"value": value, "unit": unit})
}

fn range_agg(name: &str, samp: Value, opts: &[(&str, Value)]) -> Value {
    let mut a = Map::new();
    a.insert("name".into(), json!(name));
    a.insert("sampling".into(), samp);
    for (k, v) in opts {
        a.insert((*k).into(), v.clone());
    }
    Value::Object(a)
}

fn span(w: Window) -> (i64, i64) {
    (w.start - 3_600_000, w.end + 3_600_000)
}

/// Raw reads: every metric over every window and the whole span, with filters and options.
pub fn raw(ds: &Dataset) -> Vec<Case> {
    let mut out = Vec::new();
    for m in ["long", "double", "mixed", "string", "del", "delall"] {
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

/// Every range aggregator with each option, on long, double and mixed series.
pub fn range_aggregators(ds: &Dataset) -> Vec<Case> {
    let mut out = Vec::new();
    let leap = span(window("leap2024"));
    let configs: Vec<(&str, Value, Options)> = vec![
        ("1h", sampling(1, "hours"), vec![]),
        (
            "90m-align",
            sampling(90, "minutes"),
            vec![("align_sampling", json!(true))],
        ),
        (
            "1d-start",
            sampling(1, "days"),
            vec![("align_start_time", json!(true))],
        ),
        (
            "1d-end",
            sampling(1, "days"),
            vec![("align_end_time", json!(true))],
        ),
        (
            "2d-noalign",
            sampling(2, "days"),
            vec![
                ("align_sampling", json!(false)),
                ("align_start_time", json!(false)),
            ],
        ),
        ("5h-trim", sampling(5, "hours"), vec![("trim", json!(true))]),
    ];
    for agg in RANGE_AGGS {
        for m in ["long", "double", "mixed"] {
            let name = ds.metric(m);
            for (label, samp, opts) in &configs {
                let mut opts = opts.clone();
                if agg == "percentile" {
                    opts.push(("percentile", json!(0.75)));
                }
                let a = range_agg(agg, samp.clone(), &opts);
                out.push(Case::query(
                    format!("agg/{agg}/{m}/{label}"),
                    &query(leap, metric(&name, json!({"aggregators": [a]})), json!({})),
                ));
            }
        }
    }
    let double = ds.metric("double");
    for p in [0.0, 0.01, 0.25, 0.5, 0.9, 0.999, 1.0] {
        let a = range_agg(
            "percentile",
            sampling(6, "hours"),
            &[("percentile", json!(p))],
        );
        out.push(Case::query(
            format!("agg/percentile/{p}"),
            &query(
                leap,
                metric(&double, json!({"aggregators": [a]})),
                json!({}),
            ),
        ));
    }
    // Over the whole span (1960..2024): sparse buckets, negative times.
    for agg in [
        "avg",
        "count",
        "sum",
        "min",
        "max",
        "first",
        "last",
        "dev",
        "least_squares",
    ] {
        let a = range_agg(
            agg,
            sampling(1, "years"),
            &[("align_sampling", json!(true))],
        );
        out.push(Case::query(
            format!("agg/{agg}/all-years"),
            &query(ALL, metric(&double, json!({"aggregators": [a]})), json!({})),
        ));
    }
    let epoch = span(window("epoch"));
    for agg in ["sum", "count", "avg", "gaps"] {
        for align in [false, true] {
            let a = range_agg(
                agg,
                sampling(5, "hours"),
                &[("align_sampling", json!(align))],
            );
            out.push(Case::query(
                format!("agg/{agg}/epoch/{align}"),
                &query(
                    epoch,
                    metric(&ds.metric("long"), json!({"aggregators": [a]})),
                    json!({}),
                ),
            ));
        }
    }
    out
}

/// Every sampling unit, with each alignment option, in several time zones.
pub fn sampling_units(ds: &Dataset) -> Vec<Case> {
    let mut out = Vec::new();
    let long = ds.metric("long");
    let aligns: [(&str, Vec<(&str, Value)>); 5] = [
        ("none", vec![]),
        ("sampling", vec![("align_sampling", json!(true))]),
        ("start", vec![("align_start_time", json!(true))]),
        ("end", vec![("align_end_time", json!(true))]),
        (
            "sampling+start",
            vec![
                ("align_sampling", json!(true)),
                ("align_start_time", json!(true)),
            ],
        ),
    ];
    let spring = span(window("dst-eu-spring"));
    let march = (utc(2023, 3, 1, 0, 0), utc(2023, 4, 5, 0, 0) + 12_345);
    for unit in UNITS {
        let (value, range) = match unit {
            "milliseconds" => (3_600_000, spring),
            "seconds" => (5_400, spring),
            "minutes" => (45, spring),
            "hours" => (5, spring),
            "days" => (1, march),
            "weeks" => (1, march),
            "months" => (1, ALL),
            _ => (1, ALL),
        };
        for zone in ZONES {
            for (label, opts) in &aligns {
                let a = range_agg("sum", sampling(value, unit), opts);
                out.push(Case::query(
                    format!("unit/{unit}/{zone}/{label}"),
                    &query(
                        range,
                        metric(&long, json!({"aggregators": [a]})),
                        json!({"time_zone": zone}),
                    ),
                ));
            }
        }
    }
    out
}

/// The aggregators without sampling, each with its parameters.
pub fn other_aggregators(ds: &Dataset) -> Vec<Case> {
    let mut aggs: Vec<(String, Value)> = vec![("diff".into(), json!({"name": "diff"}))];
    for d in [2.0, 0.5, -3.0, 0.001] {
        aggs.push((format!("div/{d}"), json!({"name": "div", "divisor": d})));
    }
    for f in [2.0, -0.5, 0.1, 0.0] {
        aggs.push((format!("scale/{f}"), json!({"name": "scale", "factor": f})));
    }
    for op in ["lte", "lt", "gte", "gt", "equal", "ne"] {
        for t in [0.0, 10.5, -100.0] {
            aggs.push((
                format!("filter/{op}/{t}"),
                json!({"name": "filter", "filter_op": op, "threshold": t}),
            ));
        }
    }
    for unit in UNITS {
        aggs.push((
            format!("rate/{unit}"),
            json!({"name": "rate", "unit": unit}),
        ));
        aggs.push((
            format!("rate-sampling/{unit}"),
            json!({"name": "rate", "sampling": {"value": 1, "unit": unit}}),
        ));
        aggs.push((
            format!("sampler/{unit}"),
            json!({"name": "sampler", "unit": unit}),
        ));
    }
    for size in [1, 2, 5] {
        aggs.push((format!("sma/{size}"), json!({"name": "sma", "size": size})));
    }
    for t in ["first", "last", "both"] {
        aggs.push((format!("trim/{t}"), json!({"name": "trim", "trim": t})));
    }
    for order in ["ascending", "descending"] {
        aggs.push((
            format!("score/{order}"),
            json!({"name": "score", "order": order, "thresholds": [{"value": 0}, {"value": 100, "boundary": "inferior"}, {"value": -50.5}]}),
        ));
    }
    aggs.push((
        "save_as".into(),
        json!({"name": "save_as", "metric_name": ds.metric("saved")}),
    ));
    let leap = span(window("leap2024"));
    let mut out = Vec::new();
    for (label, a) in aggs {
        for m in ["long", "double", "mixed"] {
            out.push(Case::query(
                format!("agg/{label}/{m}"),
                &query(
                    leap,
                    metric(&ds.metric(m), json!({"aggregators": [a.clone()]})),
                    json!({}),
                ),
            ));
        }
    }
    // Strings through aggregators that accept them, and one that does not.
    for a in [
        json!({"name": "count", "sampling": sampling(1, "days")}),
        json!({"name": "first", "sampling": sampling(1, "days")}),
        json!({"name": "sum", "sampling": sampling(1, "days")}),
        json!({"name": "trim", "trim": "both"}),
    ] {
        out.push(Case::query(
            format!("agg/string/{}", a["name"]),
            &query(
                leap,
                metric(&ds.metric("string"), json!({"aggregators": [a]})),
                json!({}),
            ),
        ));
    }
    out
}

/// Chains of two and three aggregators.
pub fn chains(ds: &Dataset) -> Vec<Case> {
    let s = |n: &str, v: i64, u: &str| json!({"name": n, "sampling": sampling(v, u)});
    let chains: Vec<Vec<Value>> = vec![
        vec![s("sum", 1, "hours"), s("avg", 1, "days")],
        vec![s("max", 3, "hours"), s("min", 1, "days")],
        vec![
            json!({"name": "diff"}),
            json!({"name": "scale", "factor": 0.5}),
        ],
        vec![
            json!({"name": "rate", "unit": "minutes"}),
            json!({"name": "filter", "filter_op": "lt", "threshold": 0}),
        ],
        vec![s("count", 2, "hours"), json!({"name": "sma", "size": 3})],
        vec![json!({"name": "div", "divisor": 3}), s("dev", 1, "days")],
        vec![
            s("avg", 1, "hours"),
            json!({"name": "diff"}),
            json!({"name": "trim", "trim": "both"}),
        ],
        vec![
            s("sum", 1, "hours"),
            s("sum", 6, "hours"),
            s("percentile", 1, "days"),
        ],
        vec![
            json!({"name": "filter", "filter_op": "gt", "threshold": 0}),
            s("least_squares", 6, "hours"),
            json!({"name": "scale", "factor": 10}),
        ],
        vec![s("gaps", 30, "minutes"), s("count", 1, "days")],
        vec![
            s("first", 1, "hours"),
            json!({"name": "sampler", "unit": "hours"}),
            s("last", 1, "days"),
        ],
        vec![
            json!({"name": "score", "thresholds": [{"value": 0}]}),
            s("sum", 1, "days"),
        ],
    ];
    let leap = span(window("leap2024"));
    let mut out = Vec::new();
    for (i, mut c) in chains.into_iter().enumerate() {
        for a in c.iter_mut() {
            if a["name"] == "percentile" {
                a["percentile"] = json!(0.5);
            }
        }
        for m in ["long", "double"] {
            out.push(Case::query(
                format!("chain/{i}/{m}"),
                &query(
                    leap,
                    metric(&ds.metric(m), json!({"aggregators": c})),
                    json!({}),
                ),
            ));
        }
    }
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
    out
}
