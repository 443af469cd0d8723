//! `plugin_api::params`: Gson 2.2.4 conversions and KairosDB's error texts.

use plugin_api::params::*;
use plugin_api::ParamError;
use serde_json::json;

#[test]
fn snake_case() {
    assert_eq!(camel_to_snake("alignStartTime"), "align_start_time");
    assert_eq!(camel_to_snake("_alignSampling"), "_align_sampling");
}

#[test]
fn longs_follow_gson() {
    assert_eq!(read_long(&json!(1.9)).unwrap(), 1);
    assert_eq!(read_long(&json!(-1.9)).unwrap(), -1);
    assert_eq!(read_long(&json!(1e3)).unwrap(), 1000);
    assert_eq!(read_long(&json!("10")).unwrap(), 10);
    assert_eq!(read_long(&json!(1e20)).unwrap(), 7_766_279_631_452_241_920);
    assert_eq!(
        read_long(&json!("1.5")).unwrap_err().to_string(),
        "java.lang.NumberFormatException: For input string: \"1.5\""
    );
    assert_eq!(read_long(&json!(null)), Err(cannot_validate_null()));
    assert_eq!(
        read_long(&json!(true)).unwrap_err().to_string(),
        "java.lang.IllegalStateException: Expected NUMBER but was BOOLEAN"
    );
    assert_eq!(read_int(&json!(4_294_967_297i64)).unwrap(), 1);
    assert_eq!(as_long(&json!("7")), Ok(7));
}

#[test]
fn doubles_follow_java() {
    assert_eq!(
        read_double("percentile", &json!("0.7.1")),
        Err(ParamError::Invalid("percentile multiple points".into()))
    );
    assert_eq!(read_double("x", &json!(" 2.5d ")).unwrap(), 2.5);
    assert_eq!(
        read_double("x", &json!("abc")),
        Err(ParamError::Invalid("x For input string: \"abc\"".into()))
    );
    assert_eq!(
        read_double("x", &json!("")),
        Err(ParamError::Invalid("x empty String".into()))
    );
    assert!(read_double("x", &json!("NaN")).unwrap().is_nan());
    assert_eq!(read_double("x", &json!("-1e3")).unwrap(), -1000.0);
}

#[test]
fn booleans_and_strings() {
    assert_eq!(read_bool(&json!("TRUE")), Ok(true));
    assert_eq!(read_bool(&json!("yes")), Ok(false));
    assert_eq!(
        read_bool(&json!(1)).unwrap_err().to_string(),
        "java.lang.IllegalStateException: Expected BOOLEAN but was NUMBER"
    );
    assert_eq!(read_string(&json!(5)), Ok("5".to_string()));
    assert_eq!(
        read_string(&json!({})).unwrap_err().to_string(),
        "java.lang.IllegalStateException: Expected STRING but was BEGIN_OBJECT"
    );
}

#[test]
fn enums() {
    assert_eq!(read_lowercase_enum(&json!("pos_sd"), &["pos_sd"]), Ok(0));
    assert_eq!(
        read_lowercase_enum(&json!("POS_SD"), &["pos_sd"]),
        Err(cannot_validate_null())
    );
    assert_eq!(
        read_insensitive_enum(&json!("x"), &["FIRST", "LAST", "BOTH"])
            .unwrap_err()
            .to_string(),
        "x is not a valid trim type, must be 'first', 'last' or 'both'."
    );
    assert_eq!(
        read_insensitive_enum(&json!("Gte"), &["LTE", "LT", "GTE", "GT", "EQUAL", "NE"]),
        Ok(2)
    );
    assert_eq!(
        read_insensitive_enum(&json!("x"), &["LTE", "LT", "GTE", "GT", "EQUAL", "NE"])
            .unwrap_err()
            .to_string(),
        "x is not a valid trim type, must be 'lte', 'lt', 'gte', 'gt', 'equal' or 'ne'."
    );
}

#[test]
fn maps_and_lists() {
    assert_eq!(
        read_string_map(&json!({"a": 1, "b": null})).unwrap(),
        vec![
            ("a".to_string(), Some("1".to_string())),
            ("b".to_string(), None)
        ]
    );
    assert_eq!(
        read_string_map(&json!([["a", "x"], ["a", "y"]])),
        Err(ParamError::InvalidNoContext("duplicate key: a".into()))
    );
    assert_eq!(
        read_string_list(&json!(["a", 1])).unwrap(),
        vec![Some("a".to_string()), Some("1".to_string())]
    );
    assert_eq!(
        read_string_list(&json!("a")).unwrap_err().to_string(),
        "java.lang.IllegalStateException: Expected BEGIN_ARRAY but was STRING"
    );
    assert_eq!(
        read_double_array("bins", &json!([1, "2.5"])),
        Ok(vec![1.0, 2.5])
    );
}

#[test]
fn binding_errors() {
    assert_eq!(
        no_setter("x", "sum", "org.kairosdb.core.aggregator.SumAggregator").to_string(),
        "Property 'x' was specified for object 'sum' but no matching setter was found on 'class org.kairosdb.core.aggregator.SumAggregator'"
    );
    assert_eq!(
        setter_failed("org.kairosdb.core.aggregator.ScoreAggregator", "setThresholds").to_string(),
        "Call to org.kairosdb.core.aggregator.ScoreAggregator:setThresholds failed with message: null"
    );
}
