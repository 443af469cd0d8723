//! Edge cases of the Java parser: 500s, Gson conversions, ordering of checks, contexts.

use super::*;

const SPAN: &str = r#""start_absolute": 10, "end_absolute": 20"#;

/// A query with the default span and one metric built from `metric_members`.
fn metric(metric_members: &str) -> String {
    format!(r#"{{{SPAN}, "metrics": [{{"name": "m", {metric_members}}}]}}"#)
}

fn err(text: &str) -> QueryError {
    match parse(text) {
        Ok(q) => panic!("{text}: parsed {q:?}"),
        Err(e) => e,
    }
}

fn ok(text: &str) -> MetricQuery {
    match parse(text) {
        Ok(q) => q
            .metrics
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("{text}: no metric")),
        Err(e) => panic!("{text}: {e}"),
    }
}

fn bad_request(m: &str) -> QueryError {
    QueryError::BadRequest(vec![m.to_string()])
}

fn internal(m: &str) -> QueryError {
    QueryError::Internal(Some(m.to_string()))
}

#[test]
fn bodies_that_are_not_objects_are_500() {
    assert_eq!(err(""), internal("Not a JSON Object: null"));
    assert_eq!(err("  "), internal("Not a JSON Object: null"));
    assert_eq!(err("5"), internal("Not a JSON Object: 5"));
    assert_eq!(
        err("['a', 1.50]"),
        internal(r#"Not a JSON Object: ["a",1.50]"#)
    );
    assert!(matches!(err("{\"a\":}"), QueryError::BadRequest(_)));
}

#[test]
fn metrics_member_shapes() {
    let q = parse(r#"{"metrics": []}"#).map(|q| q.metrics.len());
    assert_eq!(q, Ok(0));
    assert_eq!(
        err(r#"{"metrics": 5}"#),
        internal("com.google.gson.JsonPrimitive cannot be cast to com.google.gson.JsonArray")
    );
    assert_eq!(
        err(r#"{"metrics": null}"#),
        internal("com.google.gson.JsonNull cannot be cast to com.google.gson.JsonArray")
    );
    let with = |m: &str| format!(r#"{{{SPAN}, "metrics": [{m}]}}"#);
    assert_eq!(
        err(&with("5")),
        bad_request("java.lang.IllegalStateException: Not a JSON Object: 5")
    );
    assert_eq!(err(&with("null")), internal("cannot validate null"));
    assert_eq!(
        err(&with(r#"{"name": "a"}, {"name": ""}"#)),
        bad_request("query.metric[1].name may not be empty")
    );
}

#[test]
fn java_null_and_shape_errors_of_metric_members() {
    let no_name = |members: &str| format!(r#"{{{SPAN}, "metrics": [{{{members}}}]}}"#);
    assert_eq!(err(&no_name(r#""name": null"#)), internal("JsonNull"));
    assert_eq!(err(&no_name(r#""name": {}"#)), internal("JsonObject"));
    assert_eq!(
        err(&no_name(r#""name": ["a", "b"]"#)),
        bad_request("java.lang.IllegalStateException")
    );
    assert_eq!(ok(&no_name(r#""name": ["a"]"#)).name, "a");
    assert_eq!(ok(&no_name(r#""name": 12.50"#)).name, "12.50");
    assert_eq!(
        err(&metric(r#""exclude_tags": null"#)),
        internal("JsonNull")
    );
    assert_eq!(err(&metric(r#""limit": null"#)), internal("JsonNull"));
    assert_eq!(
        err(&metric(r#""limit": "abc""#)),
        internal(r#"For input string: "abc""#)
    );
    assert_eq!(
        err(&metric(r#""limit": true"#)),
        internal(r#"For input string: "true""#)
    );
    assert_eq!(err(&metric(r#""order": null"#)), internal("JsonNull"));
    assert_eq!(
        err(&metric(r#""aggregators": [{"name": null}]"#)),
        internal("JsonNull")
    );
    assert_eq!(
        err(&metric(r#""aggregators": [{"name": []}]"#)),
        QueryError::Internal(None)
    );
    assert_eq!(
        err(&metric(r#""aggregators": {}"#)),
        internal("This is not a JSON Array.")
    );
    assert_eq!(
        err(&metric(r#""group_by": null"#)),
        internal("This is not a JSON Array.")
    );
    assert_eq!(
        err(&metric(r#""aggregators": [5]"#)),
        internal("Not a JSON Object: 5")
    );
}

#[test]
fn metric_members_convert_like_gson() {
    let m = ok(&metric(
        r#""limit": 5.9, "exclude_tags": "TRUE", "order": "DESC", "alias": "x""#,
    ));
    assert_eq!(
        (m.limit, m.exclude_tags, m.order, m.alias.as_deref()),
        (5, true, Order::Desc, Some("x"))
    );
    assert_eq!(ok(&metric(r#""limit": "7", "exclude_tags": 1"#)).limit, 7);
    assert!(!ok(&metric(r#""exclude_tags": 1"#)).exclude_tags);
    assert_eq!(ok(&metric(r#""limit": 4294967297"#)).limit, 1);
    assert_eq!(
        err(&metric(r#""order": "up""#)),
        bad_request("query.metric[0].order must be either 'asc' or 'desc'")
    );
    // `order` is checked after the processors and plugins.
    assert_eq!(
        err(&metric(
            r#""order": "up", "aggregators": [{"name": "nope"}]"#
        )),
        bad_request("query.metric[0].aggregators[0].nope invalid aggregators name")
    );
    assert_eq!(
        err(&metric(r#""order": "up", "plugins": [{"name": "p"}]"#)),
        bad_request("query.metric[0].plugins[0].p invalid query plugin name")
    );
}

#[test]
fn tags_are_a_sorted_multimap() {
    let m = ok(&metric(
        r#""tags": {"b": ["y", "x", "y"], "a": "z", "c": 5, "d": [], "B": true}"#,
    ));
    let want: Vec<(String, Vec<String>)> = vec![
        ("B".into(), vec!["true".into()]),
        ("a".into(), vec!["z".into()]),
        ("b".into(), vec!["x".into(), "y".into()]),
        ("c".into(), vec!["5".into()]),
    ];
    assert_eq!(m.tags, want);
    assert_eq!(m.cache_string, "10:20:m:B=true:a=z:b=x:b=y:c=5:");
    let m = ok(&metric(r#""tags": {"host": "a", "host": "regex:b.*"}"#));
    assert_eq!(m.tags, vec![("host".into(), vec!["regex:b.*".into()])]);
    assert_eq!(
        err(&metric(r#""tags": "x""#)),
        bad_request(r#"java.lang.IllegalStateException: Not a JSON Object: "x""#)
    );
    assert_eq!(err(&metric(r#""tags": {"h": {}}"#)), internal("JsonObject"));
    assert_eq!(
        err(&metric(r#""tags": {"a": "1", "b": [null]}"#)),
        bad_request("query.metric[0].tags[1].b value must not be null or empty")
    );
    // Tags are checked before the name.
    let q = format!(r#"{{{SPAN}, "metrics": [{{"tags": {{"": "x"}}}}]}}"#);
    assert_eq!(
        err(&q),
        bad_request("query.metric[0].tags[0] name must not be empty")
    );
}

#[test]
fn query_level_members() {
    let q = |members: &str| format!(r#"{{{members}, "metrics": [{{"name": "m"}}]}}"#);
    assert_eq!(ok(&q(r#""start_absolute": 1.9"#)).start, 1);
    assert_eq!(ok(&q(r#""start_absolute": "-5""#)).start, -5);
    assert_eq!(
        ok(&q(r#""start_absolute": 1e3, "start_absolute": 7"#)).start,
        7
    );
    assert_eq!(
        err(&q(r#""start_absolute": "1.9""#)),
        bad_request(r#"java.lang.NumberFormatException: For input string: "1.9""#)
    );
    assert_eq!(
        err(&q(r#""start_absolute": true"#)),
        bad_request("java.lang.IllegalStateException: Expected NUMBER but was BOOLEAN")
    );
    assert_eq!(
        err(&q(r#""start_relative": 5"#)),
        bad_request("java.lang.IllegalStateException: Expected BEGIN_OBJECT but was NUMBER")
    );
    assert_eq!(
        err(&q(r#""start_relative": {"value": 1}"#)),
        bad_request("start_relative.unit may not be null")
    );
    assert_eq!(
        err(&q(r#""start_relative": {"value": 1, "unit": {}}"#)),
        internal("JsonObject")
    );
    assert_eq!(
        err(&q(
            r#""cache_time": -1, "start_relative": {"value": -1, "unit": "days"}"#
        )),
        QueryError::BadRequest(vec![
            "cache_time must be greater than or equal to 0".into(),
            "start_relative.value must be greater than or equal to 0".into(),
        ])
    );
    // Gson reads members in document order: the first bad one is reported.
    assert_eq!(
        err(&q(
            r#""start_relative": {"value": 1, "unit": "x"}, "time_zone": "bogus""#
        )),
        bad_request(&format!(
            "query.x is not a valid time unit, must be one of {UNIT_LIST}"
        ))
    );
    let m = ok(&q(
        r#""start_relative": {"value": "2", "unit": "Hours"}, "end_relative": {"value": 1.9, "unit": "hours"}"#,
    ));
    assert_eq!((m.start, m.end), (NOW - 7_200_000, NOW - 3_600_000));
    assert_eq!(
        m.cache_string,
        "Duration{value=2, unit=HOURS}:Duration{value=1, unit=HOURS}:m:"
    );
    let m = ok(&q(r#""start_absolute": 5, "end_absolute": 5"#));
    assert_eq!((m.start, m.end), (5, 5));
    let parsed = parse(&q(
        r#""start_absolute": 5, "time_zone": "", "cache_time": "30""#,
    ));
    assert_eq!(
        parsed.map(|p| (p.time_zone, p.cache_time)),
        Ok((Some("UTC".into()), 30))
    );
    let parsed = parse(&q(r#""start_absolute": 5, "time_zone": "Asia/Kabul""#));
    assert_eq!(parsed.map(|p| p.time_zone), Ok(Some("Asia/Kabul".into())));
    let parsed = parse(&q(r#""start_absolute": 5"#));
    assert_eq!(parsed.map(|p| (p.time_zone, p.cache_time)), Ok((None, 0)));
}

#[test]
fn plugins_do_not_exist() {
    let q = |plugins: &str| format!(r#"{{"plugins": {plugins}}}"#);
    assert_eq!(
        err(&q(r#"[{"name": "p"}]"#)),
        bad_request(".plugins[0].p invalid query plugin name")
    );
    assert_eq!(
        err(&q(r#"[{"x": 1}, {"name": "p"}]"#)),
        bad_request("plugins[0] must have a name")
    );
    assert_eq!(err(&q("5")), internal("This is not a JSON Array."));
    assert_eq!(
        err(&q("[]")),
        bad_request("query.metric[] must have a size of at least 1")
    );
    assert_eq!(
        err(&metric(r#""plugins": [{"name": ""}]"#)),
        bad_request("query.metric[0].plugins[0] must have a name")
    );
    assert_eq!(ok(&metric(r#""plugins": []"#)).name, "m");
}

#[test]
fn factories_get_the_query_context() {
    let (registry, seen) = fakes::registry();
    let text = r#"{"start_absolute": 10, "time_zone": "Asia/Kabul", "metrics": [{"name": "m",
        "order": "desc", "aggregators": [{"name": "avg"}],
        "group_by": [{"name": "tag", "tags": ["host"]}, {"name": "value", "range_size": 3}]}]}"#;
    let q = parse_query(text, &registry, &opts());
    let m = q.map(|q| q.metrics).unwrap_or_default();
    assert_eq!(m.len(), 1);
    assert_eq!(
        m[0].group_bys[0].tag_names(),
        Some(&["host".to_string()][..])
    );
    assert_eq!(m[0].group_bys[1].tag_names(), None);
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["tag", "value", "avg"]);
    let (_, ctx) = &seen[2];
    assert_eq!((ctx.start, ctx.end, ctx.now), (10, i64::MAX, NOW));
    assert_eq!(ctx.time_zone.as_deref(), Some("Asia/Kabul"));
    assert_eq!(ctx.default_time_zone, "America/Los_Angeles");
    assert_eq!(ctx.order, Order::Desc);
    assert!(ctx.sink.is_none());
    let gb: Vec<&str> = ctx.group_bys.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(gb, ["tag", "value"]);
    assert_eq!(
        ctx.group_bys[0].1,
        serde_json::json!({"name": "tag", "tags": ["host"]})
    );
    assert!(seen[0].1.group_bys.is_empty());
}

#[test]
fn factory_errors_map_to_status_and_context() {
    assert_eq!(
        err(&metric(r#""aggregators": [{"name": "avg"}, {"name": "strict", "x": 1}]"#)),
        bad_request("Property 'x' was specified for object 'strict' but no matching setter was found on 'class org.example.Strict'")
    );
    assert_eq!(
        err(&metric(r#""aggregators": [{"name": "strict", "boom": 1}]"#)),
        internal("cannot validate null")
    );
    assert_eq!(
        err(&metric(
            r#""aggregators": [{"name": "sum", "sampling": {"value": -2}}], "group_by": [{"name": "nope"}]"#
        )),
        bad_request("query.metric[0].group_by[0].nope invalid group_by name")
    );
}

#[test]
fn error_display() {
    assert_eq!(bad_request("a").to_string(), "bad request: a");
    assert_eq!(
        QueryError::Internal(None).to_string(),
        "internal error: null"
    );
}
