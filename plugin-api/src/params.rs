//! Helpers that read processor parameters from JSON the way the Java query parser does.
//!
//! Java binds each JSON key to a bean setter through Gson (JSON/QueryParser.java
//! `deserializeProperties`): numeric strings are accepted, integral properties truncate
//! fractions, booleans accept strings.

use serde_json::Value;

/// Reads an integral property: numbers truncate toward zero, numeric strings parse.
/// Errors carry the Java `NumberFormatException` text.
pub fn as_long(v: &Value) -> Result<i64, String> {
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(i)
            } else if let Some(f) = n.as_f64() {
                Ok(f as i64)
            } else {
                Err(format!(
                    "java.lang.NumberFormatException: For input string: \"{n}\""
                ))
            }
        }
        Value::String(s) => parse_java_long_text(s)
            .ok_or_else(|| format!("java.lang.NumberFormatException: For input string: \"{s}\"")),
        other => Err(format!(
            "java.lang.NumberFormatException: For input string: \"{other}\""
        )),
    }
}

/// Reads a double property: numbers as is, numeric strings parse.
pub fn as_double(v: &Value) -> Result<f64, String> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| "multiple points".to_string()),
        Value::String(s) => s.trim().parse::<f64>().map_err(|_| {
            if s.matches('.').count() > 1 {
                "multiple points".to_string()
            } else {
                format!("For input string: \"{s}\"")
            }
        }),
        other => Err(format!("For input string: \"{other}\"")),
    }
}

/// Reads a boolean property: JSON booleans, or a string that is `true` in any case.
pub fn as_bool(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Parses an integer written as text, accepting an integral decimal form like Gson does.
fn parse_java_long_text(s: &str) -> Option<i64> {
    if let Ok(i) = s.parse::<i64>() {
        return Some(i);
    }
    None
}
