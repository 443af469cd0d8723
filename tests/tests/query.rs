//! `/api/v1/datapoints/query` and `/query/tags` (§4): time ranges, tag filters, limit, order, exact bytes,
//! GET form, and the §4.5/§4.7 validation texts.

use kairosdb_tests::http::url_encode;
use kairosdb_tests::json::{metric, metric_series, now_ms, query, results, values};
use kairosdb_tests::{conformance_file, Server};
use serde_json::{json, Value};

const T0: i64 = 1_700_000_000_000;

fn ts(v: &[(i64, Value)]) -> Vec<i64> {
    v.iter().map(|(t, _)| *t).collect()
}

#[test]
fn absolute_range_is_inclusive() {
    let s = Server::start();
    s.ingest(&metric_series("q.abs", &[("host", "a")], T0, 1000, 10));
    s.wait_points("q.abs", T0, T0 + 9000, 10);
    let p = s.points("q.abs", T0 + 2000, T0 + 5000);
    assert_eq!(ts(&p), vec![T0 + 2000, T0 + 3000, T0 + 4000, T0 + 5000]);
    // start == end is allowed.
    assert_eq!(
        ts(&s.points("q.abs", T0 + 3000, T0 + 3000)),
        vec![T0 + 3000]
    );
}

#[test]
fn relative_start_and_end_and_unbounded_end() {
    let s = Server::start();
    let now = now_ms();
    let (h2, m30, m1, future) = (
        now - 2 * 3_600_000,
        now - 30 * 60_000,
        now - 60_000,
        now + 86_400_000,
    );
    s.ingest(&metric(
        "q.rel",
        &[("host", "a")],
        &[
            (h2, json!(1)),
            (m30, json!(2)),
            (m1, json!(3)),
            (future, json!(4)),
        ],
    ));
    s.wait_points("q.rel", h2, future, 4);

    // §4.1: no end time means unbounded, so the future point is included.
    let v = s.query(
        &json!({"start_relative": {"value": 1, "unit": "hours"}, "metrics": [{"name": "q.rel"}]}),
    );
    assert_eq!(
        ts(&values(&results(&v, 0)[0])),
        vec![m30, m1, future],
        "{v}"
    );

    let v = s.query(&json!({
        "start_relative": {"value": "1", "unit": "HOURS"},
        "end_relative": {"value": 10, "unit": "minutes"},
        "metrics": [{"name": "q.rel"}]
    }));
    assert_eq!(ts(&values(&results(&v, 0)[0])), vec![m30], "{v}");

    // An end before the start is a validation error, not an empty result.
    let r = s.post(
        "/api/v1/datapoints/query",
        &json!({
            "start_absolute": h2,
            "end_relative": {"value": 1, "unit": "days"},
            "metrics": [{"name": "q.rel"}]
        })
        .to_string(),
    );
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(
        r.errors(),
        vec!["query.metric[0].end_time must be greater than the start time"]
    );
}

fn ingest_hosts(s: &Server, name: &str) {
    s.ingest(&json!([
        metric(
            name,
            &[("host", "a"), ("dc", "east")],
            &[(T0, json!(1)), (T0 + 3, json!(4))]
        ),
        metric(
            name,
            &[("host", "b"), ("dc", "east")],
            &[(T0 + 1, json!(2)), (T0 + 4, json!(5))]
        ),
        metric(
            name,
            &[("host", "c"), ("dc", "west")],
            &[(T0 + 2, json!(3)), (T0 + 5, json!(6))]
        ),
    ]));
    s.wait_points(name, T0, T0 + 10, 6);
}

fn tag_query(name: &str, tags: Value) -> Value {
    json!({"start_absolute": T0, "end_absolute": T0 + 10, "metrics": [{"name": name, "tags": tags}]})
}

#[test]
fn tag_filters_or_within_and_across_tags() {
    let s = Server::start();
    ingest_hosts(&s, "q.tags");
    let v = s.query(&tag_query("q.tags", json!({"host": ["a", "c"]})));
    let r = results(&v, 0);
    assert_eq!(r.len(), 1, "{v}");
    assert_eq!(
        r[0]["tags"],
        json!({"dc": ["east", "west"], "host": ["a", "c"]}),
        "{v}"
    );
    assert_eq!(ts(&values(&r[0])), vec![T0, T0 + 2, T0 + 3, T0 + 5]);
    assert_eq!(v["queries"][0]["sample_size"], json!(4), "{v}");

    let v = s.query(&tag_query(
        "q.tags",
        json!({"host": ["a", "b", "c"], "dc": "east"}),
    ));
    let r = results(&v, 0);
    assert_eq!(
        r[0]["tags"],
        json!({"dc": ["east"], "host": ["a", "b"]}),
        "{v}"
    );
    assert_eq!(ts(&values(&r[0])), vec![T0, T0 + 1, T0 + 3, T0 + 4]);

    // §4.1 Quirk: an empty array adds no filter on that tag.
    let v = s.query(&tag_query("q.tags", json!({"host": []})));
    assert_eq!(values(&results(&v, 0)[0]).len(), 6, "{v}");

    // No match: the v1.3.0 placeholder result (Appendix B).
    let v = s.query(&tag_query("q.tags", json!({"host": "zzz"})));
    assert_eq!(
        v,
        json!({"queries": [{"sample_size": 0, "results": [{"name": "q.tags", "tags": {}, "values": []}]}]})
    );
}

#[test]
fn exclude_tags_omits_tags() {
    let s = Server::start();
    ingest_hosts(&s, "q.excl");
    let q = json!({"start_absolute": T0, "end_absolute": T0 + 10, "metrics": [{"name": "q.excl", "exclude_tags": true}]});
    let v = s.query(&q);
    let r = &results(&v, 0)[0];
    assert!(
        r.get("tags").is_none(),
        "tags present despite exclude_tags: {v}"
    );
    assert_eq!(values(r).len(), 6);
}

#[test]
fn several_series_are_merged_in_time_order() {
    let s = Server::start();
    ingest_hosts(&s, "q.merge");
    let v = s.query(&query("q.merge", T0, T0 + 10));
    let r = results(&v, 0);
    assert_eq!(r.len(), 1, "{v}");
    assert_eq!(
        r[0]["tags"],
        json!({"dc": ["east", "west"], "host": ["a", "b", "c"]}),
        "{v}"
    );
    let p = values(&r[0]);
    assert_eq!(
        p,
        (0..6).map(|i| (T0 + i, json!(i + 1))).collect::<Vec<_>>(),
        "{v}"
    );
    assert_eq!(v["queries"][0]["sample_size"], json!(6), "{v}");
}

#[test]
fn limit_and_order() {
    let s = Server::start();
    s.ingest(&metric_series("q.limit", &[("host", "a")], T0, 10, 10));
    s.wait_points("q.limit", T0, T0 + 1000, 10);
    let base = json!({"start_absolute": T0, "end_absolute": T0 + 1000});
    let with = |m: Value| {
        let mut q = base.clone();
        q["metrics"] = json!([m]);
        q
    };
    let v = s.query(&with(json!({"name": "q.limit", "order": "desc"})));
    assert_eq!(
        ts(&values(&results(&v, 0)[0])),
        (0..10).rev().map(|i| T0 + i * 10).collect::<Vec<_>>()
    );
    let v = s.query(&with(json!({"name": "q.limit", "limit": 3})));
    assert_eq!(ts(&values(&results(&v, 0)[0])), vec![T0, T0 + 10, T0 + 20]);
    let v = s.query(&with(
        json!({"name": "q.limit", "limit": 3, "order": "DESC"}),
    ));
    assert_eq!(
        ts(&values(&results(&v, 0)[0])),
        vec![T0 + 90, T0 + 80, T0 + 70]
    );
}

#[test]
fn several_metric_entries_each_give_a_query() {
    let s = Server::start();
    s.ingest(&metric_series("q.multi", &[("host", "a")], T0, 1, 5));
    s.wait_points("q.multi", T0, T0 + 10, 5);
    let v = s.query(&json!({
        "start_absolute": T0, "end_absolute": T0 + 10,
        "metrics": [{"name": "q.multi"}, {"name": "q.multi", "limit": 1}, {"name": "q.absent"}]
    }));
    let qs = v["queries"].as_array().expect("queries array");
    assert_eq!(qs.len(), 3, "{v}");
    assert_eq!(values(&results(&v, 0)[0]).len(), 5);
    assert_eq!(values(&results(&v, 1)[0]).len(), 1);
    assert_eq!(
        results(&v, 2),
        vec![json!({"name": "q.absent", "tags": {}, "values": []})]
    );
}

#[test]
fn exact_response_bytes() {
    let s = Server::start();
    s.ingest(&json!([
        metric(
            "q.exact",
            &[("host", "a")],
            &[
                (T0, json!(123)),
                (T0 + 2, json!(13.2)),
                (T0 + 4, json!(1.0))
            ]
        ),
        metric(
            "q.str",
            &[("host", "a")],
            &[(T0, json!("a \"quoted\" word"))]
        ),
    ]));
    s.wait_points("q.exact", T0, T0 + 4, 3);
    s.wait_points("q.str", T0, T0, 1);

    let r = s.post_json("/api/v1/datapoints/query", &query("q.exact", T0, T0 + 4));
    assert_eq!(r.status, 200, "{r:?}");
    assert!(
        r.header("Content-Type")
            .unwrap_or("")
            .starts_with("application/json"),
        "{r:?}"
    );
    assert_eq!(r.header("Access-Control-Allow-Origin"), Some("*"), "{r:?}");
    assert_eq!(
        r.text(),
        r#"{"queries":[{"sample_size":3,"results":[{"name":"q.exact","group_by":[{"name":"type","type":"number"}],"tags":{"host":["a"]},"values":[[1700000000000,123],[1700000000002,13.2],[1700000000004,1]]}]}]}"#
    );

    let q = json!({"start_absolute": T0, "end_absolute": T0,
                   "metrics": [{"name": "q.str", "alias": "s", "exclude_tags": true}]});
    let r = s.post_json("/api/v1/datapoints/query", &q);
    assert_eq!(
        r.text(),
        r#"{"queries":[{"sample_size":1,"results":[{"name":"q.str","alias":"s","group_by":[{"name":"type","type":"text"}],"values":[[1700000000000,"a \"quoted\" word"]]}]}]}"#
    );

    let r = s.post_json("/api/v1/datapoints/query", &query("q.nothing", T0, T0 + 4));
    assert_eq!(
        r.text(),
        r#"{"queries":[{"sample_size":0,"results":[{"name":"q.nothing","tags":{},"values":[]}]}]}"#
    );

    // §4.1 Quirk: an empty metrics array is accepted.
    let r = s.post(
        "/api/v1/datapoints/query",
        r#"{"start_absolute":1,"metrics":[]}"#,
    );
    assert_eq!((r.status, r.text()), (200, r#"{"queries":[]}"#.to_string()));
}

#[test]
fn get_form_with_query_parameter() {
    let s = Server::start();
    s.ingest(&metric_series("q.get", &[("host", "a")], T0, 1, 3));
    s.wait_points("q.get", T0, T0 + 10, 3);
    let q = query("q.get", T0, T0 + 10).to_string();
    let post = s.post("/api/v1/datapoints/query", &q);
    let get = s.get(&format!(
        "/api/v1/datapoints/query?query={}",
        url_encode(&q)
    ));
    assert_eq!(get.status, 200, "{get:?}");
    assert_eq!(get.text(), post.text());

    let r = s.get("/api/v1/datapoints/query");
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(r.errors(), vec!["query json must not be null or empty"]);
}

#[test]
fn query_tags_shape() {
    let s = Server::start();
    ingest_hosts(&s, "q.qtags");
    let q = json!({"start_absolute": T0, "end_absolute": T0 + 10,
                   "metrics": [{"name": "q.qtags", "limit": 1, "exclude_tags": true}, {"name": "q.qtags.none"}]});
    let r = s.post_json("/api/v1/datapoints/query/tags", &q);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.text(),
        r#"{"queries":[{"results":[{"name":"q.qtags","tags":{"dc":["east","west"],"host":["a","b","c"]},"values":[]}]},{"results":[{"name":"q.qtags.none","tags":{},"values":[]}]}]}"#
    );
    // Tag filters are honoured.
    let q = tag_query("q.qtags", json!({"dc": "west"}));
    let r = s.post_json("/api/v1/datapoints/query/tags", &q);
    assert_eq!(
        r.text(),
        r#"{"queries":[{"results":[{"name":"q.qtags","tags":{"dc":["west"],"host":["c"]},"values":[]}]}]}"#
    );
}

/// Posts each conformance file and checks status 400 and the single expected message (or prefix).
fn check_invalid_files(cases: &[(&str, &str)]) {
    let s = Server::start();
    let mut failures = Vec::new();
    for (file, expected) in cases {
        let body = conformance_file(&format!("unit/{file}"));
        let r = match s.try_request("POST", "/api/v1/datapoints/query", &[], body.as_bytes()) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{file}: no HTTP answer: {e}"));
                continue;
            }
        };
        let ok = r.status == 400
            && serde_json::from_slice::<Value>(&r.body)
                .ok()
                .is_some_and(|v| match v["errors"].as_array() {
                    Some(e) if e.len() == 1 => {
                        let got = e[0].as_str().unwrap_or("");
                        match expected.strip_suffix('*') {
                            Some(prefix) => got.starts_with(prefix),
                            None => got == *expected,
                        }
                    }
                    _ => false,
                });
        if !ok {
            failures.push(format!(
                "{file}: want 400 {expected:?}, got {} {}",
                r.status,
                r.text()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} files wrong:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn invalid_query_files_core_validation() {
    check_invalid_files(&[
        ("invalid-query-metric-absoluteEndTime-less-than-startTime.json", "query.metric[0].end_time must be greater than the start time"),
        ("invalid-query-metric-relativeEndTime-less-than-startTime.json", "query.metric[0].end_time must be greater than the start time"),
        ("invalid-query-metric-aggregators-empty-name.json", "query.metric[0].aggregators[0] must have a name"),
        ("invalid-query-metric-aggregators-no-name.json", "query.metric[0].aggregators[0] must have a name"),
        ("invalid-query-metric-group_by-no-name.json", "query.metric[0].group_by[0] must have a name"),
        ("invalid-query-metric-cache-time.json", "cache_time must be greater than or equal to 0"),
        ("invalid-query-metric-empty-name.json", "query.metric[0].name may not be empty"),
        ("invalid-query-metric-no-name.json", "query.metric[0].name may not be null"),
        ("invalid-query-metric-no-metric.json", "query.metric[] must have a size of at least 1"),
        ("invalid-query-metric-no-start_date.json", "query.metric[0].start_time relative or absolute time must be set"),
        ("invalid-query-metric-relative-endTime-value.json", "end_relative.value must be greater than or equal to 0"),
        ("invalid-query-metric-relative-startTime-value.json", "start_relative.value must be greater than or equal to 0"),
        ("invalid-query-metric-relative-unit.json", "query.bogus is not a valid time unit, must be one of MILLISECONDS,SECONDS,MINUTES,HOURS,DAYS,WEEKS,MONTHS,YEARS"),
        ("invalid-query-metric-tag-empty-name.json", "query.metric[0].tags[0] name must not be empty"),
        ("invalid-query-metric-tag-empty-value-in-array.json", "query.metric[0].tags[0].host value must not be null or empty"),
        ("invalid-query-metric-tag-empty-value.json", "query.metric[0].tags[0].host value must not be null or empty"),
        ("query-metric-null-tag-value.json", "query.metric[0].tags[0].host value must not be null or empty"),
        ("query-metric-null-tag-value-in-array.json", "query.metric[0].tags[0].host value must not be null or empty"),
        ("invalid-query-metric-aggregators-sampling-timezone.json", "query.bogus is not a valid time zone, must be one of *"),
        // v1.3.0 Gson text (§4.7); only the `at line 2 column 22` location is specific to Gson.
        ("invalid-query-metric-json.json", "com.google.gson.stream.MalformedJsonException: Use JsonReader.setLenient(true) to accept malformed JSON at line 2 column 22"),
    ]);
}

#[test]
fn invalid_query_files_processor_validation() {
    // These need the aggregator and group-by registry (aggregators crate).
    check_invalid_files(&[
        ("invalid-query-metric-aggregators.json", "query.metric[0].aggregators[0].bogus invalid aggregators name"),
        ("invalid-query-metric-group_by.json", "query.metric[0].group_by[0].bogus invalid group_by name"),
        ("invalid-query-metric-no-aggregators.json", "query.metric[0].group_by[1].simpleTime invalid group_by name"),
        ("invalid-query-metric-aggregators-div-divisor-zero.json", "query.metric[0].aggregators[0].m_divisor may not be zero"),
        ("invalid-query-metric-aggregators-div-no-divisor.json", "query.metric[0].aggregators[0].m_divisor may not be zero"),
        ("invalid-query-metric-aggregators-percentile-no-percentile.json", "query.metric[0].aggregators[0].percentile may not be zero"),
        ("invalid-query-metric-aggregators-percentile-percentile-zero.json", "query.metric[0].aggregators[0].percentile may not be zero"),
        ("invalid-query-metric-aggregators-percentile-percentile.json", "query.metric[0].aggregators[0].percentile multiple points"),
        ("invalid-query-metric-aggregators-sampling-unit.json", "query.metric[0].aggregators[0].bogus is not a valid time unit, must be one of MILLISECONDS,SECONDS,MINUTES,HOURS,DAYS,WEEKS,MONTHS,YEARS"),
        ("invalid-query-metric-aggregators-sampling-value.json", "query.metric[0].aggregators[0].sampling.value must be greater than or equal to 0"),
        ("invalid-query-metric-group_by-empty-name.json", "query.metric[0].group_by[1] must have a name"),
        ("invalid-query-metric-group_by-tag-empty-tags.json", "query.metric[0].group_by[0].tags may not be empty"),
        ("invalid-query-metric-group_by-tag-missing-tags.json", "query.metric[0].group_by[0].tags may not be null"),
        ("invalid-query-metric-group_by-time-missing-group_count.json", "query.metric[0].group_by[0].groupCount must be greater than or equal to 1"),
        ("invalid-query-metric-group_by-time-missing-range_size.json", "query.metric[0].group_by[0].rangeSize may not be null"),
        ("invalid-query-metric-group_by-time-range_size_unit.json", "query.metric[0].group_by[0].bogus is not a valid time unit, must be one of MILLISECONDS,SECONDS,MINUTES,HOURS,DAYS,WEEKS,MONTHS,YEARS"),
        ("invalid-query-metric-group_by-time-range_size_value.json", "query.metric[0].group_by[0].range_size.value must be greater than or equal to 0"),
    ]);
}

/// Posts each conformance file and checks status 200.
fn check_valid_files(files: &[&str]) {
    let s = Server::start();
    let mut failures = Vec::new();
    for file in files {
        let body = conformance_file(&format!("unit/{file}"));
        match s.try_request("POST", "/api/v1/datapoints/query", &[], body.as_bytes()) {
            Ok(r) if r.status == 200 => {}
            Ok(r) => failures.push(format!("{file}: want 200, got {} {}", r.status, r.text())),
            Err(e) => failures.push(format!("{file}: no HTTP answer: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn valid_query_files_without_aggregators() {
    check_valid_files(&[
        "invalid-query-metric-aggregators-empty.json",
        "query-metric-exclude-tags.json",
        "query-metric-one-tag.json",
        "query-metric-two-tags.json",
        "query-metric-start_absolute-before-epoch.json",
    ]);
}

#[test]
fn valid_query_files_with_sum_aggregator() {
    check_valid_files(&[
        "invalid-query-metric-aggregators-sum-no-sampling.json",
        "query-metric-absolute-dates.json",
        "query-metric-negative-absolute-dates.json",
        "query-metric-no-tags.json",
        "query-metric-relative-startTime-before-epoch.json",
    ]);
}

#[test]
fn inline_validation_texts_of_section_4_5() {
    let s = Server::start();
    let cases: &[(&str, u16, &str)] = &[
        (
            r#"{"start_absolute":1,"metrics":[{"name":"m","order":"sideways"}]}"#,
            400,
            "query.metric[0].order must be either 'asc' or 'desc'",
        ),
        (
            r#"{"start_absolute":1,"metrics":[5]}"#,
            400,
            "java.lang.IllegalStateException: Not a JSON Object: 5",
        ),
        (
            r#"{"start_relative":{"value":1},"metrics":[{"name":"m"}]}"#,
            400,
            "start_relative.unit may not be null",
        ),
        (
            r#"{"start_absolute":1,"metrics":[{"name":"m","tags":{"host":null}}]}"#,
            400,
            "query.metric[0].tags[0].host value must not be null or empty",
        ),
        (
            r#"{"start_absolute":1,"metrics":[{"name":"m","tags":{"a":"x","":"y"}}]}"#,
            400,
            "query.metric[0].tags[1] name must not be empty",
        ),
        (
            r#"{"start_absolute":5,"end_absolute":4,"metrics":[{"name":"m"}]}"#,
            400,
            "query.metric[0].end_time must be greater than the start time",
        ),
        ("", 500, "Not a JSON Object: null"),
        ("[1,2]", 500, "Not a JSON Object: [1,2]"),
    ];
    let mut failures = Vec::new();
    for (body, status, expected) in cases {
        for path in [
            "/api/v1/datapoints/query",
            "/api/v1/datapoints/query/tags",
            "/api/v1/datapoints/delete",
        ] {
            let r = match s.try_request("POST", path, &[], body.as_bytes()) {
                Ok(r) => r,
                Err(e) => {
                    failures.push(format!("{path} {body}: no HTTP answer: {e}"));
                    continue;
                }
            };
            let errors = serde_json::from_slice::<Value>(&r.body)
                .ok()
                .map(|v| v["errors"].clone());
            if r.status != *status || errors != Some(json!([expected])) {
                failures.push(format!(
                    "{path} {body}: want {status} {expected:?}, got {} {}",
                    r.status,
                    r.text()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn lenient_query_json_is_accepted() {
    let s = Server::start();
    s.ingest(&metric_series("q.lenient", &[("host", "a")], T0, 1, 2));
    s.wait_points("q.lenient", T0, T0 + 10, 2);
    // §4.1: comments, unquoted names and single quotes are accepted.
    let body = format!("// leading comment\n{{start_absolute: {T0}, 'end_absolute': {}, metrics: [{{name: 'q.lenient'}}] /* c */}}", T0 + 10);
    let r = s.post("/api/v1/datapoints/query", &body);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(values(&results(&r.json(), 0)[0]).len(), 2);
}

/// A query big enough for the engine to run its groups on several threads (over 200,000
/// points) answers exactly what each group answers when queried alone (one group, one thread),
/// raw and aggregated, in both orders; equal timestamps across series included.
#[test]
fn large_grouped_query_matches_its_groups_queried_alone() {
    let s = Server::start();
    let name = "q.parallel";
    let (dcs, per_dc, points) = (4usize, 8usize, 8_000i64);
    for d in 0..dcs {
        for h in 0..per_dc {
            let series = (d * per_dc + h) as i64;
            for chunk in (0..points).collect::<Vec<_>>().chunks(4_000) {
                let dps: Vec<Value> = chunk
                    .iter()
                    .map(|i| {
                        // Longs and doubles, with values repeating across series.
                        let v = (i * 7 + series) % 13;
                        if series % 3 == 0 {
                            json!([T0 + i * 1000, v as f64 + 0.5])
                        } else {
                            json!([T0 + i * 1000, v])
                        }
                    })
                    .collect();
                s.ingest(&json!([{"name": name,
                    "tags": {"dc": format!("dc{d}"), "host": format!("h{series}")},
                    "datapoints": dps}]));
            }
        }
    }
    let end = T0 + points * 1000;
    let total = dcs * per_dc * points as usize;
    let shapes = [
        json!({"group_by": [{"name": "tag", "tags": ["dc"]}], "order": "desc"}),
        json!({"group_by": [{"name": "tag", "tags": ["dc"]}],
               "aggregators": [{"name": "avg", "sampling": {"value": 1, "unit": "minutes"}}]}),
        json!({"group_by": [{"name": "tag", "tags": ["dc"]}],
               "aggregators": [{"name": "first", "sampling": {"value": 7, "unit": "seconds"}}]}),
    ];
    for shape in shapes {
        let mut m = shape.clone();
        m["name"] = json!(name);
        let all = s.query(&json!({"start_absolute": T0, "end_absolute": end, "metrics": [m]}));
        assert_eq!(all["queries"][0]["sample_size"], json!(total), "{shape}");
        let groups = results(&all, 0);
        assert_eq!(groups.len(), dcs, "{shape}");
        for (d, group) in groups.iter().enumerate() {
            let mut one = m.clone();
            one["tags"] = json!({"dc": [format!("dc{d}")]});
            let alone =
                s.query(&json!({"start_absolute": T0, "end_absolute": end, "metrics": [one]}));
            let alone = results(&alone, 0);
            assert_eq!(alone.len(), 1);
            assert!(
                *group == alone[0],
                "{shape}: group dc{d} differs from the same group queried alone"
            );
        }
    }
}
