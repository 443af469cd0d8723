//! A JSON reader as lenient as Gson's `JsonReader.setLenient(true)`, keeping number literals.
//!
//! Accepted beyond RFC 8259 (Gson 2.2.4, the version of KairosDB v1.3.0): comments `//`,
//! `/* */` and `#`; unquoted and single-quoted names and strings; `=` or `=>` between name
//! and value; `;` between values; array holes and trailing commas read as nulls (`[1,,2]`);
//! keywords in any letter case (`TRUE`); a leading `)]}'` line. Errors carry Gson's texts.

pub(crate) mod number;
pub(crate) mod reader;
mod scan;
mod tree;

use std::fmt;

use reader::{ErrorKind, Reader, Token};

/// A parsed JSON value; numbers keep their literal text (type inference depends on it).
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number with its literal text, e.g. `1.0`, `1e3`.
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, members in document order (duplicates kept).
    Object(Vec<(String, Json)>),
}

/// A syntax error with Gson's message, e.g. `com.google.gson.stream.MalformedJsonException:
/// Use JsonReader.setLenient(true) to accept malformed JSON at line 2 column 22`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// The full message as Java's `JsonSyntaxException.getMessage()` gives it.
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// Parses a whole document like Gson's `new JsonParser().parse(String)`: one lenient value,
/// then only whitespace (read strictly, so a comment or anything else after it is an error).
/// An empty document is `Json::Null`, and so is `null` followed by anything (Gson skips the
/// trailing check for a null).
pub fn parse(input: &str) -> Result<Json, SyntaxError> {
    let mut r = Reader::new(input);
    r.lenient = true;
    // Streams.parse: an empty document is JsonNull.
    let value = match r.peek() {
        Err(e) if e.kind == ErrorKind::Eof => return Ok(Json::Null),
        Err(e) => return Err(to_syntax(e)),
        Ok(_) => tree::read_value(&mut r).map_err(to_syntax)?,
    };
    r.lenient = false;
    if value != Json::Null {
        match r.peek() {
            Ok(Token::EndDocument) => {}
            Ok(_) => {
                return Err(SyntaxError {
                    message: "Did not consume the entire document.".into(),
                })
            }
            Err(e) => return Err(to_syntax(e)),
        }
    }
    Ok(value)
}

fn to_syntax(e: reader::ReadError) -> SyntaxError {
    SyntaxError {
        message: e.with_class(),
    }
}

impl Json {
    /// Converts to `serde_json`: an integer literal that fits `i64` becomes an integer, other
    /// numbers `f64` (a literal too large for `f64`, e.g. `1e400`, stays a string).
    pub fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(t) => number_to_serde(t),
            Json::String(s) => Value::String(s.clone()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_serde).collect()),
            Json::Object(members) => {
                let mut map = serde_json::Map::new();
                for (k, v) in members {
                    map.insert(k.clone(), v.to_serde());
                }
                Value::Object(map)
            }
        }
    }

    /// The members of an object.
    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The items of an array.
    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The literal of a number.
    pub fn as_number_text(&self) -> Option<&str> {
        match self {
            Json::Number(t) => Some(t),
            _ => None,
        }
    }

    /// The value of a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// The member `key` of an object; the last one wins among duplicates, as in Gson.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_object()?
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Gson's class name for this element: `JsonNull`, `JsonPrimitive`, `JsonArray`, `JsonObject`.
    pub fn gson_class(&self) -> &'static str {
        match self {
            Json::Null => "JsonNull",
            Json::Bool(_) | Json::Number(_) | Json::String(_) => "JsonPrimitive",
            Json::Array(_) => "JsonArray",
            Json::Object(_) => "JsonObject",
        }
    }
}

fn number_to_serde(t: &str) -> serde_json::Value {
    let integral = !t.contains(['.', 'e', 'E']);
    if integral {
        if let Ok(v) = t.parse::<i64>() {
            return v.into();
        }
    }
    match t.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
        Some(n) => serde_json::Value::Number(n),
        None => serde_json::Value::String(t.to_string()),
    }
}

#[cfg(test)]
pub(crate) mod tests;
