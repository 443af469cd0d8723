//! Invalid requests of every kind: both servers must refuse them with the same status and the
//! same error texts.

use serde_json::{json, Value};

use crate::compare::Case;
use crate::data::Dataset;
use crate::expected::{Expected, EMPTY_STRING_TYPED, JDK8_MESSAGES, NEGATIVE_LIMIT, TZ_DATA};

const Q: &str = "/api/v1/datapoints/query";

/// Invalid queries: malformed JSON, bad times, bad metrics, bad aggregators and group-bys.
pub fn queries(ds: &Dataset) -> Vec<Case> {
    let name = ds.metric("long");
    let mut out: Vec<Case> = Vec::new();
    for (i, text) in [
        "",
        "{",
        "[]",
        "null",
        "5",
        "\"q\"",
        "{\"start_absolute\":1,}",
        "{\"start_absolute\":1 \"metrics\":[]}",
    ]
    .iter()
    .enumerate()
    {
        out.push(Case::raw(
            format!("bad-query/json/{i}"),
            "POST",
            Q,
            text.to_string(),
        ));
    }
    let m = json!([{ "name": name }]);
    let bodies: Vec<(&str, Value)> = vec![
        ("no-start", json!({"metrics": m})),
        ("no-metrics", json!({"start_absolute": 0})),
        ("empty-metrics", json!({"start_absolute": 0, "metrics": []})),
        (
            "metrics-not-array",
            json!({"start_absolute": 0, "metrics": {"name": name}}),
        ),
        (
            "metric-not-object",
            json!({"start_absolute": 0, "metrics": [5]}),
        ),
        (
            "start-string",
            json!({"start_absolute": "abc", "metrics": m}),
        ),
        (
            "start-negative-relative",
            json!({"start_relative": {"value": -1, "unit": "days"}, "metrics": m}),
        ),
        (
            "start-relative-zero",
            json!({"start_relative": {"value": 0, "unit": "days"}, "metrics": m}),
        ),
        (
            "relative-bad-unit",
            json!({"start_relative": {"value": 1, "unit": "fortnights"}, "metrics": m}),
        ),
        (
            "relative-no-unit",
            json!({"start_relative": {"value": 1}, "metrics": m}),
        ),
        (
            "end-before-start",
            json!({"start_absolute": 1000, "end_absolute": 999, "metrics": m}),
        ),
        (
            "both-starts",
            json!({"start_absolute": 0, "start_relative": {"value": 1, "unit": "days"}, "metrics": m}),
        ),
        (
            "bad-zone",
            json!({"start_absolute": 0, "time_zone": "Mars/Olympus", "metrics": m}),
        ),
        (
            "cache-negative",
            json!({"start_absolute": 0, "cache_time": -1, "metrics": m}),
        ),
        (
            "name-empty",
            json!({"start_absolute": 0, "metrics": [{"name": ""}]}),
        ),
        (
            "name-missing",
            json!({"start_absolute": 0, "metrics": [{"tags": {}}]}),
        ),
        (
            "name-null",
            json!({"start_absolute": 0, "metrics": [{"name": null}]}),
        ),
        (
            "limit-negative",
            json!({"start_absolute": 0, "metrics": [{"name": name, "limit": -1}]}),
        ),
        (
            "limit-string",
            json!({"start_absolute": 0, "metrics": [{"name": name, "limit": "abc"}]}),
        ),
        (
            "order-bad",
            json!({"start_absolute": 0, "metrics": [{"name": name, "order": "sideways"}]}),
        ),
        (
            "tags-array",
            json!({"start_absolute": 0, "metrics": [{"name": name, "tags": ["host"]}]}),
        ),
        (
            "exclude-string",
            json!({"start_absolute": 0, "metrics": [{"name": name, "exclude_tags": "yes"}]}),
        ),
    ];
    for (label, b) in bodies {
        let c = Case::query(format!("bad-query/{label}"), &b);
        out.push(match known(label) {
            Some(e) => c.expect(e),
            None => c,
        });
    }
    let samp = |v: Value, u: &str| json!({"value": v, "unit": u});
    let aggs: Vec<(&str, Value)> = vec![
        ("unknown", json!({"name": "nope"})),
        ("no-name", json!({"sampling": samp(json!(1), "hours")})),
        (
            "sampling-zero",
            json!({"name": "sum", "sampling": samp(json!(0), "hours")}),
        ),
        (
            "sampling-negative",
            json!({"name": "sum", "sampling": samp(json!(-5), "hours")}),
        ),
        (
            "sampling-bad-unit",
            json!({"name": "sum", "sampling": samp(json!(1), "fortnights")}),
        ),
        (
            "sampling-string-value",
            json!({"name": "avg", "sampling": samp(json!("x"), "hours")}),
        ),
        (
            "percentile-zero",
            json!({"name": "percentile", "percentile": 0.0, "sampling": samp(json!(1), "hours")}),
        ),
        (
            "percentile-missing",
            json!({"name": "percentile", "sampling": samp(json!(1), "hours")}),
        ),
        (
            "percentile-1.5",
            json!({"name": "percentile", "percentile": 1.5, "sampling": samp(json!(1), "hours")}),
        ),
        (
            "percentile-negative",
            json!({"name": "percentile", "percentile": -0.1, "sampling": samp(json!(1), "hours")}),
        ),
        ("div-zero", json!({"name": "div", "divisor": 0})),
        ("div-missing", json!({"name": "div"})),
        (
            "filter-bad-op",
            json!({"name": "filter", "filter_op": "between", "threshold": 1}),
        ),
        (
            "filter-no-threshold",
            json!({"name": "filter", "filter_op": "lt"}),
        ),
        ("sma-zero", json!({"name": "sma", "size": 0})),
        ("trim-bad", json!({"name": "trim", "trim": "middle"})),
        (
            "rate-bad-unit",
            json!({"name": "rate", "unit": "fortnights"}),
        ),
        (
            "sampler-bad-unit",
            json!({"name": "sampler", "unit": "eons"}),
        ),
        ("save-as-missing", json!({"name": "save_as"})),
        ("score-no-thresholds", json!({"name": "score"})),
        ("scale-string", json!({"name": "scale", "factor": "big"})),
        ("drop", json!({"name": "drop"})),
    ];
    for (label, a) in aggs {
        out.push(Case::query(
            format!("bad-agg/{label}"),
            &json!({"start_absolute": 0, "metrics": [{"name": name, "aggregators": [a]}]}),
        ));
    }
    let groups: Vec<(&str, Value)> = vec![
        ("unknown", json!({"name": "nope"})),
        ("tag-no-tags", json!({"name": "tag"})),
        ("tag-empty", json!({"name": "tag", "tags": []})),
        ("time-no-range", json!({"name": "time", "group_count": 2})),
        (
            "time-count-zero",
            json!({"name": "time", "range_size": {"value": 1, "unit": "days"}, "group_count": 0}),
        ),
        ("value-zero", json!({"name": "value", "range_size": 0})),
        ("bin-none", json!({"name": "bin"})),
        ("bin-empty", json!({"name": "bin", "bins": []})),
    ];
    for (label, g) in groups {
        let c = Case::query(
            format!("bad-group/{label}"),
            &json!({"start_absolute": 0, "metrics": [{"name": name, "group_by": [g]}]}),
        );
        out.push(match label {
            "bin-empty" => c.expect(&JDK8_MESSAGES),
            _ => c,
        });
    }
    for (label, path, body) in [
        (
            "delete/no-metrics",
            "/api/v1/datapoints/delete",
            json!({"start_absolute": 0}),
        ),
        (
            "delete/no-start",
            "/api/v1/datapoints/delete",
            json!({"metrics": [{"name": name}]}),
        ),
        (
            "tags/no-metrics",
            "/api/v1/datapoints/query/tags",
            json!({"start_absolute": 0}),
        ),
        (
            "tags/bad-zone",
            "/api/v1/datapoints/query/tags",
            json!({"start_absolute": 0, "time_zone": "x", "metrics": [{"name": name}]}),
        ),
    ] {
        let c = Case::post(format!("bad-other/{label}"), path, &body);
        out.push(if label.ends_with("bad-zone") {
            c.expect(&TZ_DATA)
        } else {
            c
        });
    }
    out.push(Case::raw(
        "bad-other/delete-json",
        "POST",
        "/api/v1/datapoints/delete",
        "{".into(),
    ));
    out.push(Case::get(
        "bad-other/get-query-no-param",
        "/api/v1/datapoints/query",
    ));
    out
}

/// The deliberate differences among the invalid queries.
fn known(label: &str) -> Option<&'static Expected> {
    match label {
        "bad-zone" => Some(&TZ_DATA),
        "metrics-not-array" => Some(&JDK8_MESSAGES),
        "limit-negative" => Some(&NEGATIVE_LIMIT),
        _ => None,
    }
}

/// Invalid ingest bodies, all for metric `<prefix>.bad`; afterwards the test compares what
/// each side stored of the partly valid ones.
pub fn ingest(ds: &Dataset) -> Vec<Case> {
    let n = ds.metric("bad");
    let t = json!({"host": "a"});
    let bodies: Vec<(&str, Value)> = vec![
        ("missing-name", json!([{"tags": t, "datapoints": [[1, 1]]}])),
        (
            "empty-name",
            json!([{"name": "", "tags": t, "datapoints": [[1, 1]]}]),
        ),
        ("no-tags", json!([{"name": n, "datapoints": [[1, 1]]}])),
        (
            "empty-tags",
            json!([{"name": n, "tags": {}, "datapoints": [[1, 1]]}]),
        ),
        (
            "tag-empty-name",
            json!([{"name": n, "tags": {"": "x"}, "datapoints": [[1, 1]]}]),
        ),
        (
            "tag-empty-value",
            json!([{"name": n, "tags": {"host": ""}, "datapoints": [[1, 1]]}]),
        ),
        (
            "value-missing",
            json!([{"name": n, "tags": t, "timestamp": 5}]),
        ),
        (
            "timestamp-missing",
            json!([{"name": n, "tags": t, "value": 5}]),
        ),
        (
            "value-object",
            json!([{"name": n, "tags": t, "timestamp": 5, "value": {"a": 1}}]),
        ),
        (
            "value-empty-string",
            json!([{"name": n, "tags": t, "timestamp": 5, "value": ""}]),
        ),
        (
            "dp-empty",
            json!([{"name": n, "tags": t, "datapoints": [[]]}]),
        ),
        (
            "dp-no-value",
            json!([{"name": n, "tags": t, "datapoints": [[10]]}]),
        ),
        (
            "dp-null-value",
            json!([{"name": n, "tags": t, "datapoints": [[11, null]]}]),
        ),
        (
            "dp-index-quirk",
            json!([{"name": n, "tags": t, "datapoints": [[21, 1], [22], [23, 3], [24]]}]),
        ),
        (
            "timestamp-string",
            json!([{"name": n, "tags": t, "timestamp": "abc", "value": 1}]),
        ),
        (
            "unknown-type",
            json!([{"name": n, "tags": t, "type": "foo", "datapoints": [[30, 1]]}]),
        ),
        (
            "two-errors",
            json!([{"name": n, "tags": {"host": ""}, "timestamp": 40, "value": ""}]),
        ),
        (
            "second-metric-bad",
            json!([{"name": n, "tags": t, "datapoints": [[50, 5]]}, {"name": "", "tags": t, "datapoints": [[51, 1]]}]),
        ),
    ];
    let mut out: Vec<Case> = bodies
        .into_iter()
        .map(|(label, b)| Case::post(format!("bad-ingest/{label}"), "/api/v1/datapoints", &b))
        .collect();
    out.push(
        Case::post(
            "bad-ingest/empty-string-typed",
            "/api/v1/datapoints",
            &json!([{"name": ds.metric("badtyped"), "tags": t, "type": "string", "datapoints": [[60, ""]]}]),
        )
        .expect(&EMPTY_STRING_TYPED),
    );
    for (i, text) in ["", "{", "5", "[", "[{\"name\":\"x\",}]"]
        .iter()
        .enumerate()
    {
        out.push(Case::raw(
            format!("bad-ingest/json/{i}"),
            "POST",
            "/api/v1/datapoints",
            text.to_string(),
        ));
    }
    out
}
