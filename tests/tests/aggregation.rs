//! Aggregators and group-bys through the real server: what the query engine adds around the
//! aggregator crate (type routing, chaining, group_by JSON, save_as writing back).

use kairosdb_tests::Server;
use serde_json::{json, Value};

fn post_points(s: &Server, body: Value) {
    let r = s.post_json("/api/v1/datapoints", &body);
    assert_eq!(r.status, 204, "{r:?}");
}

fn query(s: &Server, body: Value) -> Value {
    let r = s.post_json("/api/v1/datapoints/query", &body);
    assert_eq!(r.status, 200, "{r:?}");
    r.json()
}

#[test]
fn save_as_writes_the_aggregated_points_to_a_new_metric() {
    let s = Server::start();
    post_points(
        &s,
        json!([
            {"name": "agg.src", "tags": {"host": "a"}, "datapoints": [[1000, 1], [1500, 2], [2000, 3]]},
            {"name": "agg.src", "tags": {"host": "b"}, "datapoints": [[1000, 10]]}
        ]),
    );
    let v = query(
        &s,
        json!({"start_absolute": 0, "end_absolute": 10_000, "metrics": [{
            "name": "agg.src",
            "group_by": [{"name": "tag", "tags": ["host"]}],
            "aggregators": [
                {"name": "sum", "sampling": {"value": 1, "unit": "seconds"}, "align_sampling": true},
                {"name": "save_as", "metric_name": "agg.saved", "tags": {"kind": "rollup"}}
            ]
        }]}),
    );
    // save_as passes points through unchanged.
    let results = v["queries"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 2, "{v}");
    assert_eq!(results[0]["values"], json!([[1000, 3], [2000, 3]]), "{v}");
    assert_eq!(results[1]["values"], json!([[1000, 10]]), "{v}");
    // ... and stored them, durably, under the new name with saved_from and the group's tag.
    let v = query(
        &s,
        json!({"start_absolute": 0, "metrics": [{"name": "agg.saved", "group_by": [{"name": "tag", "tags": ["host"]}]}]}),
    );
    let results = v["queries"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 2, "{v}");
    assert_eq!(
        results[0]["tags"],
        json!({"host": ["a"], "kind": ["rollup"], "saved_from": ["agg.src"]}),
        "{v}"
    );
    assert_eq!(results[0]["values"], json!([[1000, 3], [2000, 3]]), "{v}");
    assert_eq!(results[1]["values"], json!([[1000, 10]]), "{v}");
}

#[test]
fn aggregators_skip_groups_of_other_types_and_chain_in_order() {
    let s = Server::start();
    post_points(
        &s,
        json!([
            {"name": "agg.mixed", "tags": {"host": "a"}, "datapoints": [[1, 2], [2, 4], [3, "up", "string"]]},
        ]),
    );
    let v = query(
        &s,
        json!({"start_absolute": 0, "end_absolute": 10, "metrics": [{
            "name": "agg.mixed",
            "aggregators": [{"name": "scale", "factor": 2.5}, {"name": "sum", "sampling": {"value": 1, "unit": "hours"}}]
        }]}),
    );
    let results = v["queries"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 2, "{v}");
    // number group: scaled then summed; the sum of doubles prints without a trailing .0.
    assert_eq!(
        results[0]["group_by"],
        json!([{"name": "type", "type": "number"}]),
        "{v}"
    );
    assert_eq!(results[0]["values"], json!([[1, 15]]), "{v}");
    // text group: numeric aggregators do not take strings, so the raw point comes back.
    assert_eq!(
        results[1]["group_by"],
        json!([{"name": "type", "type": "text"}]),
        "{v}"
    );
    assert_eq!(results[1]["values"], json!([[3, "up"]]), "{v}");
}

#[test]
fn value_group_by_and_count_over_http() {
    let s = Server::start();
    let points: Vec<Value> = (1..=10).map(|i| json!([i, i])).collect();
    post_points(
        &s,
        json!([{"name": "agg.vg", "tags": {"host": "a"}, "datapoints": points}]),
    );
    let v = query(
        &s,
        json!({"start_absolute": 0, "end_absolute": 100, "metrics": [{
            "name": "agg.vg",
            "group_by": [{"name": "value", "range_size": 5}],
            "aggregators": [{"name": "count", "sampling": {"value": 1, "unit": "days"}, "align_sampling": false}]
        }]}),
    );
    let results = v["queries"][0]["results"].as_array().expect("results");
    let summary: Vec<(Value, Value)> = results
        .iter()
        .map(|r| {
            (
                r["group_by"][0]["group"]["group_number"].clone(),
                r["values"][0][1].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (json!(0), json!(4)),
            (json!(1), json!(5)),
            (json!(2), json!(1))
        ],
        "{v}"
    );
    assert_eq!(
        results[0]["group_by"][0],
        json!({"name": "value", "range_size": 5, "group": {"group_number": 0}}),
        "{v}"
    );
    assert_eq!(v["queries"][0]["sample_size"], 10);
}

#[test]
fn nan_in_a_result_fails_the_whole_query_with_java_text() {
    let s = Server::start();
    post_points(
        &s,
        json!([{"name": "agg.nan", "tags": {"host": "a"}, "type": "double", "datapoints": [[1234, "NaN"]]}]),
    );
    let r = s.post_json(
        "/api/v1/datapoints/query",
        &json!({"start_absolute": 0, "metrics": [{"name": "agg.nan"}]}),
    );
    assert_eq!(r.status, 500, "{r:?}");
    assert_eq!(
        r.errors(),
        vec!["NaN or Infinity:NaN data point=DoubleDataPoint{m_value=NaN, m_timestamp=1234}"]
    );
}

#[test]
fn series_without_points_in_range_make_no_group() {
    let s = Server::start();
    post_points(
        &s,
        json!([
            {"name": "agg.gone", "tags": {"host": "a"}, "datapoints": [[1000, 1]]},
            {"name": "agg.gone", "tags": {"host": "b"}, "datapoints": [[9000, 2]]}
        ]),
    );
    let v = query(
        &s,
        json!({"start_absolute": 0, "end_absolute": 5000, "metrics": [{"name": "agg.gone", "group_by": [{"name": "tag", "tags": ["host"]}]}]}),
    );
    let results = v["queries"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{v}");
    assert_eq!(results[0]["tags"], json!({"host": ["a"]}), "{v}");
    // Ungrouped, the out-of-range series does not add its tags either.
    let v = query(
        &s,
        json!({"start_absolute": 0, "end_absolute": 5000, "metrics": [{"name": "agg.gone"}]}),
    );
    assert_eq!(
        v["queries"][0]["results"][0]["tags"],
        json!({"host": ["a"]}),
        "{v}"
    );
    // Nothing in range at all: the v1.3.0 placeholder.
    let v = query(
        &s,
        json!({"start_absolute": 2000, "end_absolute": 5000, "metrics": [{"name": "agg.gone"}]}),
    );
    assert_eq!(
        v["queries"][0]["results"],
        json!([{"name": "agg.gone", "tags": {}, "values": []}]),
        "{v}"
    );
}
