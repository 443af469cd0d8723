//! Table tests: one case per Java error text, PutCommandTest, and the command semantics.

use plugin_api::{DataPoint, Value};

use super::{parse_line, Command, TelnetError};
use crate::series::SeriesPoints;

fn put(metric: &str, tags: &[(&str, &str)], ttl: i64, timestamp: i64, value: Value) -> Command {
    Command::Put(SeriesPoints {
        metric: metric.into(),
        tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ttl,
        points: vec![DataPoint { timestamp, value }],
    })
}

fn err(line: &str) -> String {
    match parse_line(line.as_bytes()) {
        Ok(c) => format!("parsed: {c:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn errors_have_the_java_texts() {
    let cases: Vec<(&str, &str)> = vec![
        // missing words (List.get)
        ("put", "Index: 2, Size: 1"),
        ("put m", "Index: 2, Size: 2"),
        ("putm m 1", "Index: 3, Size: 3"),
        ("puts m 1", "Index: 3, Size: 3"),
        // metric name
        (
            "put \"\" 12345678999 789 foo=bar",
            "metricName may not be empty.",
        ),
        // Util.parseLong (timestamps, integer values)
        ("put m abc 1", "Malformed:  abc"),
        ("put m +3 1", "Malformed:  +3"),
        ("put m 12a 1", "Malformed:  12a"),
        ("put m - 1", "Missing digits:  -"),
        (
            "put m 9223372036854775808 1",
            "Over/underflow:  9223372036854775808",
        ),
        (
            "put m 99999999999999999999x 1",
            "Over/underflow:  99999999999999999999x",
        ),
        ("put m \"\" 1", "String index out of range: 0"),
        ("put m 1 1e5", "Malformed:  1e5"),
        ("put m 1 nan", "Malformed:  nan"),
        ("put m 1 inf", "Malformed:  inf"),
        // Double.parseDouble (values with a dot)
        ("put m 1 1.5x", "For input string: \"1.5x\""),
        ("put m 1 nan.", "For input string: \"nan.\""),
        ("put m 1 1.2.3", "multiple points"),
        // tags
        (
            "put m 1 1 foo=bar fum=",
            "tag[1] must be in the format 'name=value'.",
        ),
        (
            "put m 1 1 foo=bar fum-barfum",
            "tag[1] must be in the format 'name=value'.",
        ),
        ("put m 1 1 =", "tag[0] must be in the format 'name=value'."),
        (
            "put m 1 1 k==",
            "tag[0] must be in the format 'name=value'.",
        ),
        (
            "put m 1 1 kairos_opt.ttl=",
            "tag[0] must be in the format 'name=value'.",
        ),
        ("put m 1 1 foo=bar =barfum", "tag[1].name may not be empty."),
        (
            "put m 1 1 kairos_opt.ttl=5 =x",
            "tag[0].name may not be empty.",
        ),
        ("put m 1 1 k==v", "tag[0].value may not be empty."),
        (
            "put m 1 1 kairos_opt.ttl=abc",
            "tag[kairos_opt.ttl] must be a number",
        ),
        (
            "put m 1 1 kairos_opt.ttl=1.5",
            "tag[kairos_opt.ttl] must be a number",
        ),
        (
            "put m 1 1 kairos_opt.ttl=2147483648",
            "tag[kairos_opt.ttl] must be a number",
        ),
        (
            "put m 1 1 a=1 b=2 a=3",
            "Multiple entries with same key: a=1 and a=3",
        ),
    ];
    for (line, want) in cases {
        assert_eq!(err(line), want, "line {line:?}");
    }
    assert_eq!(parse_line(b"put m 1 1 a=\xff"), Err(TelnetError::NotUtf8));
    assert_eq!(
        TelnetError::NotUtf8.to_string(),
        "cannot parse line: not valid UTF-8"
    );
}

/// TEST/core/telnet/PutCommandTest.java.
#[test]
fn java_put_command_test() {
    assert_eq!(
        parse_line(b"put MetricName 12345678999 789 foo=bar fum=barfum"),
        Ok(put(
            "MetricName",
            &[("foo", "bar"), ("fum", "barfum")],
            0,
            12345678999,
            Value::Long(789)
        ))
    );
    assert_eq!(
        err("put \"\" 12345678999 789 foo=bar fum=barfum"),
        "metricName may not be empty."
    );
    assert!(parse_line("put 你好 12345678999 789 foo=bar fum=barfum".as_bytes()).is_ok());
    assert_eq!(
        err("put metricName 12345678999 789 foo=bar =barfum"),
        "tag[1].name may not be empty."
    );
    assert!(parse_line(b"put metricName 12345678999 789 foo=bar fum:fi=barfum").is_ok());
    assert_eq!(
        err("put metricName 12345678999 789 foo=bar fum="),
        "tag[1] must be in the format 'name=value'."
    );
    assert!(parse_line(b"put metricName 12345678999 789 foo=bar fum=bar:fum").is_ok());
    assert_eq!(
        err("put metricName 12345678999 789 foo=bar fum-barfum"),
        "tag[1] must be in the format 'name=value'."
    );
}

#[test]
fn commands_follow_spec_5_2() {
    let h = [("host", "a")];
    let cases: Vec<(&str, Command)> = vec![
        // put: seconds below 3e9 (also negative ones) become milliseconds
        (
            "put sys.cpu 1700000000 12.5 host=a",
            put("sys.cpu", &h, 0, 1_700_000_000_000, Value::Double(12.5)),
        ),
        ("put m -5 1 host=a", put("m", &h, 0, -5000, Value::Long(1))),
        (
            "put m 2999999999 1 host=a",
            put("m", &h, 0, 2_999_999_999_000, Value::Long(1)),
        ),
        (
            "put m 3000000000 1 host=a",
            put("m", &h, 0, 3_000_000_000, Value::Long(1)),
        ),
        // putm: milliseconds as given; the ttl option is not a tag
        (
            "putm sys.cpu 1700000000 13 host=a kairos_opt.ttl=600",
            put("sys.cpu", &h, 600, 1_700_000_000, Value::Long(13)),
        ),
        (
            "putm m 1 1 kairos_opt.ttl=+600 host=a",
            put("m", &h, 600, 1, Value::Long(1)),
        ),
        (
            "putm m -9223372036854775808 -9223372036854775808 host=a",
            put("m", &h, 0, i64::MIN, Value::Long(i64::MIN)),
        ),
        // puts: the word verbatim
        (
            "puts deploy.note 1700000000123 \"release 42\" host=a",
            put(
                "deploy.note",
                &h,
                0,
                1_700_000_000_123,
                Value::Text("release 42".into()),
            ),
        ),
        (
            "puts m 1 12 host=a",
            put("m", &h, 0, 1, Value::Text("12".into())),
        ),
        // values with a dot are doubles (Double.parseDouble)
        ("putm m 1 .5 host=a", put("m", &h, 0, 1, Value::Double(0.5))),
        ("putm m 1 1. host=a", put("m", &h, 0, 1, Value::Double(1.0))),
        (
            "putm m 1 1.5e3 host=a",
            put("m", &h, 0, 1, Value::Double(1500.0)),
        ),
        (
            "putm m 1 1.5d host=a",
            put("m", &h, 0, 1, Value::Double(1.5)),
        ),
        (
            "putm m 1 -2.0 host=a",
            put("m", &h, 0, 1, Value::Double(-2.0)),
        ),
        (
            "putm m 1 0x1.8p1 host=a",
            put("m", &h, 0, 1, Value::Double(3.0)),
        ),
        (
            "putm m 1 1.0e400 host=a",
            put("m", &h, 0, 1, Value::Double(f64::INFINITY)),
        ),
        (
            "putm m 1 12.0 host=a",
            put("m", &h, 0, 1, Value::Double(12.0)),
        ),
        // tags: a=b=c keeps b; no tags gives add=tag; sorted in Java order
        (
            "putm m 1 1 a=b=c",
            put("m", &[("a", "b")], 0, 1, Value::Long(1)),
        ),
        (
            "putm m 1 1",
            put("m", &[("add", "tag")], 0, 1, Value::Long(1)),
        ),
        (
            "putm m 1 1 kairos_opt.ttl=5",
            put("m", &[("add", "tag")], 5, 1, Value::Long(1)),
        ),
        (
            "putm m 1 1 z=1 B=2 a=3",
            put(
                "m",
                &[("B", "2"), ("a", "3"), ("z", "1")],
                0,
                1,
                Value::Long(1),
            ),
        ),
        (
            "putm m 1 1 kairos_opt.ttl=5 kairos_opt.ttl=-7 h=x",
            put("m", &[("h", "x")], -7, 1, Value::Long(1)),
        ),
        // blanks and control chars separate words
        (
            "\tputm  m\t1 1  host=a \r",
            put("m", &h, 0, 1, Value::Long(1)),
        ),
        // other commands
        ("version", Command::Version),
        ("version now", Command::Version),
        ("exit", Command::Exit),
        ("", Command::Unknown(String::new())),
        ("   ", Command::Unknown(String::new())),
        ("PUT m 1 1", Command::Unknown("PUT".into())),
        ("help", Command::Unknown("help".into())),
    ];
    for (line, want) in cases {
        assert_eq!(parse_line(line.as_bytes()), Ok(want), "line {line:?}");
    }
}
