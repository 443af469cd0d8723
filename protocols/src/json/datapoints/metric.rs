//! Reading one metric object the way `gson.fromJson(reader, NewMetric.class)` does: the
//! reflective adapter with Gson 2.2.4's field adapters, in lenient mode.

use std::borrow::Cow;
use std::collections::HashMap;

use super::element::Elem;
use super::Abort;
use crate::json::lenient::reader::{ErrorKind, NumberText, ReadError, Reader, Token};

/// Deepest array nesting accepted inside a value (Java would overflow its stack later).
const MAX_DEPTH: usize = 512;

/// One `datapoints` entry: its length and its first three elements (the rest are ignored).
#[derive(Debug, Default)]
pub(crate) struct Entry<'a> {
    /// Number of elements in the entry.
    pub len: usize,
    /// Timestamp, value, type; `Elem::Null` past `len`.
    pub items: [Elem<'a>; 3],
}

/// Tags in Gson map order: name and value (`None` for JSON null).
pub(crate) type Tags<'a> = Vec<(Cow<'a, str>, Option<Cow<'a, str>>)>;

/// The Java `NewMetric` bean (JSON/DataPointsParser.java).
#[derive(Debug, Default)]
pub(crate) struct NewMetric<'a> {
    pub name: Option<Cow<'a, str>>,
    pub timestamp: Option<i64>,
    pub time: Option<i64>,
    /// `None` when absent; `Some(Elem::Null)` for an explicit JSON null.
    pub value: Option<Elem<'a>>,
    pub tags: Option<Tags<'a>>,
    /// Entries; `None` entries stand for a JSON null entry.
    pub datapoints: Option<Vec<Option<Entry<'a>>>>,
    pub skip_validate: bool,
    pub kind: Option<Cow<'a, str>>,
    pub ttl: i32,
}

impl NewMetric<'_> {
    /// `getTimestamp()`: `time` wins over `timestamp`.
    pub fn timestamp(&self) -> Option<i64> {
        self.time.or(self.timestamp)
    }
}

/// What escapes `Gson.fromJson`: reader failures become `JsonSyntaxException`s (400, with the
/// cause's class name), except a `NumberFormatException` outside the number adapters (500).
impl From<ReadError> for Abort {
    fn from(e: ReadError) -> Self {
        match e.kind {
            ErrorKind::NumberFormat | ErrorKind::TooDeep => Abort::Internal(Some(e.msg)),
            _ => Abort::Syntax(e.with_class()),
        }
    }
}

/// `parseMetric`: reads one metric object leniently; `Ok(None)` for a JSON null.
pub(crate) fn parse_metric<'a>(r: &mut Reader<'a>) -> Result<Option<NewMetric<'a>>, Abort> {
    let strict = r.lenient;
    r.lenient = true;
    let res = read_metric(r);
    r.lenient = strict;
    res
}

fn read_metric<'a>(r: &mut Reader<'a>) -> Result<Option<NewMetric<'a>>, Abort> {
    match r.peek() {
        // Gson.fromJson returns null for an empty document.
        Err(e) if e.kind == ErrorKind::Eof => return Ok(None),
        Err(e) => return Err(e.into()),
        Ok(Token::Null) => {
            r.next_null()?;
            return Ok(None);
        }
        Ok(_) => {}
    }
    let mut m = NewMetric::default();
    r.begin_object()?;
    while r.has_next()? {
        let name = r.next_name()?;
        match &*name {
            "name" => m.name = read_string(r)?,
            "timestamp" => m.timestamp = read_long(r)?,
            "time" => m.time = read_long(r)?,
            "value" => m.value = Some(read_elem(r)?),
            "tags" => m.tags = read_tags(r)?,
            "datapoints" => m.datapoints = read_datapoints(r)?,
            "type" => m.kind = read_string(r)?,
            // Primitive fields keep their value when the JSON says null.
            "skip_validate" => {
                if let Some(b) = read_bool(r)? {
                    m.skip_validate = b;
                }
            }
            "ttl" => {
                if let Some(t) = read_int(r)? {
                    m.ttl = t;
                }
            }
            _ => r.skip_value()?,
        }
    }
    r.end_object()?;
    Ok(Some(m))
}

/// Gson's `STRING` adapter: null, booleans as text, numbers as text, strings.
fn read_string<'a>(r: &mut Reader<'a>) -> Result<Option<Cow<'a, str>>, ReadError> {
    match r.peek()? {
        Token::Null => {
            r.next_null()?;
            Ok(None)
        }
        Token::Boolean => Ok(Some(Cow::Borrowed(if r.next_boolean()? {
            "true"
        } else {
            "false"
        }))),
        _ => r.next_string().map(Some),
    }
}

/// A `NumberFormatException` caught by Gson's `LONG`/`INTEGER` adapters: a syntax error.
fn number_adapter_error(e: ReadError) -> Abort {
    if e.kind == ErrorKind::NumberFormat {
        Abort::Syntax(e.with_class())
    } else {
        e.into()
    }
}

/// Gson's `LONG` adapter (`Long` field).
fn read_long(r: &mut Reader<'_>) -> Result<Option<i64>, Abort> {
    if r.peek()? == Token::Null {
        r.next_null()?;
        return Ok(None);
    }
    r.next_long().map(Some).map_err(number_adapter_error)
}

/// Gson's `INTEGER` adapter (`int` field).
fn read_int(r: &mut Reader<'_>) -> Result<Option<i32>, Abort> {
    if r.peek()? == Token::Null {
        r.next_null()?;
        return Ok(None);
    }
    r.next_int().map(Some).map_err(number_adapter_error)
}

/// Gson's `BOOLEAN` adapter: strings through `Boolean.parseBoolean`.
fn read_bool(r: &mut Reader<'_>) -> Result<Option<bool>, ReadError> {
    match r.peek()? {
        Token::Null => {
            r.next_null()?;
            Ok(None)
        }
        Token::String => Ok(Some(r.next_string()?.eq_ignore_ascii_case("true"))),
        _ => r.next_boolean().map(Some),
    }
}

/// Gson's `JSON_ELEMENT` adapter, iterative; object members are skipped, not kept.
pub(crate) fn read_elem<'a>(r: &mut Reader<'a>) -> Result<Elem<'a>, ReadError> {
    let mut stack: Vec<Vec<Elem<'a>>> = Vec::new();
    'value: loop {
        let mut done = match r.peek()? {
            Token::String => Some(Elem::Str(r.next_string()?)),
            Token::Number => Some(match r.next_number()? {
                NumberText::Long(v) => Elem::Long(v),
                NumberText::Text(t) => Elem::Num(t),
            }),
            Token::Boolean => Some(Elem::Bool(r.next_boolean()?)),
            Token::Null => {
                r.next_null()?;
                Some(Elem::Null)
            }
            Token::BeginObject => {
                r.skip_value()?;
                Some(Elem::Object)
            }
            Token::BeginArray => {
                if stack.len() >= MAX_DEPTH {
                    return Err(r.too_deep());
                }
                r.begin_array()?;
                stack.push(Vec::new());
                None
            }
            // Unreachable with this reader; Gson would throw IllegalArgumentException.
            _ => return Err(r.too_deep()),
        };
        loop {
            if let Some(v) = done.take() {
                match stack.last_mut() {
                    None => return Ok(v),
                    Some(items) => items.push(v),
                }
            }
            if r.has_next()? {
                continue 'value;
            }
            r.end_array()?;
            done = Some(Elem::Array(stack.pop().unwrap_or_default()));
        }
    }
}

/// Gson's `ArrayTypeAdapter` for `JsonElement[][]`.
fn read_datapoints<'a>(r: &mut Reader<'a>) -> Result<Option<Vec<Option<Entry<'a>>>>, ReadError> {
    if r.peek()? == Token::Null {
        r.next_null()?;
        return Ok(None);
    }
    let mut entries = Vec::new();
    r.begin_array()?;
    while r.has_next()? {
        if r.peek()? == Token::Null {
            r.next_null()?;
            entries.push(None);
            continue;
        }
        let mut e = Entry::default();
        r.begin_array()?;
        while r.has_next()? {
            let v = read_elem(r)?;
            if let Some(slot) = e.items.get_mut(e.len) {
                *slot = v;
            }
            e.len += 1;
        }
        r.end_array()?;
        entries.push(Some(e));
    }
    r.end_array()?;
    Ok(Some(entries))
}

/// Gson's `MapTypeAdapterFactory` reading a `Map<String, String>` (a `LinkedTreeMap`): an
/// object, or an array of `[name, value]` pairs. A key already holding a non-null value is a
/// `duplicate key` error; one holding null is overwritten in place.
fn read_tags<'a>(r: &mut Reader<'a>) -> Result<Option<Tags<'a>>, Abort> {
    let mut map = TagMap::default();
    match r.peek()? {
        Token::Null => {
            r.next_null()?;
            return Ok(None);
        }
        Token::BeginArray => {
            r.begin_array()?;
            while r.has_next()? {
                r.begin_array()?;
                let key = read_string(r)?;
                let value = read_string(r)?;
                map.put(key, value)?;
                r.end_array()?;
            }
            r.end_array()?;
        }
        _ => {
            r.begin_object()?;
            while r.has_next()? {
                r.promote_name_to_value()?;
                let key = read_string(r)?;
                let value = read_string(r)?;
                map.put(key, value)?;
            }
            r.end_object()?;
        }
    }
    Ok(Some(map.entries))
}

/// An insertion-ordered map with an index once it grows past a few entries.
#[derive(Default)]
struct TagMap<'a> {
    entries: Tags<'a>,
    index: HashMap<Cow<'a, str>, usize>,
}

impl<'a> TagMap<'a> {
    fn put(&mut self, key: Option<Cow<'a, str>>, value: Option<Cow<'a, str>>) -> Result<(), Abort> {
        // LinkedTreeMap.put refuses a null key with a NullPointerException.
        let key = key.ok_or_else(|| Abort::Internal(Some("key == null".into())))?;
        let found = if self.entries.len() < 16 {
            self.entries.iter().position(|(k, _)| *k == key)
        } else {
            if self.index.is_empty() {
                for (i, (k, _)) in self.entries.iter().enumerate() {
                    self.index.insert(k.clone(), i);
                }
            }
            self.index.get(&key).copied()
        };
        match found {
            Some(i) if self.entries[i].1.is_some() => {
                Err(Abort::Syntax(format!("duplicate key: {key}")))
            }
            Some(i) => {
                self.entries[i].1 = value;
                Ok(())
            }
            None => {
                if !self.index.is_empty() {
                    self.index.insert(key.clone(), self.entries.len());
                }
                self.entries.push((key, value));
                Ok(())
            }
        }
    }
}
