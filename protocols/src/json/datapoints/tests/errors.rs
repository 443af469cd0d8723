//! One case per Java error text: validation messages (400) and fatal errors (400/500).

use super::{metric, run, M};
use crate::json::datapoints::{parse_datapoints, IngestFailure};

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
