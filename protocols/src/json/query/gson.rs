//! Gson 2.2.4 tree accessors with the Java exceptions they throw.
//!
//! `QueryParser` reads the tree in two ways: with `JsonElement` getters called directly
//! (an exception reaches the resource and becomes a 500 with its message), and inside
//! `Gson.fromJson` (an `IllegalStateException` is wrapped into a `JsonSyntaxException`, a 400
//! whose message is the cause's `toString()`). Each call site picks the mapping.

use super::QueryError;
use crate::json::lenient::number::{big_decimal_long, parse_int, parse_long};
use crate::json::lenient::Json;

/// A Java runtime exception thrown by a Gson getter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum JavaError {
    /// `java.lang.IllegalStateException`, message optional.
    IllegalState(Option<String>),
    /// `java.lang.UnsupportedOperationException` with the element's class name.
    Unsupported(&'static str),
    /// `java.lang.NumberFormatException` from `Integer.parseInt` / `Long.parseLong`.
    NumberFormat(String),
}

impl JavaError {
    /// The exception reached the resource: HTTP 500 with `getMessage()`.
    pub(super) fn raw(self) -> QueryError {
        match self {
            JavaError::IllegalState(m) => QueryError::Internal(m),
            JavaError::Unsupported(m) => QueryError::Internal(Some(m.to_string())),
            JavaError::NumberFormat(m) => QueryError::Internal(Some(m)),
        }
    }

    /// Thrown inside `Gson.fromJson`: an `IllegalStateException` becomes a 400
    /// `JsonSyntaxException` carrying `cause.toString()`; the others pass through.
    pub(super) fn in_from_json(self) -> QueryError {
        match self {
            JavaError::IllegalState(m) => QueryError::BadRequest(vec![throwable_text(
                "java.lang.IllegalStateException",
                m.as_deref(),
            )]),
            other => other.raw(),
        }
    }
}

/// Java `Throwable.toString()`: the class name, then `: message` when there is one.
pub(super) fn throwable_text(class: &str, message: Option<&str>) -> String {
    match message {
        Some(m) => format!("{class}: {m}"),
        None => class.to_string(),
    }
}

/// A 400 whose message is a `JsonSyntaxException` wrapping a `NumberFormatException`.
pub(super) fn number_format_400(message: String) -> QueryError {
    QueryError::BadRequest(vec![throwable_text(
        "java.lang.NumberFormatException",
        Some(&message),
    )])
}

/// The members of a Gson `JsonObject`: one per name, last value at the first position.
pub(super) fn members(m: &[(String, Json)]) -> Vec<(&str, &Json)> {
    let mut out: Vec<(&str, &Json)> = Vec::with_capacity(m.len());
    for (k, v) in m {
        match out.iter_mut().find(|(n, _)| *n == k.as_str()) {
            Some(slot) => slot.1 = v,
            None => out.push((k.as_str(), v)),
        }
    }
    out
}

/// `JsonElement.getAsJsonObject()`.
pub(super) fn as_object(j: &Json) -> Result<&[(String, Json)], JavaError> {
    j.as_object()
        .ok_or_else(|| JavaError::IllegalState(Some(format!("Not a JSON Object: {j}"))))
}

/// `JsonElement.getAsJsonArray()`.
pub(super) fn as_array(j: &Json) -> Result<&[Json], JavaError> {
    j.as_array()
        .ok_or_else(|| JavaError::IllegalState(Some("This is not a JSON Array.".into())))
}

/// The single element a `JsonArray` getter delegates to, or its `IllegalStateException`.
fn single(items: &[Json]) -> Result<&Json, JavaError> {
    match items {
        [one] => Ok(one),
        _ => Err(JavaError::IllegalState(None)),
    }
}

/// `JsonElement.getAsString()`.
pub(super) fn as_string(j: &Json) -> Result<String, JavaError> {
    match j {
        Json::String(s) => Ok(s.clone()),
        Json::Number(t) => Ok(t.clone()),
        Json::Bool(b) => Ok(b.to_string()),
        Json::Array(items) => as_string(single(items)?),
        Json::Null | Json::Object(_) => Err(JavaError::Unsupported(j.gson_class())),
    }
}

/// `JsonElement.getAsBoolean()`: a string is true when it equals `true` in any case.
pub(super) fn as_bool(j: &Json) -> Result<bool, JavaError> {
    match j {
        Json::Bool(b) => Ok(*b),
        Json::String(_) | Json::Number(_) => Ok(as_string(j)?.eq_ignore_ascii_case("true")),
        Json::Array(items) => as_bool(single(items)?),
        Json::Null | Json::Object(_) => Err(JavaError::Unsupported(j.gson_class())),
    }
}

/// `LazilyParsedNumber.longValue()`: `Long.parseLong`, else `BigDecimal` truncation.
fn number_long(text: &str) -> Result<i64, String> {
    parse_long(text).or_else(|_| big_decimal_long(text))
}

/// `JsonElement.getAsInt()`: numbers truncate and wrap, strings go through `parseInt`.
pub(super) fn as_int(j: &Json) -> Result<i32, JavaError> {
    match j {
        Json::Number(t) => number_long(t)
            .map(|v| v as i32)
            .map_err(JavaError::NumberFormat),
        Json::String(_) | Json::Bool(_) => {
            parse_int(&as_string(j)?).map_err(JavaError::NumberFormat)
        }
        Json::Array(items) => as_int(single(items)?),
        Json::Null | Json::Object(_) => Err(JavaError::Unsupported(j.gson_class())),
    }
}

/// `JsonTreeReader.peek()` token name of an element, for `Expected X but was Y`.
fn token_name(j: &Json) -> &'static str {
    match j {
        Json::Null => "NULL",
        Json::Bool(_) => "BOOLEAN",
        Json::Number(_) => "NUMBER",
        Json::String(_) => "STRING",
        Json::Array(_) => "BEGIN_ARRAY",
        Json::Object(_) => "BEGIN_OBJECT",
    }
}

/// Gson's `Expected <want> but was <token>` wrapped into a 400 `JsonSyntaxException`.
pub(super) fn expected(want: &str, j: &Json) -> QueryError {
    JavaError::IllegalState(Some(format!("Expected {want} but was {}", token_name(j))))
        .in_from_json()
}

/// Gson `TypeAdapters.LONG` on a tree element: `None` for null, 400 texts for the rest.
pub(super) fn read_long(j: &Json) -> Result<Option<i64>, QueryError> {
    match j {
        Json::Null => Ok(None),
        Json::Number(t) => number_long(t).map(Some).map_err(number_format_400),
        Json::String(s) => parse_long(s).map(Some).map_err(number_format_400),
        other => Err(expected("NUMBER", other)),
    }
}

/// Gson `TypeAdapters.INTEGER` on a tree element: `None` for null, 400 texts for the rest.
pub(super) fn read_int(j: &Json) -> Result<Option<i32>, QueryError> {
    match j {
        Json::Null => Ok(None),
        Json::Number(t) => number_long(t)
            .map(|v| Some(v as i32))
            .map_err(number_format_400),
        Json::String(s) => parse_int(s).map(Some).map_err(number_format_400),
        other => Err(expected("NUMBER", other)),
    }
}

/// Java `String.equalsIgnoreCase`: per char, equal after upper- or lower-casing.
pub(super) fn java_eq_ignore_case(a: &str, b: &str) -> bool {
    let (mut x, mut y) = (a.encode_utf16(), b.encode_utf16());
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(c), Some(d)) => {
                if c != d && !chars_eq_ignore_case(c, d) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// `Character.toUpperCase` then `toLowerCase` comparison of two UTF-16 units.
fn chars_eq_ignore_case(c: u16, d: u16) -> bool {
    let (Some(c), Some(d)) = (char::from_u32(c as u32), char::from_u32(d as u32)) else {
        return false;
    };
    let up = |ch: char| single_char(ch.to_uppercase()).unwrap_or(ch);
    let low = |ch: char| single_char(ch.to_lowercase()).unwrap_or(ch);
    let (cu, du) = (up(c), up(d));
    cu == du || low(cu) == low(du)
}

/// The mapping of a one-char case conversion (Java's `char` case mapping is 1:1).
fn single_char(mut it: impl Iterator<Item = char>) -> Option<char> {
    let first = it.next()?;
    it.next().is_none().then_some(first)
}
