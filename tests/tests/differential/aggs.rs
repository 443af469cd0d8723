//! The aggregator corpus: every aggregator with each of its parameters, every sampling unit
//! with and without each alignment in several time zones, and chains of two and three.

use serde_json::{json, Value};

use crate::compare::Case;
use crate::corpus::{metric, query, range_agg, sampling, span, window, Options};
use crate::data::{utc, Dataset, ALL};

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
    for p in [0.01, 0.25, 0.5, 0.9, 0.999, 1.0] {
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
    // The autumn changes (a local hour happens twice), with other aggregators.
    for w in ["dst-eu-fall", "dst-us-fall"] {
        let range = span(window(w));
        for (agg, value, unit) in [
            ("count", 1, "hours"),
            ("avg", 90, "minutes"),
            ("max", 1, "days"),
        ] {
            for zone in ["Europe/Berlin", "America/New_York"] {
                for (label, opts) in &aligns {
                    let a = range_agg(agg, sampling(value, unit), opts);
                    out.push(Case::query(
                        format!("unit/{w}/{agg}-{value}-{unit}/{zone}/{label}"),
                        &query(
                            range,
                            metric(&long, json!({"aggregators": [a]})),
                            json!({"time_zone": zone}),
                        ),
                    ));
                }
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
        // Merged groups have points of several series at one instant, which rate and sampler
        // refuse; one series (host a, dc east) has none.
        for (m, tags) in [
            ("long", json!({})),
            ("double", json!({})),
            ("mixed", json!({})),
            ("long", json!({"host": ["a"], "dc": ["east"]})),
            ("double", json!({"host": ["a"]})),
        ] {
            let one = if tags == json!({}) { "" } else { "/one" };
            let id = format!(
                "{}agg/{label}/{m}{one}",
                if one.is_empty() && (label.starts_with("rate") || label.starts_with("sampler")) {
                    "bad-"
                } else {
                    ""
                }
            );
            out.push(Case::query(
                id,
                &query(
                    leap,
                    metric(
                        &ds.metric(m),
                        json!({"aggregators": [a.clone()], "tags": tags}),
                    ),
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
        // Rate first on a merged group is refused (points of several series at one instant);
        // least_squares over a bucket of one point of the merged long group yields NaN, which
        // Java refuses to write: both are compared as errors.
        let refused = c[0]["name"] == "rate" || i == 8;
        for (m, tags) in [
            ("long", json!({})),
            ("double", json!({})),
            ("long", json!({"host": ["a"], "dc": ["east"]})),
        ] {
            let one = if tags == json!({}) { "" } else { "/one" };
            let bad = if refused && one.is_empty() && (i != 8 || m == "long") {
                "bad-"
            } else {
                ""
            };
            out.push(Case::query(
                format!("{bad}chain/{i}/{m}{one}"),
                &query(
                    leap,
                    metric(&ds.metric(m), json!({"aggregators": c, "tags": tags})),
                    json!({}),
                ),
            ));
        }
    }
    out
}

/// Members every aggregator accepts through its setters but few clients send: a time zone of
/// the aggregator's own, explicit start and end times, save_as with tags, ttl and without the
/// saved_from tag.
pub fn hidden_members(ds: &Dataset) -> Vec<Case> {
    let long = ds.metric("long");
    let march = (utc(2023, 3, 1, 0, 0), utc(2023, 4, 5, 0, 0));
    let leap = span(window("leap2024"));
    let days = sampling(1, "days");
    let cases: Vec<(&str, (i64, i64), Value, Value)> = vec![
        (
            "agg-zone",
            march,
            json!({"name": "sum", "sampling": days, "align_sampling": true, "time_zone": "America/New_York"}),
            json!({}),
        ),
        (
            "agg-zone-vs-query",
            march,
            json!({"name": "sum", "sampling": days, "align_sampling": true, "time_zone": "Asia/Kolkata"}),
            json!({"time_zone": "Europe/Berlin"}),
        ),
        (
            "start-time",
            leap,
            json!({"name": "count", "sampling": sampling(5, "hours"), "align_start_time": true, "start_time": 12_345}),
            json!({}),
        ),
        (
            "end-time",
            leap,
            json!({"name": "count", "sampling": sampling(5, "hours"), "align_end_time": true, "end_time": 1_709_100_000_000i64}),
            json!({}),
        ),
        (
            "rate-zone",
            march,
            json!({"name": "rate", "unit": "days", "time_zone": "Europe/Berlin"}),
            json!({}),
        ),
        (
            "sampler-zone",
            march,
            json!({"name": "sampler", "unit": "days"}),
            json!({"time_zone": "America/New_York"}),
        ),
        (
            "save-as-tags",
            leap,
            json!({"name": "save_as", "metric_name": ds.metric("saved2"), "tags": {"from": "diff"}, "ttl": 3600, "add_saved_from": false}),
            json!({}),
        ),
    ];
    cases
        .into_iter()
        .map(|(label, range, a, extra)| {
            Case::query(
                format!("agg/hidden/{label}"),
                &query(
                    range,
                    metric(
                        &long,
                        json!({"aggregators": [a], "tags": {"host": ["a"], "dc": ["east"]}}),
                    ),
                    extra,
                ),
            )
        })
        .collect()
}
