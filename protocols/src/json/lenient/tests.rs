//! Table tests of the lenient document parser against Gson 2.2.4 behaviour.

use super::{parse, Json};

/// Text of a file under `shared/conformance` (beside the repository, or
/// `$KAIROSDB_CONFORMANCE_DIR`); panics with the path when missing.
pub(crate) fn conformance(rel: &str) -> String {
    let base = std::env::var_os("KAIROSDB_CONFORMANCE_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance")
        });
    let path = base.join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn s(v: &str) -> Json {
    Json::String(v.into())
}

fn n(v: &str) -> Json {
    Json::Number(v.into())
}

fn obj(m: &[(&str, Json)]) -> Json {
    Json::Object(m.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
}

#[test]
fn accepts_what_gson_lenient_accepts() {
    let cases: Vec<(&str, Json)> = vec![
        // comments
        ("// c\n{\"a\":1}", obj(&[("a", n("1"))])),
        ("{/* c */\"a\":1 # c\n}", obj(&[("a", n("1"))])),
        // unquoted and single-quoted names and strings
        ("{a:b}", obj(&[("a", s("b"))])),
        ("{'a':'b c'}", obj(&[("a", s("b c"))])),
        // `=` and `=>` as name separators, `;` as value separator
        ("{a=1;b=>2}", obj(&[("a", n("1")), ("b", n("2"))])),
        ("[1;2]", Json::Array(vec![n("1"), n("2")])),
        // holes and trailing commas are nulls
        ("[1,,2]", Json::Array(vec![n("1"), Json::Null, n("2")])),
        ("[1,]", Json::Array(vec![n("1"), Json::Null])),
        ("[,]", Json::Array(vec![Json::Null, Json::Null])),
        // keywords in any case; near-keywords are unquoted strings
        (
            "[TRUE,False,nULL,nullx]",
            Json::Array(vec![
                Json::Bool(true),
                Json::Bool(false),
                Json::Null,
                s("nullx"),
            ]),
        ),
        // number literals are kept; a long is printed by Long.toString
        (
            "[1.0,1e3,-0,01,1.5E-3]",
            Json::Array(vec![n("1.0"), n("1e3"), n("0"), s("01"), n("1.5E-3")]),
        ),
        // top-level primitives and the non-execute prefix
        ("\"abc\"", s("abc")),
        ("42", n("42")),
        (")]}'\n[1]", Json::Array(vec![n("1")])),
        // duplicates are kept in the tree
        ("{a:1,a:2}", obj(&[("a", n("1")), ("a", n("2"))])),
        // escapes, including a surrogate pair and a lone surrogate
        (
            r#""a\tb\/\u00e9\ud83d\ude00\ud800x""#,
            s("a\tb/é😀\u{FFFD}x"),
        ),
        // empty input and a null followed by anything give null
        ("", Json::Null),
        ("  \n ", Json::Null),
        ("null garbage", Json::Null),
        ("{} \n\t", obj(&[])),
        ("\u{FEFF}{}", obj(&[])),
    ];
    for (input, want) in cases {
        assert_eq!(parse(input), Ok(want), "input {input:?}");
    }
}

const MALFORMED: &str = "com.google.gson.stream.MalformedJsonException: ";

#[test]
fn errors_carry_gson_texts() {
    let lenient = "Use JsonReader.setLenient(true) to accept malformed JSON";
    let cases: Vec<(&str, String)> = vec![
        // trailing content is read strictly
        ("{} x", format!("{MALFORMED}{lenient} at line 1 column 5")),
        ("{}//c", format!("{MALFORMED}{lenient} at line 1 column 4")),
        ("[1]\n]", format!("{MALFORMED}{lenient} at line 2 column 2")),
        // syntax errors inside the value
        (
            "{\"a\" 1}",
            format!("{MALFORMED}Expected ':' at line 1 column 7"),
        ),
        (
            "{\"a\":}",
            format!("{MALFORMED}Expected value at line 1 column 6"),
        ),
        (
            "{\"a\":1 \"b\":2}",
            format!("{MALFORMED}Unterminated object at line 1 column 9"),
        ),
        (
            "[1 2]",
            format!("{MALFORMED}Unterminated array at line 1 column 5"),
        ),
        (
            "{,}",
            format!("{MALFORMED}Expected name at line 1 column 2"),
        ),
        (
            "{\"a\":1,}",
            format!("{MALFORMED}Expected name at line 1 column 9"),
        ),
        (
            "\"abc",
            format!("{MALFORMED}Unterminated string at line 1 column 5"),
        ),
        (
            "[/* x",
            format!("{MALFORMED}Unterminated comment at line 1 column 5"),
        ),
        (
            "\"\\u12\"",
            format!("{MALFORMED}Unterminated escape sequence at line 1 column 4"),
        ),
        (":", format!("{MALFORMED}Expected value at line 1 column 1")),
        // end of input inside a value
        (
            "{\"a\":",
            "java.io.EOFException: End of input at line 1 column 6".into(),
        ),
        (
            "[\n1,",
            "java.io.EOFException: End of input at line 2 column 3".into(),
        ),
        // a bad unicode escape is a NumberFormatException
        (
            "\"\\uzzzz\"",
            "java.lang.NumberFormatException: \\uzzzz".into(),
        ),
    ];
    for (input, want) in cases {
        assert_eq!(
            parse(input).map_err(|e| e.message),
            Err(want),
            "input {input:?}"
        );
    }
}

#[test]
fn invalid_query_metric_json_fails_at_line_2_column_22() {
    // The file lacks its opening `{`: the lenient parser reads the string "start_relative" as
    // the whole document, then the strict end-of-document check trips over the `:`.
    let text = conformance("unit/invalid-query-metric-json.json");
    let err = parse(&text).map_err(|e| e.to_string());
    assert_eq!(
        err,
        Err(format!(
            "{MALFORMED}Use JsonReader.setLenient(true) to accept malformed JSON at line 2 column 22"
        ))
    );
}

#[test]
fn columns_count_utf16_units() {
    let err = parse("[\"é😀\" x]").map_err(|e| e.message);
    assert_eq!(
        err,
        Err(format!("{MALFORMED}Unterminated array at line 1 column 9"))
    );
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let deep = "[".repeat(100_000);
    let err = parse(&deep).map_err(|e| e.message).unwrap_err();
    assert!(
        err.starts_with("Failed parsing JSON source: JsonReader at line 1"),
        "{err}"
    );
    let ok = format!("{}{}", "[".repeat(500), "]".repeat(500));
    assert!(parse(&ok).is_ok());
}

#[test]
fn to_serde_and_accessors() {
    let v =
        parse("{a:1, b:1.5, c:1e3, d:'x', e:[true,null], f:99999999999999999999, g:1e400, a:2}")
            .unwrap_or(Json::Null);
    let want = serde_json::json!({
        "a": 2, "b": 1.5, "c": 1000.0, "d": "x", "e": [true, null],
        "f": 1e20, "g": "1e400"
    });
    assert_eq!(v.to_serde(), want);
    assert_eq!(v.get("a"), Some(&n("2")));
    assert_eq!(v.get("d").and_then(Json::as_str), Some("x"));
    assert_eq!(
        v.get("e").and_then(Json::as_array).map(<[Json]>::len),
        Some(2)
    );
    assert_eq!(v.get("zz"), None);
    assert_eq!(v.as_object().map(<[(String, Json)]>::len), Some(8));
    assert_eq!(v.gson_class(), "JsonObject");
}

#[test]
fn display_matches_gson_to_string() {
    let v = parse("{a:1,b:'q\"\\\\\u{1}',a:[1.50,null,TRUE]}").unwrap_or(Json::Null);
    assert_eq!(v.to_string(), r#"{"a":[1.50,null,true],"b":"q\"\\\u0001"}"#);
    assert_eq!(n("5").to_string(), "5");
}
