//! Table tests: one case per Java error text, the Java DataPointsParserTest cases, and the
//! ingestion payloads of `shared/conformance/unit`.

use plugin_api::{DataPoint, Value};

use super::{parse_datapoints, IngestFailure, IngestOutcome};
use crate::json::lenient::tests::conformance;
use crate::series::SeriesPoints;

fn run(body: &str) -> IngestOutcome {
    parse_datapoints(body.as_bytes())
}

fn tags(t: &[(&str, &str)]) -> Vec<(String, String)> {
    t.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn series(metric: &str, t: &[(&str, &str)], points: Vec<DataPoint>) -> SeriesPoints {
    SeriesPoints {
        metric: metric.into(),
        tags: tags(t),
        ttl: 0,
        points,
    }
}

fn long(ts: i64, v: i64) -> DataPoint {
    DataPoint::long(ts, v)
}

fn double(ts: i64, v: f64) -> DataPoint {
    DataPoint::double(ts, v)
}

fn text(ts: i64, v: &str) -> DataPoint {
    DataPoint {
        timestamp: ts,
        value: Value::Text(v.into()),
    }
}

/// One metric object with tag `a=b` around `fields`.
fn metric(fields: &str) -> String {
    format!(r#"[{{"name":"m","tags":{{"a":"b"}},{fields}}}]"#)
}

const M: &str = "metric[0](name=m)";

#[test]
fn validation_errors_have_the_java_texts() {
    let cases: Vec<(String, Vec<String>)> = vec![
        // name
        (
            r#"[{"tags":{"a":"b"}}]"#.into(),
            vec!["metric[0].name may not be null.".into()],
        ),
        (
            r#"[{"name":null,"tags":{"a":"b"}}]"#.into(),
            vec!["metric[0].name may not be null.".into()],
        ),
        (
            r#"[{"name":"","tags":{"a":"b"}}]"#.into(),
            vec!["metric[0].name may not be empty.".into()],
        ),
        // single value and timestamp
        (
            metric(r#""timestamp":1"#),
            vec![format!("{M}.value may not be null.")],
        ),
        (
            metric(r#""timestamp":1,"value":null"#),
            vec![format!("{M}.value may not be empty.")],
        ),
        (
            metric(r#""timestamp":1,"value":"""#),
            vec![format!("{M}.value may not be empty.")],
        ),
        (
            metric(r#""timestamp":1,"value":[]"#),
            vec![format!("{M}.value may not be an empty array.")],
        ),
        (
            metric(r#""timestamp":1,"value":[""]"#),
            vec![format!("{M}.value may not be empty.")],
        ),
        (
            metric(r#""value":1"#),
            vec![format!("{M}.timestamp may not be null.")],
        ),
        (
            metric(r#""timestamp":1,"value":"","type":"string""#),
            vec![],
        ),
        (
            metric(r#""timestamp":1,"type":"string""#),
            vec![format!("{M}.value may not be null.")],
        ),
        // tags
        (
            r#"[{"name":"m"}]"#.into(),
            vec![format!(
                "{M}.tags count must be greater than or equal to 1."
            )],
        ),
        (
            r#"[{"name":"m","tags":{}}]"#.into(),
            vec![format!(
                "{M}.tags count must be greater than or equal to 1."
            )],
        ),
        (
            r#"[{"name":"m","tags":{"a":"b","":"c"}}]"#.into(),
            vec![format!("{M}.tag[1].name may not be empty.")],
        ),
        (
            r#"[{"name":"m","tags":{"a":""}}]"#.into(),
            vec![format!("{M}.tag[a].value may not be empty.")],
        ),
        (
            r#"[{"name":"m","tags":{"a":null}}]"#.into(),
            vec![format!("{M}.tag[a].value may not be null.")],
        ),
        // Quirk: an empty name and value give two messages naming the tag by position.
        (
            r#"[{"name":"m","tags":{"x":"y","":""}}]"#.into(),
            vec![
                format!("{M}.tag[1].name may not be empty."),
                format!("{M}.tag[1].value may not be empty."),
            ],
        ),
        // Quirk: without a valid name, later messages carry the bare index.
        (
            r#"[{"name":"","value":1}]"#.into(),
            vec![
                "metric[0].name may not be empty.".into(),
                "metric[0].timestamp may not be null.".into(),
                "metric[0].tags count must be greater than or equal to 1.".into(),
            ],
        ),
        // value types
        (
            metric(r#""timestamp":1,"value":{}"#),
            vec![format!("{M} value is an invalid type")],
        ),
        (
            metric(r#""timestamp":1,"value":[5]"#),
            vec![format!("{M} value is an invalid type")],
        ),
        (
            metric(r#""timestamp":1,"value":[[5]]"#),
            vec![format!("{M} value is an invalid type")],
        ),
        (
            metric(r#""datapoints":[[1,{}]]"#),
            vec![format!("{M} value is an invalid type")],
        ),
        (
            metric(r#""timestamp":1,"value":1,"type":"foo""#),
            vec!["Unregistered data point type 'foo'".into()],
        ),
        (
            metric(r#""datapoints":[[1,1,"foo"]]"#),
            vec!["Unregistered data point type 'foo'".into()],
        ),
        // datapoints entries
        (
            metric(r#""datapoints":[[]]"#),
            vec![format!(
                "{M}.datapoints[0].timestamp cannot be null or empty."
            )],
        ),
        (
            metric(r#""datapoints":[[1]]"#),
            vec![format!("{M}.datapoints[0].value cannot be null or empty.")],
        ),
        (
            metric(r#""datapoints":[[,2]]"#),
            vec![format!("{M}.datapoints[0].timestamp may not be null.")],
        ),
        (
            metric(r#""datapoints":[[null,2]]"#),
            vec![format!("{M}.datapoints[0].timestamp may not be null.")],
        ),
        (
            metric(r#""datapoints":[[2,]]"#),
            vec![format!("{M}.datapoints[0].value may not be empty.")],
        ),
        (
            metric(r#""datapoints":[[2,""]]"#),
            vec![format!("{M}.datapoints[0].value may not be empty.")],
        ),
        (
            metric(r#""datapoints":[[2,[]]]"#),
            vec![format!(
                "{M}.datapoints[0].value may not be an empty array."
            )],
        ),
        (metric(r#""datapoints":[[2,"","string"]]"#), vec![]),
        // Quirk: the entry index counts stored entries only.
        (
            metric(r#""datapoints":[[1,1],[2],[3,3],[4]]"#),
            vec![
                format!("{M}.datapoints[1].value cannot be null or empty."),
                format!("{M}.datapoints[2].value cannot be null or empty."),
            ],
        ),
        // The metric index counts objects of the array.
        (
            r#"[{"name":"m","tags":{"a":"b"}},{"name":"n"}]"#.into(),
            vec!["metric[1](name=n).tags count must be greater than or equal to 1.".into()],
        ),
        // an empty body and the end of input between array elements (twice: quirk)
        (
            "".into(),
            vec!["Invalid json. No content due to end of input.".into()],
        ),
        (
            " \n ".into(),
            vec!["Invalid json. No content due to end of input.".into()],
        ),
        (
            "[".into(),
            vec!["Invalid json. No content due to end of input.".into(); 2],
        ),
        (
            r#"[{"name":"m","tags":{"a":"b"},"datapoints":[[1,1]]},"#.into(),
            vec!["Invalid json. No content due to end of input.".into(); 2],
        ),
    ];
    for (body, want) in cases {
        let got = run(&body);
        assert_eq!(got.failure, None, "body {body}");
        assert_eq!(got.errors, want, "body {body}");
    }
}

fn fail(status: u16, message: Option<&str>) -> Option<IngestFailure> {
    Some(IngestFailure {
        status,
        message: message.map(str::to_string),
    })
}

#[test]
fn fatal_errors_have_the_java_status_and_text() {
    let lenient = "Use JsonReader.setLenient(true) to accept malformed JSON";
    let cases: Vec<(String, Option<IngestFailure>)> = vec![
        // 400: Gson syntax errors inside a metric object (JsonSyntaxException with cause)
        (
            r#"[{"name": "metric1", "timestamp": 1234, "value": }]"#.into(),
            fail(400, Some("com.google.gson.stream.MalformedJsonException: Expected value at line 1 column 50")),
        ),
        (
            r#"[{"name":"m","timestamp":1.5,"value":1,"tags":{"a":"b"}}]"#.into(),
            fail(400, Some("java.lang.NumberFormatException: Expected a long but was 1.5 at line 1 column 29")),
        ),
        (metric(r#""timestamp":"abc","value":1"#), fail(400, Some("java.lang.NumberFormatException: For input string: \"abc\""))),
        (metric(r#""ttl":1.5"#), fail(400, Some("java.lang.NumberFormatException: Expected an int but was 1.5 at line 1 column 40"))),
        ("[1]".into(), fail(400, Some("java.lang.IllegalStateException: Expected BEGIN_OBJECT but was NUMBER at line 1 column 3"))),
        (
            r#"[{"name":"m","tags":{"a":{}}}]"#.into(),
            fail(400, Some("java.lang.IllegalStateException: Expected a string but was BEGIN_OBJECT at line 1 column 27")),
        ),
        (metric(r#""datapoints":[5]"#), fail(400, Some("java.lang.IllegalStateException: Expected BEGIN_ARRAY but was NUMBER at line 1 column 46"))),
        (metric(r#""skip_validate":5"#), fail(400, Some("java.lang.IllegalStateException: Expected a boolean but was NUMBER at line 1 column 48"))),
        (r#"[{"name":"m","tags":{"a":"1","a":"2"}}]"#.into(), fail(400, Some("duplicate key: a"))),
        (r#"[{"name":"m""#.into(), fail(400, Some("java.io.EOFException: End of input at line 1 column 13"))),
        (r#"{"#.into(), fail(400, Some("java.io.EOFException: End of input at line 1 column 2"))),
        // 400: the strict outer reader (MalformedJsonException as is)
        (r#"[{"name":"m"},]"#.into(), fail(400, Some(&format!("{lenient} at line 1 column 16")))),
        ("[abc]".into(), fail(400, Some(&format!("{lenient} at line 1 column 2")))),
        ("123".into(), fail(400, Some(&format!("{lenient} at line 1 column 1")))),
        ("\"abc\"".into(), fail(400, Some(&format!("{lenient} at line 1 column 2")))),
        ("/* c */ []".into(), fail(400, Some(&format!("{lenient} at line 1 column 2")))),
        // 500: Java exceptions outside Gson's adapters
        (metric(r#""datapoints":[["x",1]]"#), fail(500, Some("For input string: \"x\""))),
        (metric(r#""datapoints":[["1.5",1]]"#), fail(500, Some("For input string: \"1.5\""))),
        (metric(r#""datapoints":[[true,1]]"#), fail(500, Some("For input string: \"true\""))),
        (metric(r#""datapoints":[[1,2,null]]"#), fail(500, Some("JsonNull"))),
        (metric(r#""datapoints":[null]"#), fail(500, None)),
        (metric(r#""timestamp":1,"value":[1,2]"#), fail(500, None)),
        (metric(r#""timestamp":1,"value":[[]]"#), fail(500, None)),
        (metric(r#""timestamp":1,"value":[null]"#), fail(500, Some("JsonNull"))),
        (metric(r#""timestamp":1,"value":[{}]"#), fail(500, Some("JsonObject"))),
        (metric(r#""timestamp":1,"value":{},"type":"long""#), fail(500, Some("JsonObject"))),
        (metric(r#""timestamp":1,"value":null,"type":"string""#), fail(500, Some("JsonNull"))),
        (metric(r#""timestamp":1,"value":"abc","type":"long""#), fail(500, Some("For input string: \"abc\""))),
        (metric(r#""timestamp":1,"value":".5.5""#), fail(500, Some("multiple points"))),
        (metric(r#""timestamp":1,"value":"\uzzzz""#), fail(500, Some("\\uzzzz"))),
        ("[null]".into(), fail(500, None)),
        (r#"[{"skip_validate":true,"timestamp":1,"value":1}]"#.into(), fail(500, None)),
        (r#"[{"name":"m","skip_validate":true,"datapoints":[[null,1]]}]"#.into(), fail(500, None)),
        (r#"[{"name":"m","skip_validate":true,"tags":{"a":null}}]"#.into(), fail(500, Some("null value in entry: a=null"))),
        (r#"[{"name":"m","tags":[[null,"x"]]}]"#.into(), fail(500, Some("key == null"))),
    ];
    for (body, want) in cases {
        let got = run(&body);
        assert_eq!(got.failure, want, "body {body}");
        assert!(got.errors.is_empty(), "body {body}: {:?}", got.errors);
    }
    let bad = parse_datapoints(b"[{\"name\":\"\xff\"}]");
    assert_eq!(
        bad.failure,
        fail(400, Some("cannot parse body: invalid UTF-8 at byte 10"))
    );
}

/// The single value stored for `"value": <json>` (with `extra` fields), or the error.
fn single(value: &str, extra: &str) -> Result<Value, String> {
    let got = run(&metric(&format!(r#""timestamp":7,"value":{value}{extra}"#)));
    if let Some(f) = got.failure {
        return Err(f.message.unwrap_or_default());
    }
    if let Some(e) = got.errors.first() {
        return Err(e.clone());
    }
    got.series
        .first()
        .and_then(|s| s.points.first())
        .map(|p| p.value.clone())
        .ok_or_else(|| "no point".to_string())
}

#[test]
fn value_types_are_detected_as_in_java() {
    let cases: Vec<(&str, &str, Value)> = vec![
        // numbers: a `.` in the literal makes a double; exponents are evaluated and truncated
        ("1", "", Value::Long(1)),
        ("-3", "", Value::Long(-3)),
        ("-0", "", Value::Long(0)),
        ("1.0", "", Value::Double(1.0)),
        ("1.5e3", "", Value::Double(1500.0)),
        ("1e3", "", Value::Long(1000)),
        ("1E-3", "", Value::Long(0)),
        ("18446744073709551617", "", Value::Long(1)),
        ("9223372036854775808", "", Value::Long(i64::MIN)),
        // numeric-looking strings become numbers (Util.isNumber)
        ("\"123\"", "", Value::Long(123)),
        ("\"+5\"", "", Value::Long(5)),
        ("\"0.000000\"", "", Value::Double(0.0)),
        ("\".5\"", "", Value::Double(0.5)),
        ("\"٣\"", "", Value::Long(3)),
        ("01", "", Value::Long(1)),
        // other strings and booleans are text
        ("\"1e5\"", "", Value::Text("1e5".into())),
        ("\" 12\"", "", Value::Text(" 12".into())),
        ("\"NaN\"", "", Value::Text("NaN".into())),
        ("true", "", Value::Text("true".into())),
        ("'single'", "", Value::Text("single".into())),
        // explicit types convert without detection
        ("\"\"", r#","type":"string""#, Value::Text("".into())),
        ("1.50", r#","type":"string""#, Value::Text("1.50".into())),
        ("7", r#","type":"string""#, Value::Text("7".into())),
        ("[5]", r#","type":"long""#, Value::Long(5)),
        ("1.9", r#","type":"long""#, Value::Long(1)),
        ("\"2.5\"", r#","type":"double""#, Value::Double(2.5)),
        ("5", r#","type":"double""#, Value::Double(5.0)),
    ];
    for (value, extra, want) in cases {
        assert_eq!(single(value, extra), Ok(want), "value {value}{extra}");
    }
    let nan = single("\"NaN\"", r#","type":"double""#);
    assert!(matches!(nan, Ok(Value::Double(v)) if v.is_nan()));
}

#[test]
fn entries_take_their_type_from_the_third_element() {
    let got = run(&metric(
        r#""type":"double","datapoints":[[1,5],[2,"x","string"],[3,6,"long"],[4,"7"]]"#,
    ));
    assert_eq!(got.errors, Vec::<String>::new());
    assert_eq!(
        got.series,
        vec![series(
            "m",
            &[("a", "b")],
            vec![double(1, 5.0), text(2, "x"), long(3, 6), double(4, 7.0)]
        )]
    );
}

#[test]
fn members_follow_the_java_bean() {
    // `time` beats `timestamp`; the single point comes before `datapoints`; ttl; sorted tags.
    let got = run(
        r#"{"tags":{"z":"1","a":"2"},"datapoints":[[5,5]],"timestamp":1,"time":2,"value":3,"ttl":"60","name":"m","extra":{"x":[1]}}"#,
    );
    let mut want = series("m", &[("a", "2"), ("z", "1")], vec![long(2, 3), long(5, 5)]);
    want.ttl = 60;
    assert_eq!(
        got,
        IngestOutcome {
            series: vec![want],
            errors: vec![],
            failure: None
        }
    );
    // tags as an array of pairs; numbers and booleans as text; a null value overwritten
    let got = run(
        r#"[{"name":1,"tags":[["k",true],["n",2.50]],"datapoints":[[1,1]]},{"name":"m","tags":{"a":null,"a":"x"},"datapoints":[[1,1]]}]"#,
    );
    assert_eq!(got.errors, Vec::<String>::new());
    assert_eq!(got.series[0].metric, "1");
    assert_eq!(got.series[0].tags, tags(&[("k", "true"), ("n", "2.50")]));
    assert_eq!(got.series[1].tags, tags(&[("a", "x")]));
    // skip_validate skips the checks: no tags, null timestamps allowed until a point needs one
    let got = run(r#"[{"name":"m","skip_validate":"TRUE","datapoints":[[1,{}],[2,2]]}]"#);
    assert_eq!(
        got.errors,
        vec!["metric[0] value is an invalid type".to_string()]
    );
    assert_eq!(got.series, vec![series("m", &[], vec![long(2, 2)])]);
    // an object with nothing to store, and an empty array
    assert_eq!(
        run(r#"{"name":"m","tags":{"a":"b"}}"#),
        IngestOutcome::default()
    );
    assert_eq!(run("[]"), IngestOutcome::default());
    // lenient objects, strict outer array; content after the top-level value is ignored
    let got = run("[{name:m, tags:{a:b}, datapoints:[[1,1];[2,2];[3,]] # c\n}] trailing");
    assert_eq!(got.failure, None);
    assert_eq!(
        got.errors,
        vec![format!("{M}.datapoints[2].value may not be empty.")]
    );
    assert_eq!(
        got.series,
        vec![series("m", &[("a", "b")], vec![long(1, 1), long(2, 2)])]
    );
}

#[test]
fn points_around_errors_are_kept() {
    // valid points before and after invalid ones, and objects after an invalid object
    let got = run(concat!(
        r#"[{"name":"m","tags":{"a":"b"},"datapoints":[[1,1],[2],[3,3]]},"#,
        r#"{"name":"","datapoints":[[1,1]]},"#,
        r#"{"name":"n","tags":{"a":"b"},"datapoints":[[4,4]]}]"#
    ));
    assert_eq!(got.failure, None);
    assert_eq!(
        got.errors,
        vec![
            format!("{M}.datapoints[1].value cannot be null or empty."),
            "metric[1].name may not be empty.".to_string(),
            "metric[1].tags count must be greater than or equal to 1.".to_string(),
        ]
    );
    assert_eq!(
        got.series,
        vec![
            series("m", &[("a", "b")], vec![long(1, 1), long(3, 3)]),
            series("n", &[("a", "b")], vec![long(4, 4)]),
        ]
    );
    // a syntax error keeps the objects read before it and drops collected messages
    let got = run(
        r#"[{"name":"m","tags":{"a":"b"},"datapoints":[[1,1]]},{"name":""},{"name":"x","value":}]"#,
    );
    assert_eq!(
        got.series,
        vec![series("m", &[("a", "b")], vec![long(1, 1)])]
    );
    assert!(got.errors.is_empty());
    assert_eq!(got.failure.map(|f| f.status), Some(400));
    // a Java exception keeps the points of the same object created before it
    let got = run(&metric(r#""datapoints":[[1,1],["x",2]]"#));
    assert_eq!(
        got.series,
        vec![series("m", &[("a", "b")], vec![long(1, 1)])]
    );
    assert_eq!(got.failure.map(|f| f.status), Some(500));
    // the end of input between elements keeps what was complete
    let got = run(&metric(r#""datapoints":[[1,1]]"#).replace("}]", "}"));
    assert_eq!(got.series.len(), 1);
    assert_eq!(got.errors.len(), 2);
}

/// DataPointsParserTest (TEST/core/http/rest/json/DataPointsParserTest.java), case by case.
#[test]
fn java_data_points_parser_test() {
    let errs = |body: &str| run(body).errors;
    let count = |body: &str| {
        run(body)
            .series
            .iter()
            .map(|s| s.points.len())
            .sum::<usize>()
    };
    // test_emptyJson_Invalid
    assert_eq!(
        errs(""),
        vec!["Invalid json. No content due to end of input."]
    );
    // test_nullMetricName_Invalid
    assert_eq!(
        errs(
            r#"[{"name": "metric1", "timestamp": 1234, "value": 456, "datapoints": [[1,2]], "tags":{"foo":"bar"}}, {"datapoints": [[1,2]], "tags":{"foo":"bar"}}]"#
        ),
        vec!["metric[1].name may not be null."]
    );
    // test_timestampButNoValue_Invalid
    assert_eq!(
        errs(r#"[{"name": "metric1", "timestamp": 1234, "tags": {"foo":"bar"}}]"#),
        vec!["metric[0](name=metric1).value may not be null."]
    );
    // test_valueButNoTimestamp_Invalid
    assert_eq!(
        errs(r#"[{"name": "metric1", "value": 1234, "tags":{"foo":"bar"}}]"#),
        vec!["metric[0](name=metric1).timestamp may not be null."]
    );
    // test_timestamp_Zero_Valid, test_Timestamp_Negative_Valid
    assert_eq!(
        count(r#"[{"name": "metric1", "timestamp": 0, "value": 1234, "tags":{"foo":"bar"}}]"#),
        1
    );
    assert_eq!(
        count(r#"[{"name": "metric1", "timestamp": -1, "value": 1234, "tags":{"foo":"bar"}}]"#),
        1
    );
    // test_datapoints_empty_Invalid, _empty_value_Invalid, _empty_timestamp_Invalid
    assert_eq!(
        errs(r#"[{"name": "metric1", "tags":{"foo":"bar"}, "datapoints": [[]]}]"#),
        vec!["metric[0](name=metric1).datapoints[0].timestamp cannot be null or empty."]
    );
    assert_eq!(
        errs(r#"[{"name": "metric1", "tags":{"foo":"bar"}, "datapoints": [[2,]]}]"#),
        vec!["metric[0](name=metric1).datapoints[0].value may not be empty."]
    );
    assert_eq!(
        errs(r#"[{"name": "metric1", "tags":{"foo":"bar"}, "datapoints": [[,2]]}]"#),
        vec!["metric[0](name=metric1).datapoints[0].timestamp may not be null."]
    );
    // test_emptyMetricName_Invalid
    assert_eq!(
        errs(r#"[{"name": "", "tags":{"foo":"bar"}, "datapoints": [[1,2]]}]"#),
        vec!["metric[0].name may not be empty."]
    );
    // test_metricName_validCharacters
    assert_eq!(
        count(r#"[{"name": "bad:你好name", "tags":{"foo":"bar"}, "datapoints": [[1,2]]}]"#),
        1
    );
    // test_emptyTags_Invalid
    assert_eq!(
        errs(
            r#"[{"name": "metricName", "timestamp": 12345, "value": 456, "datapoints": [[1,2]]}]"#
        ),
        vec!["metric[0](name=metricName).tags count must be greater than or equal to 1."]
    );
    // test_datapoints_timestamp_zero_Valid, _negative_Valid
    assert_eq!(
        count(r#"[{"name": "metric1", "tags":{"foo":"bar"}, "datapoints": [[0,2]]}]"#),
        1
    );
    assert_eq!(
        count(r#"[{"name": "metric1", "tags":{"foo":"bar"}, "datapoints": [[-1,2]]}]"#),
        1
    );
    // test_emptyTagName_Invalid (nothing stored)
    let body = r#"[{"name": "metricName", "tags":{"":"bar"}, "datapoints": [[1,2]]}]"#;
    assert_eq!(
        errs(body),
        vec!["metric[0](name=metricName).tag[0].name may not be empty."]
    );
    assert_eq!(count(body), 0);
    // test_tagName_withColon, test_tagValue_withColon
    assert!(
        errs(r#"[{"name": "metricName", "tags":{"bad:name":"bar"}, "datapoints": [[1,2]]}]"#)
            .is_empty()
    );
    assert!(
        errs(r#"[{"name": "metricName", "tags":{"foo":"bad:value"}, "datapoints": [[1,2]]}]"#)
            .is_empty()
    );
    // test_emptyTagValue_Invalid
    assert_eq!(
        errs(r#"[{"name": "metricName", "tags":{"foo":""}, "datapoints": [[1,2]]}]"#),
        vec!["metric[0](name=metricName).tag[foo].value may not be empty."]
    );
    // test_multipleValidationFailures
    assert_eq!(
        errs(r#"[{"name": "metricName", "timestamp": 456, "value":"", "tags":{"name":""}}]"#),
        vec![
            "metric[0](name=metricName).value may not be empty.",
            "metric[0](name=metricName).tag[name].value may not be empty."
        ]
    );
    // test_value_decimal_with_zeros
    assert!(errs(
        r#"[{"name": "metricName", "tags":{"foo":"bar"}, "datapoints": [[1, "0.000000"]]}]"#
    )
    .is_empty());
    // test_validJsonWithTimestampValue, test_justObjectNoArray_valid
    for body in [
        r#"[{"name": "metric1", "timestamp": 1234, "value": 4321, "tags":{"foo":"bar"}}]"#,
        r#"{"name": "metric1", "timestamp": 1234, "value": 4321, "tags":{"foo":"bar"}}"#,
    ] {
        assert_eq!(
            run(body).series,
            vec![series("metric1", &[("foo", "bar")], vec![long(1234, 4321)])]
        );
    }
    // test_invalidJson (JsonSyntaxException)
    let got = run(r#"[{"name": "metric1", "timestamp": 1234, "value": }]"#);
    assert_eq!(got.failure.map(|f| f.status), Some(400));
    // test_validJsonWithTimestampValueAndDataPoints
    assert_eq!(
        run(r#"[{"name": "metric1", "time": 1234, "value": 4321, "datapoints": [[456, 654]], "tags":{"foo":"bar"}}]"#).series,
        vec![series("metric1", &[("foo", "bar")], vec![long(1234, 4321), long(456, 654)])]
    );
    // test_stringWithNoType_valid, test_stringWithNoTypeAsArray_valid
    let want = vec![series(
        "metric1",
        &[("foo", "bar")],
        vec![text(1234, "The Value")],
    )];
    assert_eq!(
        run(
            r#"{"name": "metric1", "timestamp": 1234, "value": "The Value", "tags":{"foo":"bar"}}"#
        )
        .series,
        want
    );
    assert_eq!(
        run(r#"[{"name": "metric1","datapoints": [[1234, "The Value"]],"tags": {"foo": "bar"}}]"#)
            .series,
        want
    );
    // test_stringContainsInteger_valid, test_stringContainsDouble_valid
    assert_eq!(
        run(r#"{"name": "metric1", "timestamp": 1234, "value": "123", "tags":{"foo":"bar"}}"#)
            .series,
        vec![series("metric1", &[("foo", "bar")], vec![long(1234, 123)])]
    );
    assert_eq!(
        run(r#"{"name": "metric1", "timestamp": 1234, "value": "123.3", "tags":{"foo":"bar"}}"#)
            .series,
        vec![series(
            "metric1",
            &[("foo", "bar")],
            vec![double(1234, 123.3)]
        )]
    );
    // test_valueType_invalid, test_valueType_dataPointArray_invalid
    assert_eq!(
        errs(r#"{"name": "metric1", "timestamp": 1234, "value": {}, "tags":{"foo":"bar"}}"#),
        vec!["metric[0](name=metric1) value is an invalid type"]
    );
    assert_eq!(
        errs(r#"{"name": "metric1", "datapoints": [[1349109376, {}]], "tags":{"foo":"bar"}}"#),
        vec!["metric[0](name=metric1) value is an invalid type"]
    );
}

#[test]
fn conformance_payloads() {
    let ok = |file: &str| {
        let got = run(&conformance(&format!("unit/{file}")));
        assert_eq!(
            (got.failure.clone(), got.errors.clone()),
            (None, vec![]),
            "{file}"
        );
        got.series
    };
    let t = [("host", "test")];
    assert_eq!(
        ok("multi-metric-long.json"),
        vec![
            series("archive.file.tracked", &t, vec![long(1349109376, 123)]),
            series("archive.file.search", &t, vec![long(999, 321)]),
        ]
    );
    assert_eq!(
        ok("multi-metric-timestamp-zero.json"),
        vec![
            series("archive.file.tracked", &t, vec![long(1349109376, 123)]),
            series("archive.file.search", &t, vec![long(0, 321)]),
        ]
    );
    assert_eq!(
        ok("multiple-datapoints-metric.json"),
        vec![series(
            "archive.file.tracked",
            &t,
            vec![
                long(1349109376, 123),
                double(1349109377, 13.2),
                double(1349109378, 23.1)
            ]
        )]
    );
    assert_eq!(
        ok("single-metric-long.json"),
        vec![series(
            "archive.file.tracked",
            &t,
            vec![long(1349109376, 123)]
        )]
    );
    assert_eq!(
        ok("single-metric-double.json"),
        vec![series(
            "governance.file.tracked",
            &t,
            vec![double(1349109376, 123.56)]
        )]
    );
    let two = [("customer", "Acme"), ("host", "server2")];
    assert_eq!(
        ok("json-metric-parser-multiple-metric.json"),
        vec![
            series(
                "archive_file_tracked",
                &[("host", "server1")],
                vec![
                    long(1349109376, 123),
                    double(1349109377, 13.2),
                    double(1349109378, 23.1)
                ]
            ),
            series("archive_file_search", &two, vec![long(1349109378, 321)]),
        ]
    );
    assert_eq!(
        ok("json-metric-parser-metrics-with-type.json"),
        vec![
            series(
                "archive_file_tracked",
                &[("host", "server1")],
                vec![
                    long(1349109376, 123),
                    double(1349109377, 13.2),
                    double(1349109378, 23.1),
                    text(1349109378, "string_data"),
                ]
            ),
            series("archive_file_search", &two, vec![long(1349109378, 321)]),
            series(
                "archive_file_search_text",
                &two,
                vec![text(1349109378, "sweet")]
            ),
        ]
    );
    // MetricsResourceTest.testAddMissingName
    let got = run(&conformance("unit/single-metric-missing-name.json"));
    assert_eq!(got.errors, vec!["metric[0].name may not be empty."]);
    assert!(got.series.is_empty());
}
