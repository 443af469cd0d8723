use super::*;

fn number(v: f64) -> String {
    let mut out = Vec::new();
    push_number(&mut out, v);
    String::from_utf8(out).unwrap_or_default()
}

fn quoted(f: fn(&mut Vec<u8>, &str), s: &str) -> String {
    let mut out = Vec::new();
    f(&mut out, s);
    String::from_utf8(out).unwrap_or_default()
}

#[test]
fn double_to_string_follows_java() {
    let cases = [
        (1.0, "1.0"),
        (100.0, "100.0"),
        (-0.0, "-0.0"),
        (0.0, "0.0"),
        (2.5, "2.5"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (2.5e-5, "2.5E-5"),
        (1e7, "1.0E7"),
        (9999999.0, "9999999.0"),
        (12345678.0, "1.2345678E7"),
        (1.23456789e7, "1.23456789E7"),
        (30.200000000000003, "30.200000000000003"),
        (0.30000000000000004, "0.30000000000000004"),
        (123456.789, "123456.789"),
        (-1.5e300, "-1.5E300"),
        (1e16, "1.0E16"),
        (1e-7, "1.0E-7"),
        (0.00123, "0.00123"),
        (f64::MAX, "1.7976931348623157E308"),
        (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
        (f64::from_bits(1), "4.9E-324"),
        (f64::NAN, "NaN"),
        (f64::INFINITY, "Infinity"),
        (f64::NEG_INFINITY, "-Infinity"),
    ];
    for (v, want) in cases {
        assert_eq!(java_double_to_string(v), want, "{v:e}");
    }
}

#[test]
fn large_values_use_shortest_digits_not_jdk8_digits() {
    // JDK 8 prints 1.9999999999999998E23 here; shortest digits are the accepted deviation.
    assert_eq!(java_double_to_string(2e23), "2.0E23");
}

#[test]
fn number_strips_zeros_only_without_exponent() {
    let cases = [
        (1.0, "1"),
        (100.0, "100"),
        (-0.0, "-0"),
        (2.5, "2.5"),
        (0.001, "0.001"),
        (1e7, "1.0E7"),
        (1e-4, "1.0E-4"),
        (12345678.0, "1.2345678E7"),
        (30.200000000000003, "30.200000000000003"),
        (60.2, "60.2"),
        (1000000.0, "1000000"),
    ];
    for (v, want) in cases {
        assert_eq!(number(v), want, "{v:e}");
    }
}

#[test]
fn org_json_quote() {
    assert_eq!(quoted(push_quoted, ""), "\"\"");
    assert_eq!(quoted(push_quoted, "a\"b\\c"), r#""a\"b\\c""#);
    assert_eq!(quoted(push_quoted, "</x> a/b"), r#""<\/x> a/b""#);
    assert_eq!(quoted(push_quoted, "\u{8}\t\n\u{c}\r"), r#""\b\t\n\f\r""#);
    assert_eq!(quoted(push_quoted, "\u{1}\u{1f}"), r#""\u0001\u001f""#);
    assert_eq!(
        quoted(push_quoted, "\u{7f}\u{80}\u{9f}\u{a0}"),
        "\"\u{7f}\\u0080\\u009f\u{a0}\""
    );
    assert_eq!(
        quoted(push_quoted, "€ \u{2028} \u{20ff} \u{2100}"),
        "\"\\u20ac \\u2028 \\u20ff \u{2100}\""
    );
    assert_eq!(quoted(push_quoted, "héllo 😀 <&='>"), "\"héllo 😀 <&='>\"");
}

#[test]
fn gson_quote() {
    assert_eq!(
        quoted(push_gson_quoted, "<a href='x'>&=</a>"),
        r#""\u003ca href\u003d\u0027x\u0027\u003e\u0026\u003d\u003c/a\u003e""#
    );
    assert_eq!(
        quoted(push_gson_quoted, "\"\\\n\u{1}\u{2028}é"),
        "\"\\\"\\\\\\n\\u0001\\u2028é\""
    );
    assert_eq!(quoted(push_gson_plain_quoted, "<a='b'>&"), "\"<a='b'>&\"");
}

#[test]
fn jackson_quote() {
    assert_eq!(
        quoted(push_jackson_quoted, "a\u{1}\u{1f}\n</é>\u{2028}"),
        "\"a\\u0001\\u001F\\n</é>\u{2028}\""
    );
}

#[test]
fn points() {
    let mut out = Vec::new();
    let points = [
        DataPoint::long(1, 60),
        DataPoint::double(2, 30.200000000000003),
        DataPoint::double(3, 1.0),
        DataPoint::double(-4, 1e7),
        DataPoint {
            timestamp: 5,
            value: Value::Text("a\"</b>".into()),
        },
        DataPoint {
            timestamp: 6,
            value: Value::Null,
        },
    ];
    for p in &points {
        assert_eq!(push_point(&mut out, p), Ok(()));
    }
    assert_eq!(
        String::from_utf8(out).unwrap_or_default(),
        r#"[1,60][2,30.200000000000003][3,1][-4,1.0E7][5,"a\"<\/b>"][6,null]"#
    );
}

#[test]
fn non_finite_point_fails_with_java_text() {
    let mut out = Vec::new();
    assert_eq!(
        push_point(&mut out, &DataPoint::double(1234, f64::NAN)),
        Err("NaN or Infinity:NaN data point=DoubleDataPoint{m_value=NaN, m_timestamp=1234}".into())
    );
    assert_eq!(
        push_point(&mut out, &DataPoint::double(-5, f64::NEG_INFINITY)),
        Err("NaN or Infinity:-Infinity data point=DoubleDataPoint{m_value=-Infinity, m_timestamp=-5}".into())
    );
    assert!(out.is_empty());
}

#[test]
fn errors_body_is_jackson_compact() {
    assert_eq!(errors_body(&[]), b"{\"errors\":[]}".to_vec());
    assert_eq!(
        errors_body(&[Some("a \"b\"".into()), None, Some("c\td".into())]),
        br#"{"errors":["a \"b\"",null,"c\td"]}"#.to_vec()
    );
}

/// The allocation-free path of `push_number` writes what the general one writes.
#[test]
fn push_number_fast_path_matches_the_general_text() {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut values = vec![
        1e-3,
        0.001,
        0.0010000000000000002,
        9_999_999.999_999_998,
        1e7 - 1.0,
        1e7,
        0.5,
        100.0,
        123_456.0,
        -0.25,
        -42.0,
        3.25,
        0.1 + 0.2,
        0.0105,
        1.0001,
        -0.001,
        9_999_999.999_9,
        0.30000000000000004,
    ];
    for _ in 0..200_000 {
        let r = next();
        // Random doubles spread over the plain-decimal range and its edges...
        let mag = 10f64.powi((r % 12) as i32 - 4);
        values.push((next() as f64 / u64::MAX as f64) * mag * if r & 1 == 0 { 1.0 } else { -1.0 });
        // ...and gauge-like decimals with up to five digits.
        values.push((next() % 10_000_000) as f64 / 100.0);
        values.push(
            (next() % 100_000_000_000) as f64 / 10_000.0 * if r & 2 == 0 { 1.0 } else { -1.0 },
        );
        values.push((next() % 1_000_000_000) as f64 / 100_000.0);
    }
    for v in values {
        let mut out = Vec::new();
        push_number(&mut out, v);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            java_number_text(v),
            "{v:e}"
        );
    }
}

#[test]
fn push_long_writes_decimal() {
    for v in [0, 1, -1, 1_700_000_000_000, i64::MIN, i64::MAX] {
        let mut out = Vec::new();
        push_long(&mut out, v);
        assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
    }
}
