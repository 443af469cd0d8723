//! Building a [`Json`] tree from the reader (Gson's `JSON_ELEMENT` adapter) and showing it
//! again the way Gson's `JsonElement.toString()` does.

use std::fmt;

use super::reader::{ErrorKind, NumberText, ReadError, Reader, Res, Token};
use super::Json;

/// Deepest nesting a tree may have; Java would overflow its stack somewhere beyond this.
pub(crate) const MAX_DEPTH: usize = 512;

enum Frame {
    Array(Vec<Json>),
    Object(Vec<(String, Json)>, String),
}

/// Reads the next value as a tree, iteratively; kind `TooDeep` beyond [`MAX_DEPTH`] levels.
pub(crate) fn read_value(r: &mut Reader<'_>) -> Res<Json> {
    let mut stack: Vec<Frame> = Vec::new();
    'value: loop {
        // `None` when a container was just opened.
        let mut done = match r.peek()? {
            Token::String => Some(Json::String(r.next_string()?.into_owned())),
            Token::Number => Some(Json::Number(match r.next_number()? {
                NumberText::Long(v) => v.to_string(),
                NumberText::Text(t) => t.to_string(),
            })),
            Token::Boolean => Some(Json::Bool(r.next_boolean()?)),
            Token::Null => {
                r.next_null()?;
                Some(Json::Null)
            }
            Token::BeginArray => {
                too_deep(stack.len(), r)?;
                r.begin_array()?;
                stack.push(Frame::Array(Vec::new()));
                None
            }
            Token::BeginObject => {
                too_deep(stack.len(), r)?;
                r.begin_object()?;
                stack.push(Frame::Object(Vec::new(), String::new()));
                None
            }
            // Gson throws a bare IllegalArgumentException here; the reader never gets here.
            _ => {
                return Err(ReadError {
                    kind: ErrorKind::IllegalState,
                    msg: "java.lang.IllegalArgumentException".into(),
                })
            }
        };
        loop {
            if let Some(v) = done.take() {
                match stack.last_mut() {
                    None => return Ok(v),
                    Some(Frame::Array(items)) => items.push(v),
                    Some(Frame::Object(members, name)) => members.push((std::mem::take(name), v)),
                }
            }
            if r.has_next()? {
                if let Some(Frame::Object(_, name)) = stack.last_mut() {
                    *name = r.next_name()?.into_owned();
                }
                continue 'value;
            }
            done = Some(match stack.pop() {
                Some(Frame::Array(items)) => {
                    r.end_array()?;
                    Json::Array(items)
                }
                Some(Frame::Object(members, _)) => {
                    r.end_object()?;
                    Json::Object(members)
                }
                None => Json::Null,
            });
        }
    }
}

fn too_deep(depth: usize, r: &Reader<'_>) -> Res<()> {
    if depth >= MAX_DEPTH {
        return Err(r.too_deep());
    }
    Ok(())
}

/// Gson's `JsonWriter.string`: escapes quotes, backslashes, controls, U+2028 and U+2029.
pub(crate) fn write_json_string(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\t' => f.write_str("\\t")?,
            '\u{8}' => f.write_str("\\b")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\u{C}' => f.write_str("\\f")?,
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                write!(f, "\\u{:04x}", c as u32)?
            }
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

impl fmt::Display for Json {
    /// Compact JSON as Gson's `JsonElement.toString()` prints it (duplicate names collapsed
    /// to the last value at the first position, like Gson's `JsonObject`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Json::Null => f.write_str("null"),
            Json::Bool(b) => write!(f, "{b}"),
            Json::Number(t) => f.write_str(t),
            Json::String(s) => write_json_string(f, s),
            Json::Array(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Json::Object(members) => {
                f.write_str("{")?;
                let mut first = true;
                for (i, (k, _)) in members.iter().enumerate() {
                    if members[..i].iter().any(|(p, _)| p == k) {
                        continue;
                    }
                    let last = members.iter().rev().find(|(p, _)| p == k);
                    if let Some((_, v)) = last {
                        if !first {
                            f.write_str(",")?;
                        }
                        first = false;
                        write_json_string(f, k)?;
                        write!(f, ":{v}")?;
                    }
                }
                f.write_str("}")
            }
        }
    }
}
