//! `POST /api/v1/datapoints`: value types, gzip, ttl, every §3.3 validation text, partial success.

use kairosdb_tests::http::gzip;
use kairosdb_tests::json::{metric, query, results, values};
use kairosdb_tests::Server;
use serde_json::{json, Value};

const T0: i64 = 1_700_000_000_000;

#[test]
fn long_double_and_string_values_round_trip() {
    let s = Server::start();
    s.ingest(&json!([
        {"name": "ingest.long", "tags": {"host": "a"}, "datapoints": [[T0, 1], [T0 + 1, -3], [T0 + 2, 9_007_199_254_740_993_i64]]},
        {"name": "ingest.double", "tags": {"host": "a"}, "datapoints": [[T0, 1.5], [T0 + 1, -0.25], [T0 + 2, 1.0]]},
        {"name": "ingest.string", "tags": {"host": "a"}, "datapoints": [[T0, "busy"], [T0 + 1, "idle", "string"]]},
        {"name": "ingest.typed", "type": "double", "tags": {"host": "a"}, "datapoints": [[T0, 2]]}
    ]));
    let long = s.wait_points("ingest.long", T0, T0 + 10, 3);
    assert_eq!(
        long,
        vec![
            (T0, json!(1)),
            (T0 + 1, json!(-3)),
            (T0 + 2, json!(9_007_199_254_740_993_i64))
        ]
    );
    let double = s.wait_points("ingest.double", T0, T0 + 10, 3);
    // §1.4: integral doubles print like longs (`1.0` -> `1`).
    assert_eq!(
        double,
        vec![(T0, json!(1.5)), (T0 + 1, json!(-0.25)), (T0 + 2, json!(1))]
    );
    let string = s.wait_points("ingest.string", T0, T0 + 10, 2);
    assert_eq!(string, vec![(T0, json!("busy")), (T0 + 1, json!("idle"))]);
    let typed = s.wait_points("ingest.typed", T0, T0 + 10, 1);
    assert_eq!(typed, vec![(T0, json!(2))]);
}

#[test]
fn mixed_number_and_string_series_give_two_type_groups() {
    let s = Server::start();
    s.ingest(&json!({"name": "ingest.mixed", "tags": {"host": "a"}, "datapoints": [[T0, 1], [T0 + 1, "x"]]}));
    let v = s.wait_query(&query("ingest.mixed", T0, T0 + 1), "two type groups", |v| {
        results(v, 0).len() == 2
    });
    let r = results(&v, 0);
    // §4.4: results ordered by data type, "number" before "text".
    assert_eq!(
        r[0]["group_by"],
        json!([{"name": "type", "type": "number"}]),
        "{v}"
    );
    assert_eq!(values(&r[0]), vec![(T0, json!(1))]);
    assert_eq!(
        r[1]["group_by"],
        json!([{"name": "type", "type": "text"}]),
        "{v}"
    );
    assert_eq!(values(&r[1]), vec![(T0 + 1, json!("x"))]);
}

#[test]
fn single_point_form_and_time_alias() {
    let s = Server::start();
    s.ingest(&json!([
        {"name": "ingest.single", "timestamp": T0, "value": 42, "tags": {"host": "a"}},
        // §3.1: `time` wins over `timestamp`; the single point and `datapoints` may be combined.
        {"name": "ingest.single", "timestamp": T0 + 5, "time": T0 + 1, "value": 43, "tags": {"host": "a"},
         "datapoints": [[T0 + 2, 44]]}
    ]));
    let p = s.wait_points("ingest.single", T0, T0 + 10, 3);
    assert_eq!(
        p,
        vec![(T0, json!(42)), (T0 + 1, json!(43)), (T0 + 2, json!(44))]
    );
}

#[test]
fn type_inference_follows_literal_text() {
    let s = Server::start();
    // §3.2: `1e3` is a long (1000); numeric strings become numbers; booleans become strings.
    let body = format!(
        r#"[{{"name":"ingest.infer","tags":{{"host":"a"}},"datapoints":[[{T0},1e3],[{},"123"],[{},"0.5"]]}},
            {{"name":"ingest.bool","tags":{{"host":"a"}},"datapoints":[[{T0},true]]}}]"#,
        T0 + 1,
        T0 + 2
    );
    let r = s.post("/api/v1/datapoints", &body);
    assert_eq!(r.status, 204, "{r:?}");
    let p = s.wait_points("ingest.infer", T0, T0 + 10, 3);
    assert_eq!(
        p,
        vec![
            (T0, json!(1000)),
            (T0 + 1, json!(123)),
            (T0 + 2, json!(0.5))
        ]
    );
    let b = s.wait_points("ingest.bool", T0, T0 + 10, 1);
    assert_eq!(b, vec![(T0, json!("true"))]);
}

#[test]
fn ingest_204_carries_json_content_type() {
    let s = Server::start();
    let r = s.post_json(
        "/api/v1/datapoints",
        &metric("ingest.ct", &[("h", "a")], &[(T0, json!(1))]),
    );
    assert_eq!(r.status, 204, "{r:?}");
    assert!(r.body.is_empty(), "204 with a body: {r:?}");
    // §1.2: Content-Type is sent even on 204 (the Java client checks it).
    let ct = r.header("Content-Type").unwrap_or("");
    assert!(ct.starts_with("application/json"), "Content-Type {ct:?}");
    assert_eq!(r.header("Access-Control-Allow-Origin"), Some("*"), "{r:?}");
}

#[test]
fn gzip_with_content_encoding() {
    let s = Server::start();
    let body = metric(
        "ingest.gz1",
        &[("host", "a")],
        &[(T0, json!(1)), (T0 + 1, json!(2))],
    )
    .to_string();
    let r = s.request(
        "POST",
        "/api/v1/datapoints",
        &[
            ("Content-Type", "application/json"),
            ("Content-Encoding", "gzip"),
        ],
        &gzip(body.as_bytes()),
    );
    assert_eq!(r.status, 204, "{r:?}");
    s.wait_points("ingest.gz1", T0, T0 + 10, 2);
}

#[test]
fn gzip_with_application_gzip_content_type() {
    let s = Server::start();
    let body = metric(
        "ingest.gz2",
        &[("host", "a")],
        &[(T0, json!(1)), (T0 + 1, json!(2.5))],
    )
    .to_string();
    let r = s.request(
        "POST",
        "/api/v1/datapoints",
        &[("Content-Type", "application/gzip")],
        &gzip(body.as_bytes()),
    );
    assert_eq!(r.status, 204, "{r:?}");
    let p = s.wait_points("ingest.gz2", T0, T0 + 10, 2);
    assert_eq!(p, vec![(T0, json!(1)), (T0 + 1, json!(2.5))]);
}

#[test]
fn broken_gzip_is_refused_with_errors_body() {
    let s = Server::start();
    // §1.7: 500 via Content-Encoding, 400 via application/gzip, both `Not in GZIP format`.
    let r = s.request(
        "POST",
        "/api/v1/datapoints",
        &[("Content-Encoding", "gzip")],
        b"[not gzip]",
    );
    assert_eq!(r.status, 500, "{r:?}");
    assert_eq!(r.errors(), vec!["Not in GZIP format"]);
    let r = s.request(
        "POST",
        "/api/v1/datapoints",
        &[("Content-Type", "application/gzip")],
        b"[not gzip]",
    );
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(r.errors(), vec!["Not in GZIP format"]);
}

#[test]
fn ttl_is_accepted() {
    let s = Server::start();
    let now = kairosdb_tests::json::now_ms();
    s.ingest(&json!({"name": "ingest.ttl", "tags": {"host": "a"}, "ttl": 3600, "datapoints": [[now, 1]]}));
    s.wait_points("ingest.ttl", now - 1000, now + 1000, 1);
}

#[test]
fn empty_array_and_object_without_points_are_204() {
    let s = Server::start();
    assert_eq!(s.post("/api/v1/datapoints", "[]").status, 204);
    assert_eq!(
        s.post(
            "/api/v1/datapoints",
            r#"{"name":"ingest.nothing","tags":{"h":"a"}}"#
        )
        .status,
        204
    );
}

/// Checks one §3.3 case: status 400, JSON content type, and the exact error list (compared as a multiset).
fn check_errors(s: &Server, body: &str, expected: &[&str]) -> Result<(), String> {
    let r = s
        .try_request("POST", "/api/v1/datapoints", &[], body.as_bytes())
        .map_err(|e| format!("{body}: no HTTP answer: {e}"))?;
    let ct = r.header("Content-Type").unwrap_or("");
    let mut got: Option<Vec<String>> = serde_json::from_slice::<Value>(&r.body)
        .ok()
        .and_then(|v| v.get("errors").cloned())
        .and_then(|e| serde_json::from_value(e).ok());
    let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    if let Some(g) = got.as_mut() {
        g.sort();
    }
    want.sort();
    if r.status == 400 && ct.starts_with("application/json") && got.as_ref() == Some(&want) {
        Ok(())
    } else {
        Err(format!(
            "{body}\n    want 400 {want:?}\n    got  {} {} (Content-Type {ct:?})",
            r.status,
            r.text()
        ))
    }
}

#[test]
fn validation_texts_of_section_3_3() {
    let s = Server::start();
    let cases: &[(&str, &[&str])] = &[
        // name
        (
            r#"{"tags":{"h":"a"},"timestamp":1,"value":1}"#,
            &["metric[0].name may not be null."],
        ),
        (
            r#"{"name":null,"tags":{"h":"a"},"timestamp":1,"value":1}"#,
            &["metric[0].name may not be null."],
        ),
        (
            r#"{"name":"","tags":{"h":"a"},"timestamp":1,"value":1}"#,
            &["metric[0].name may not be empty."],
        ),
        // single value / timestamp
        (
            r#"{"name":"m","tags":{"h":"a"},"timestamp":1}"#,
            &["metric[0](name=m).value may not be null."],
        ),
        (
            r#"{"name":"m","tags":{"h":"a"},"timestamp":1,"value":null}"#,
            &["metric[0](name=m).value may not be empty."],
        ),
        (
            r#"{"name":"m","tags":{"h":"a"},"timestamp":1,"value":""}"#,
            &["metric[0](name=m).value may not be empty."],
        ),
        (
            r#"{"name":"m","tags":{"h":"a"},"timestamp":1,"value":[]}"#,
            &["metric[0](name=m).value may not be an empty array."],
        ),
        (
            r#"{"name":"m","tags":{"h":"a"},"value":1}"#,
            &["metric[0](name=m).timestamp may not be null."],
        ),
        // tags
        (
            r#"{"name":"m","timestamp":1,"value":1}"#,
            &["metric[0](name=m).tags count must be greater than or equal to 1."],
        ),
        (
            r#"{"name":"m","tags":{},"timestamp":1,"value":1}"#,
            &["metric[0](name=m).tags count must be greater than or equal to 1."],
        ),
        (
            r#"{"name":"m","tags":{"":"a"},"timestamp":1,"value":1}"#,
            &["metric[0](name=m).tag[0].name may not be empty."],
        ),
        (
            r#"{"name":"m","tags":{"h":"a","":"b"},"timestamp":1,"value":1}"#,
            &["metric[0](name=m).tag[1].name may not be empty."],
        ),
        (
            r#"{"name":"m","tags":{"h":""},"timestamp":1,"value":1}"#,
            &["metric[0](name=m).tag[h].value may not be empty."],
        ),
        (
            r#"{"name":"m","tags":{"h":null},"timestamp":1,"value":1}"#,
            &["metric[0](name=m).tag[h].value may not be null."],
        ),
        // invalid value types
        (
            r#"{"name":"m","tags":{"h":"a"},"timestamp":1,"value":{}}"#,
            &["metric[0](name=m) value is an invalid type"],
        ),
        (
            r#"{"name":"m","tags":{"h":"a"},"timestamp":1,"value":[5]}"#,
            &["metric[0](name=m) value is an invalid type"],
        ),
        (
            r#"{"name":"m","tags":{"h":"a"},"datapoints":[[1,{}]]}"#,
            &["metric[0](name=m) value is an invalid type"],
        ),
        (
            r#"{"name":"m","type":"foo","tags":{"h":"a"},"timestamp":1,"value":1}"#,
            &["Unregistered data point type 'foo'"],
        ),
        // datapoints entries
        (
            r#"{"name":"m","tags":{"h":"a"},"datapoints":[[]]}"#,
            &["metric[0](name=m).datapoints[0].timestamp cannot be null or empty."],
        ),
        (
            r#"{"name":"m","tags":{"h":"a"},"datapoints":[[1]]}"#,
            &["metric[0](name=m).datapoints[0].value cannot be null or empty."],
        ),
        (
            r#"{"name":"m","tags":{"h":"a"},"datapoints":[[null,2]]}"#,
            &["metric[0](name=m).datapoints[0].timestamp may not be null."],
        ),
        (
            r#"{"name":"m","tags":{"h":"a"},"datapoints":[[2,null]]}"#,
            &["metric[0](name=m).datapoints[0].value may not be empty."],
        ),
        (
            r#"{"name":"m","tags":{"h":"a"},"datapoints":[[2,""]]}"#,
            &["metric[0](name=m).datapoints[0].value may not be empty."],
        ),
        (
            r#"{"name":"m","tags":{"h":"a"},"datapoints":[[2,[]]]}"#,
            &["metric[0](name=m).datapoints[0].value may not be an empty array."],
        ),
        // Quirk: the datapoints index counts only stored entries.
        (
            r#"{"name":"m","tags":{"h":"a"},"datapoints":[[1,1],[2],[3,3],[4]]}"#,
            &[
                "metric[0](name=m).datapoints[1].value cannot be null or empty.",
                "metric[0](name=m).datapoints[2].value cannot be null or empty.",
            ],
        ),
        // Quirk: no `(name=...)` once the name failed; errors accumulate over the document.
        (
            r#"{"timestamp":1,"value":1}"#,
            &[
                "metric[0].name may not be null.",
                "metric[0].tags count must be greater than or equal to 1.",
            ],
        ),
        (
            r#"{"name":"metricName","tags":{"name":""},"timestamp":1,"value":""}"#,
            &[
                "metric[0](name=metricName).tag[name].value may not be empty.",
                "metric[0](name=metricName).value may not be empty.",
            ],
        ),
        (
            r#"[{"name":"ok","tags":{"h":"a"},"timestamp":1,"value":1},{"name":"","tags":{"h":"a"},"timestamp":1,"value":1},{"name":"n","tags":{"h":"a"},"timestamp":1}]"#,
            &[
                "metric[1].name may not be empty.",
                "metric[2](name=n).value may not be null.",
            ],
        ),
        // Empty body.
        ("", &["Invalid json. No content due to end of input."]),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(body, expected)| check_errors(&s, body, expected).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn valid_points_are_stored_despite_a_400() {
    let s = Server::start();
    let body = json!([
        {"name": "ingest.partial", "tags": {"host": "a"}, "datapoints": [[T0, 1], [T0 + 1, 2]]},
        {"name": "", "tags": {"host": "a"}, "datapoints": [[T0, 1]]},
        {"name": "ingest.partial", "tags": {"host": "b"}, "datapoints": [[T0 + 2, 3], [T0 + 3], [T0 + 4, 5]]}
    ]);
    let r = s.post_json("/api/v1/datapoints", &body);
    assert_eq!(r.status, 400, "{r:?}");
    let mut errors = r.errors();
    errors.sort();
    assert_eq!(
        errors,
        vec![
            "metric[1].name may not be empty.".to_string(),
            "metric[2](name=ingest.partial).datapoints[1].value cannot be null or empty."
                .to_string(),
        ]
    );
    let p = s.wait_points("ingest.partial", T0, T0 + 10, 4);
    assert_eq!(
        p,
        vec![
            (T0, json!(1)),
            (T0 + 1, json!(2)),
            (T0 + 2, json!(3)),
            (T0 + 4, json!(5))
        ]
    );
}

#[test]
fn objects_read_before_a_syntax_error_are_stored() {
    let s = Server::start();
    let body = format!(
        r#"[{{"name":"ingest.syntax","tags":{{"host":"a"}},"datapoints":[[{T0},1]]}},{{"name":"x","tags":"#
    );
    let r = s.post("/api/v1/datapoints", &body);
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(r.errors().len(), 1, "one syntax error expected: {r:?}");
    s.wait_points("ingest.syntax", T0, T0 + 10, 1);
}

#[test]
fn lenient_metric_objects_are_accepted() {
    let s = Server::start();
    // §3.4: metric objects are read leniently (comments, unquoted and single-quoted names).
    let body = format!(
        "[{{name: 'ingest.lenient', /* c */ tags: {{host: 'a'}}, datapoints: [[{T0}, 7]]}}]"
    );
    let r = s.post("/api/v1/datapoints", &body);
    assert_eq!(r.status, 204, "{r:?}");
    let p = s.wait_points("ingest.lenient", T0, T0 + 10, 1);
    assert_eq!(p, vec![(T0, Value::from(7))]);
}
