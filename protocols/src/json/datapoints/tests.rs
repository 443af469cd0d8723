//! Table tests of the ingestion parser: type detection and member semantics here; one case
//! per Java error text in `errors.rs`; DataPointsParserTest and the conformance payloads in
//! `java.rs`.

mod errors;
mod java;

use plugin_api::{DataPoint, Value};

use super::{parse_datapoints, IngestOutcome};
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
