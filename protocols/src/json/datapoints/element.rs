//! A value read from an ingestion body, with the accessors of Gson's `JsonElement` that
//! the Java parser calls (`getAsString`, `getAsLong`, `getAsDouble`) and their exceptions.

use std::borrow::Cow;

use plugin_api::Value;

use crate::json::lenient::number;

/// A Java exception escaping an accessor: its message (`None` prints as `null`).
pub(crate) type JavaError = Option<String>;

/// A JSON value as the Java parser holds it (a `JsonElement`), borrowing from the body.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum Elem<'a> {
    /// `JsonNull`.
    #[default]
    Null,
    /// A boolean primitive.
    Bool(bool),
    /// A number literal that fits a long (Gson's `PEEKED_LONG`).
    Long(i64),
    /// Any other number literal, as written.
    Num(&'a str),
    /// A string primitive.
    Str(Cow<'a, str>),
    /// An array.
    Array(Vec<Elem<'a>>),
    /// An object (its members are never looked at).
    Object,
}

impl Elem<'_> {
    /// Whether this is `JsonNull`.
    pub fn is_null(&self) -> bool {
        matches!(self, Elem::Null)
    }

    /// `getAsString()`: arrays of one element delegate, others throw.
    pub fn as_string(&self) -> Result<Cow<'_, str>, JavaError> {
        match self {
            Elem::Str(s) => Ok(Cow::Borrowed(s)),
            Elem::Num(t) => Ok(Cow::Borrowed(t)),
            Elem::Long(v) => Ok(Cow::Owned(v.to_string())),
            Elem::Bool(b) => Ok(Cow::Borrowed(if *b { "true" } else { "false" })),
            Elem::Array(items) if items.len() == 1 => items[0].as_string(),
            other => Err(other.unsupported()),
        }
    }

    /// `getAsLong()`: numbers via `LazilyParsedNumber.longValue()` (truncating, wrapping),
    /// strings via `Long.parseLong`.
    pub fn as_long(&self) -> Result<i64, JavaError> {
        match self {
            Elem::Long(v) => Ok(*v),
            Elem::Num(t) => {
                number::parse_long(t).or_else(|_| number::big_decimal_long(t).map_err(Some))
            }
            Elem::Str(s) => number::parse_long(s).map_err(Some),
            Elem::Bool(b) => number::parse_long(if *b { "true" } else { "false" }).map_err(Some),
            Elem::Array(items) if items.len() == 1 => items[0].as_long(),
            other => Err(other.unsupported()),
        }
    }

    /// `getAsDouble()`: `Double.parseDouble` of the text.
    pub fn as_double(&self) -> Result<f64, JavaError> {
        match self {
            Elem::Long(v) => Ok(*v as f64),
            Elem::Num(t) => number::parse_double(t).map_err(Some),
            Elem::Str(s) => number::parse_double(s).map_err(Some),
            Elem::Bool(b) => number::parse_double(if *b { "true" } else { "false" }).map_err(Some),
            Elem::Array(items) if items.len() == 1 => items[0].as_double(),
            other => Err(other.unsupported()),
        }
    }

    /// The exception of an accessor this element does not support.
    fn unsupported(&self) -> JavaError {
        match self {
            // JsonElement's default accessors throw UnsupportedOperationException(className).
            Elem::Null => Some("JsonNull".into()),
            Elem::Object => Some("JsonObject".into()),
            // JsonArray's accessors throw a bare IllegalStateException unless size is 1.
            _ => None,
        }
    }
}

/// `Validator.isNotNullOrEmpty(JsonElement)`: the message suffix of a failed check, or `None`.
/// Calls `getAsString()` on non-objects, so some arrays throw (UTIL/Validator.java).
pub(crate) fn not_null_or_empty(v: Option<&Elem<'_>>) -> Result<Option<&'static str>, JavaError> {
    Ok(match v {
        None => Some(" may not be null."),
        Some(Elem::Null) => Some(" may not be empty."),
        Some(Elem::Array(items)) if items.is_empty() => Some(" may not be an empty array."),
        Some(Elem::Object) => None,
        Some(e) if e.as_string()?.is_empty() => Some(" may not be empty."),
        Some(_) => None,
    })
}

/// `DataPointsParser.findType`: the inferred type, or `None` for "value is an invalid type".
pub(crate) fn find_type(v: &Elem<'_>) -> Option<&'static str> {
    let numeric_text = match v {
        Elem::Long(_) => return Some("long"),
        Elem::Num(t) => *t,
        Elem::Str(s) if is_number(s) => s,
        Elem::Str(_) | Elem::Bool(_) => return Some("string"),
        Elem::Null | Elem::Array(_) | Elem::Object => return None,
    };
    Some(if numeric_text.contains('.') {
        "double"
    } else {
        "long"
    })
}

/// Whether a type name has a registered factory (`kairosdb.datapoints.factory.*`).
pub(crate) fn is_registered(kind: &str) -> bool {
    matches!(kind, "long" | "double" | "string")
}

/// `createDataPoint(type, ts, json)` of the long, double and string factories.
pub(crate) fn create_value(kind: &str, v: &Elem<'_>) -> Result<Value, JavaError> {
    Ok(match kind {
        // LongDataPointFactoryImpl / DoubleDataPointFactoryImpl read JsonNull as 0.
        "long" if v.is_null() => Value::Long(0),
        "long" => Value::Long(v.as_long()?),
        "double" if v.is_null() => Value::Double(0.0),
        "double" => Value::Double(v.as_double()?),
        _ => Value::Text(v.as_string()?.into_owned()),
    })
}

/// `Util.isNumber`: optional leading `+`, `-` or `.` (not counted as a point), then digits
/// (`Character.isDigit`) with at most one `.`, not ending with `.` (UTIL/Util.java).
pub(crate) fn is_number(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.clone().next() else {
        return false;
    };
    if matches!(first, '+' | '-' | '.') {
        chars.next();
        if chars.as_str().is_empty() {
            return false;
        }
    }
    let mut points = 0;
    for c in chars {
        if points > 1 {
            return false;
        }
        if c == '.' {
            points += 1;
        } else if number::java_digit(c).is_none() {
            return false;
        }
    }
    !s.ends_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_number_follows_util_is_number() {
        for yes in [
            "123", "-1", "+1", ".5", "1.5", "0.000000", ".5.5", "..5", "٣",
        ] {
            assert!(is_number(yes), "{yes}");
        }
        for no in [
            "", "-", "+", ".", "1.", "1e5", " 12", "NaN", "1.2.3", "1..2", "abc",
        ] {
            assert!(!is_number(no), "{no}");
        }
    }

    #[test]
    fn accessors_throw_like_gson() {
        let arr = |v: Vec<Elem<'static>>| Elem::Array(v);
        assert_eq!(arr(vec![Elem::Long(5)]).as_long(), Ok(5));
        assert_eq!(
            arr(vec![arr(vec![Elem::Num("1.5")])])
                .as_string()
                .as_deref(),
            Ok("1.5")
        );
        assert_eq!(
            arr(vec![Elem::Long(1), Elem::Long(2)]).as_string(),
            Err(None)
        );
        assert_eq!(
            arr(vec![Elem::Null]).as_string(),
            Err(Some("JsonNull".into()))
        );
        assert_eq!(
            arr(vec![Elem::Object]).as_long(),
            Err(Some("JsonObject".into()))
        );
        assert_eq!(Elem::Num("1.9").as_long(), Ok(1));
        assert_eq!(
            Elem::Str("1.9".into()).as_long(),
            Err(Some("For input string: \"1.9\"".into()))
        );
        assert_eq!(
            Elem::Bool(true).as_long(),
            Err(Some("For input string: \"true\"".into()))
        );
        assert_eq!(find_type(&Elem::Bool(false)), Some("string"));
        assert_eq!(find_type(&Elem::Num("1e3")), Some("long"));
        assert_eq!(find_type(&Elem::Str("1e3".into())), Some("string"));
    }
}
