//! Java library behaviour the outputs depend on: `Double.toString`, org.json number text,
//! `String.compareTo`, Gson string escaping, and the texts of common Java exceptions.

use std::cmp::Ordering;

use plugin_api::{AggregateError, DataPoint, Value};

/// Java `Double.toString(d)` (shortest round-trip digits, Java's plain/E notation switch).
pub fn double_to_string(d: f64) -> String {
    if d.is_nan() {
        return "NaN".to_string();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let sign = if d.is_sign_negative() { "-" } else { "" };
    let a = d.abs();
    if a == 0.0 {
        return format!("{sign}0.0");
    }
    // `{:e}` prints the shortest digits as `d.ddde<exp>`.
    let sci = format!("{a:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (1e-3..1e7).contains(&a) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            let mut int_part = digits.chars().take(int_len).collect::<String>();
            while int_part.len() < int_len {
                int_part.push('0');
            }
            let frac: String = digits.chars().skip(int_len).collect();
            let frac = if frac.is_empty() {
                "0".to_string()
            } else {
                frac
            };
            format!("{sign}{int_part}.{frac}")
        } else {
            let zeros = "0".repeat((-exp - 1) as usize);
            format!("{sign}0.{zeros}{digits}")
        }
    } else {
        let first = &digits[..1];
        let rest = if digits.len() > 1 { &digits[1..] } else { "0" };
        format!("{sign}{first}.{rest}E{exp}")
    }
}

/// org.json `JSONObject.numberToString` for a double: `Double.toString`, then trailing zeros
/// (and a trailing dot) stripped when there is a `.` and no exponent.
pub fn orgjson_double(d: f64) -> String {
    let mut s = double_to_string(d);
    if s.contains('.') && !s.contains(['e', 'E']) {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

/// Java `String.compareTo`: UTF-16 code unit order.
pub fn java_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// org.json `JSONObject.quote`: the JSON string literal org.json writes.
pub fn orgjson_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut prev = '\0';
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if prev == '<' => out.push_str("\\/"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if c < ' '
                || ('\u{80}'..'\u{a0}').contains(&c)
                || ('\u{2000}'..'\u{2100}').contains(&c) =>
            {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
        prev = c;
    }
    out.push('"');
    out
}

/// Gson's default (HTML-safe) string literal, as `new Gson().toJson` writes it.
pub fn gson_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '=' | '\'' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if c < ' ' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The message of `NullDataPoint.getDoubleValue()`: no value can be read from a gaps point.
pub const NULL_POINT_MESSAGE: &str =
    "No aggregator can be chained after org.kairosdb.core.aggregator.DataGapsMarkingAggregator";

/// Java `DataPoint.getDoubleValue()`: longs widen, strings read 0.0, null points throw.
pub fn double_value(p: &DataPoint) -> Result<f64, AggregateError> {
    match &p.value {
        Value::Long(v) => Ok(*v as f64),
        Value::Double(v) => Ok(*v),
        Value::Text(_) => Ok(0.0),
        Value::Null => Err(AggregateError::msg(NULL_POINT_MESSAGE)),
    }
}

/// Java `isDouble()`: true for long and double points, false for strings and null points.
pub fn is_double(p: &DataPoint) -> bool {
    p.value.is_numeric()
}

/// `ArithmeticException: / by zero`.
pub fn div_by_zero() -> AggregateError {
    AggregateError::msg("/ by zero")
}

/// An exception without a message (NullPointerException, a bare Guava `checkState`).
pub fn no_message() -> AggregateError {
    AggregateError::Failed(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_double_text() {
        assert_eq!(double_to_string(1.0), "1.0");
        assert_eq!(double_to_string(100.0), "100.0");
        assert_eq!(double_to_string(1e7), "1.0E7");
        assert_eq!(double_to_string(12345678.0), "1.2345678E7");
        assert_eq!(double_to_string(1e-4), "1.0E-4");
        assert_eq!(double_to_string(0.001), "0.001");
        assert_eq!(double_to_string(-0.0), "-0.0");
        assert_eq!(double_to_string(1.5), "1.5");
        assert_eq!(double_to_string(0.30000000000000004), "0.30000000000000004");
        assert_eq!(double_to_string(1234567.5), "1234567.5");
    }

    #[test]
    fn orgjson_text() {
        assert_eq!(orgjson_double(2.0), "2");
        assert_eq!(orgjson_double(2.5), "2.5");
        assert_eq!(orgjson_double(-0.0), "-0");
        assert_eq!(orgjson_double(1e7), "1.0E7");
    }

    #[test]
    fn quoting() {
        assert_eq!(
            gson_quote("<a>='b'&"),
            "\"\\u003ca\\u003e\\u003d\\u0027b\\u0027\\u0026\""
        );
        assert_eq!(orgjson_quote("</a>€"), "\"<\\/a>\\u20ac\"");
    }
}
