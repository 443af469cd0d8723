//! Helpers that read processor parameters from JSON the way the Java query parser does.
//!
//! Java binds each JSON key to a bean setter through Gson 2.2.4 (JSON/QueryParser.java
//! `deserializeProperties`): numeric strings are accepted, integral properties truncate
//! fractions, booleans accept strings, a JSON `null` fails bean validation with a 500.
//! The `read_*` functions return the exact [`ParamError`] Java produces for a bad value; `key`
//! is the JSON key, used where Java puts the property name into the message.

use serde_json::Value;

use crate::ParamError;

/// Java `QueryParser.getUnderscorePropertyName`: `alignStartTime` → `align_start_time`.
pub fn camel_to_snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_uppercase() {
            out.push('_');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The Gson `JsonToken` name of a JSON value, as it appears in Gson's type errors.
pub fn json_token(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL",
        Value::Bool(_) => "BOOLEAN",
        Value::Number(_) => "NUMBER",
        Value::String(_) => "STRING",
        Value::Array(_) => "BEGIN_ARRAY",
        Value::Object(_) => "BEGIN_OBJECT",
    }
}

/// HTTP 500 `cannot validate null`: a property whose value was read as null (BVal 0.5).
pub fn cannot_validate_null() -> ParamError {
    ParamError::Internal("cannot validate null".to_string())
}

/// A bean-validation failure `<path> <message>`; the host prefixes the processor context.
pub fn violation(path: &str, message: &str) -> ParamError {
    ParamError::Invalid(format!("{path} {message}"))
}

/// The 400 for a key with no bean property: `Property 'k' was specified for object 'n' but no
/// matching setter was found on 'class <fqcn>'`.
pub fn no_setter(key: &str, name: &str, fqcn: &str) -> ParamError {
    ParamError::InvalidNoContext(format!(
        "Property '{key}' was specified for object '{name}' but no matching setter was found on 'class {fqcn}'"
    ))
}

/// The 400 for a key naming a read-only bean property (same text without `class `).
pub fn getter_only(key: &str, name: &str, fqcn: &str) -> ParamError {
    ParamError::InvalidNoContext(format!(
        "Property '{key}' was specified for object '{name}' but no matching setter was found on '{fqcn}'"
    ))
}

/// The 400 for a setter that threw (the reflection wrapper's message is `null`).
pub fn setter_failed(fqcn: &str, method: &str) -> ParamError {
    ParamError::InvalidNoContext(format!("Call to {fqcn}:{method} failed with message: null"))
}

/// A Gson `JsonSyntaxException` wrapping an `IllegalStateException` for a wrong JSON type.
pub fn type_mismatch(expected: &str, v: &Value) -> ParamError {
    ParamError::InvalidNoContext(format!(
        "java.lang.IllegalStateException: Expected {expected} but was {}",
        json_token(v)
    ))
}

fn nfe_syntax(s: &str) -> ParamError {
    ParamError::InvalidNoContext(format!(
        "java.lang.NumberFormatException: For input string: \"{s}\""
    ))
}

/// Java `(long)` of an integral-valued BigDecimal: truncation, then the low 64 bits.
fn long_from_f64(f: f64) -> i64 {
    if !f.is_finite() {
        return 0;
    }
    let t = f.trunc();
    if t.abs() < 2f64.powi(63) {
        return t as i64;
    }
    // |t| >= 2^63: an integer m * 2^e with e >= 11; keep the low 64 bits.
    let bits = t.abs().to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64 - 1075;
    let mantissa = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    let low = if exp >= 64 {
        0
    } else {
        mantissa.wrapping_shl(exp as u32)
    };
    if t < 0.0 {
        (low as i64).wrapping_neg()
    } else {
        low as i64
    }
}

fn number_as_long(n: &serde_json::Number) -> i64 {
    if let Some(i) = n.as_i64() {
        i
    } else if let Some(u) = n.as_u64() {
        u as i64
    } else {
        long_from_f64(n.as_f64().unwrap_or(0.0))
    }
}

/// Gson reading a `long` property (without the null check): numbers truncate toward zero and
/// wrap, strings go through `Long.parseLong`. Errors carry the Gson message.
pub fn as_long(v: &Value) -> Result<i64, String> {
    read_long_value(v).map_err(|e| e.to_string())
}

fn read_long_value(v: &Value) -> Result<i64, ParamError> {
    match v {
        Value::Number(n) => Ok(number_as_long(n)),
        Value::String(s) => s.parse::<i64>().map_err(|_| nfe_syntax(s)),
        Value::Null => Err(cannot_validate_null()),
        other => Err(type_mismatch("NUMBER", other)),
    }
}

/// Reads a Java `long` property.
pub fn read_long(v: &Value) -> Result<i64, ParamError> {
    read_long_value(v)
}

/// Reads a Java `int` property: JSON numbers wrap to 32 bits, strings use `Integer.parseInt`.
pub fn read_int(v: &Value) -> Result<i32, ParamError> {
    match v {
        Value::Number(n) => Ok(number_as_long(n) as i32),
        Value::String(s) => s.parse::<i32>().map_err(|_| nfe_syntax(s)),
        Value::Null => Err(cannot_validate_null()),
        other => Err(type_mismatch("NUMBER", other)),
    }
}

/// Java `Double.parseDouble`, with its `NumberFormatException` messages.
pub fn parse_java_double(s: &str) -> Result<f64, String> {
    let t = s.trim_matches(|c: char| c <= ' ');
    if t.is_empty() {
        return Err("empty String".to_string());
    }
    let bad = || format!("For input string: \"{s}\"");
    let (sign, body) = match t.as_bytes()[0] {
        b'+' => (1.0, &t[1..]),
        b'-' => (-1.0, &t[1..]),
        _ => (1.0, t),
    };
    if body == "NaN" {
        return Ok(f64::NAN);
    }
    if body == "Infinity" {
        return Ok(sign * f64::INFINITY);
    }
    let body = body.strip_suffix(['f', 'F', 'd', 'D']).unwrap_or(body);
    let bytes = body.as_bytes();
    let mut i = 0;
    let mut digits = 0;
    let mut dot = false;
    while i < bytes.len() {
        match bytes[i] {
            b'0'..=b'9' => digits += 1,
            b'.' if dot => return Err("multiple points".to_string()),
            b'.' => dot = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 {
        return Err(bad());
    }
    if i < bytes.len() {
        if bytes[i] != b'e' && bytes[i] != b'E' {
            return Err(bad());
        }
        i += 1;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == start || i != bytes.len() {
            return Err(bad());
        }
    }
    body.parse::<f64>().map(|f| sign * f).map_err(|_| bad())
}

/// Gson reading a `double` property (without the null check).
pub fn as_double(v: &Value) -> Result<f64, String> {
    match v {
        Value::Number(n) => Ok(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => parse_java_double(s),
        other => Err(type_mismatch("NUMBER", other).to_string()),
    }
}

/// Reads a Java `double` property; `key` names it in the `NumberFormatException` 400.
pub fn read_double(key: &str, v: &Value) -> Result<f64, ParamError> {
    match v {
        Value::Number(n) => Ok(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => parse_java_double(s).map_err(|m| violation(key, &m)),
        Value::Null => Err(cannot_validate_null()),
        other => Err(type_mismatch("NUMBER", other)),
    }
}

/// Gson reading a `boolean`: JSON booleans, or a string that is `true` in any case.
pub fn as_bool(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Reads a Java `boolean` property (a number, array or object is a Gson type error).
pub fn read_bool(v: &Value) -> Result<bool, ParamError> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) => Ok(s.eq_ignore_ascii_case("true")),
        Value::Null => Err(cannot_validate_null()),
        other => Err(type_mismatch("BOOLEAN", other)),
    }
}

/// The text of a JSON number or string as Gson's `nextString` gives it.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Reads a Java `String` property (numbers and booleans become their text).
pub fn read_string(v: &Value) -> Result<String, ParamError> {
    match v {
        Value::Null => Err(cannot_validate_null()),
        other => scalar_text(other).ok_or_else(|| type_mismatch("STRING", other)),
    }
}

/// Gson `JsonElement.getAsString()` as custom deserializers call it (time units, time zones,
/// trim/filter enums); `Ok(None)` for JSON null.
pub fn gson_as_string(v: &Value) -> Result<Option<String>, ParamError> {
    match v {
        Value::Null => Ok(None),
        Value::Array(a) if a.len() == 1 => gson_as_string(&a[0]),
        Value::Array(_) => Err(ParamError::InvalidNoContext(
            "java.lang.IllegalStateException".to_string(),
        )),
        Value::Object(_) => Err(ParamError::Internal("JsonObject".to_string())),
        other => Ok(scalar_text(other)),
    }
}

/// Gson's `LowercaseEnumTypeAdapterFactory` in KairosDB: only the exact lower-case constant
/// name matches; anything else reads as null, which fails with `cannot validate null`.
/// Returns the index of the constant in `constants` (given in lower case).
pub fn read_lowercase_enum(v: &Value, constants: &[&str]) -> Result<usize, ParamError> {
    let text = match v {
        Value::Null => return Err(cannot_validate_null()),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => return Err(type_mismatch("STRING", other)),
    };
    constants
        .iter()
        .position(|c| *c == text)
        .ok_or_else(cannot_validate_null)
}

/// KairosDB's `EnumDeserializer` (trim, filter_op): case-insensitive; otherwise the 400
/// `<v> is not a valid trim type, must be 'a', 'b' or 'c'.` (the wording is shared on purpose).
pub fn read_insensitive_enum(v: &Value, constants: &[&str]) -> Result<usize, ParamError> {
    let text = gson_as_string(v)?.ok_or_else(cannot_validate_null)?;
    if let Some(i) = constants.iter().position(|c| c.eq_ignore_ascii_case(&text)) {
        return Ok(i);
    }
    let mut msg = String::from("is not a valid trim type, must be ");
    for (i, c) in constants.iter().enumerate() {
        msg.push('\'');
        msg.push_str(&c.to_lowercase());
        msg.push('\'');
        if i + 2 < constants.len() {
            msg.push_str(", ");
        } else if i + 1 < constants.len() {
            msg.push_str(" or ");
        } else {
            msg.push('.');
        }
    }
    Err(violation(&text, &msg))
}

/// Reads a `List<String>` property; null elements stay `None`.
pub fn read_string_list(v: &Value) -> Result<Vec<Option<String>>, ParamError> {
    match v {
        Value::Null => Err(cannot_validate_null()),
        Value::Array(items) => items
            .iter()
            .map(|e| match e {
                Value::Null => Ok(None),
                other => scalar_text(other)
                    .map(Some)
                    .ok_or_else(|| type_mismatch("STRING", other)),
            })
            .collect(),
        other => Err(type_mismatch("BEGIN_ARRAY", other)),
    }
}

/// Reads a `double[]` property; a null element fails like Java's `Array.set` (500, no text).
pub fn read_double_array(key: &str, v: &Value) -> Result<Vec<f64>, ParamError> {
    match v {
        Value::Null => Err(cannot_validate_null()),
        Value::Array(items) => items
            .iter()
            .map(|e| match e {
                Value::Null => Err(ParamError::Internal("null".to_string())),
                other => read_double(key, other),
            })
            .collect(),
        other => Err(type_mismatch("BEGIN_ARRAY", other)),
    }
}

/// Reads a `Map<String, String>` property (Gson `MapTypeAdapterFactory`): an object, or an
/// array of `[key, value]` pairs; a repeated key is Gson's `duplicate key: k`. Null values stay
/// `None`.
pub fn read_string_map(v: &Value) -> Result<Vec<(String, Option<String>)>, ParamError> {
    let value_of = |e: &Value| -> Result<Option<String>, ParamError> {
        match e {
            Value::Null => Ok(None),
            other => scalar_text(other)
                .map(Some)
                .ok_or_else(|| type_mismatch("STRING", other)),
        }
    };
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let mut add = |k: String, val: Option<String>| -> Result<(), ParamError> {
        if out.iter().any(|(x, _)| *x == k) {
            return Err(ParamError::InvalidNoContext(format!("duplicate key: {k}")));
        }
        out.push((k, val));
        Ok(())
    };
    match v {
        Value::Null => return Err(cannot_validate_null()),
        Value::Object(m) => {
            for (k, e) in m {
                add(k.clone(), value_of(e)?)?;
            }
        }
        Value::Array(pairs) => {
            for p in pairs {
                let Value::Array(kv) = p else {
                    return Err(type_mismatch("BEGIN_ARRAY", p));
                };
                let key =
                    match kv.first() {
                        Some(k) => value_of(k)?.unwrap_or_else(|| "null".to_string()),
                        None => return Err(ParamError::InvalidNoContext(
                            "java.lang.IllegalStateException: Expected STRING but was END_ARRAY"
                                .to_string(),
                        )),
                    };
                let val = match kv.get(1) {
                    Some(e) => value_of(e)?,
                    None => None,
                };
                add(key, val)?;
            }
        }
        other => return Err(type_mismatch("BEGIN_OBJECT", other)),
    }
    Ok(out)
}
