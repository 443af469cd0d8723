//! The Java unit tests (DataPointsParserTest) and the conformance ingestion payloads.

use super::{conformance, double, long, run, series, text};

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
