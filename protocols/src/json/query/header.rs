//! The query-level members (Java `Query`, read by Gson's reflective adapter, then
//! bean-validated): times, `cache_time` and `time_zone`.

use super::gson::{self, expected, JavaError};
use super::time::{is_valid_zone, zone_id_list, RelativeTime, TimeUnit, UNIT_NAMES};
use super::QueryError;
use crate::json::lenient::Json;

/// The query-level members every metric shares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Header {
    pub start_absolute: Option<i64>,
    pub start_relative: Option<RelativeTime>,
    pub end_absolute: Option<i64>,
    pub end_relative: Option<RelativeTime>,
    pub cache_time: i64,
    /// `None` without `time_zone`; `""` is read as `UTC`.
    pub time_zone: Option<String>,
}

/// A `ContextualJsonSyntaxException` caught with context `query`.
fn query_violation(path: &str, msg: &str) -> QueryError {
    QueryError::BadRequest(vec![format!("query.{path} {msg}")])
}

impl Header {
    /// Reads the members in document order (the first bad one fails), then validates.
    pub(super) fn read(obj: &[(String, Json)]) -> Result<Header, QueryError> {
        let mut h = Header::default();
        for (name, value) in gson::members(obj) {
            match name {
                "start_absolute" => h.start_absolute = gson::read_long(value)?,
                "end_absolute" => h.end_absolute = gson::read_long(value)?,
                "cache_time" => {
                    if let Some(v) = gson::read_int(value)? {
                        h.cache_time = v as i64;
                    }
                }
                "start_relative" => h.start_relative = read_relative(value)?,
                "end_relative" => h.end_relative = read_relative(value)?,
                "time_zone" => h.time_zone = read_zone(value)?,
                _ => {}
            }
        }
        h.validate()?;
        Ok(h)
    }

    /// Bean validation of `Query`: `@Min(0) cache_time` and the `@Valid` relative times.
    fn validate(&self) -> Result<(), QueryError> {
        let mut errors = Vec::new();
        if self.cache_time < 0 {
            errors.push("cache_time must be greater than or equal to 0".to_string());
        }
        for (name, rel) in [
            ("start_relative", &self.start_relative),
            ("end_relative", &self.end_relative),
        ] {
            if let Some(rel) = rel {
                if rel.value < 0 {
                    errors.push(format!("{name}.value must be greater than or equal to 0"));
                }
                if rel.unit.is_none() {
                    errors.push(format!("{name}.unit may not be null"));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(QueryError::BadRequest(errors))
        }
    }

    /// `Query.getCacheString()`: every time member that was given, each followed by `:`.
    pub(super) fn cache_string(&self) -> String {
        let mut s = String::new();
        if let Some(v) = self.start_absolute {
            s.push_str(&format!("{v}:"));
        }
        if let Some(r) = &self.start_relative {
            s.push_str(&format!("{}:", r.cache_text()));
        }
        if let Some(v) = self.end_absolute {
            s.push_str(&format!("{v}:"));
        }
        if let Some(r) = &self.end_relative {
            s.push_str(&format!("{}:", r.cache_text()));
        }
        s
    }

    /// The start of every metric, `None` when neither start member is given.
    pub(super) fn start(&self, now: i64) -> Option<i64> {
        self.start_absolute.or_else(|| {
            self.start_relative
                .as_ref()
                .map(|r| r.time_relative_to(now))
        })
    }

    /// The end of every metric; `i64::MAX` (Java `Long.MAX_VALUE`) when none is given.
    pub(super) fn end(&self, now: i64) -> i64 {
        self.end_absolute
            .or_else(|| self.end_relative.as_ref().map(|r| r.time_relative_to(now)))
            .unwrap_or(i64::MAX)
    }
}

/// A `RelativeTime` through Gson's reflective adapter.
fn read_relative(j: &Json) -> Result<Option<RelativeTime>, QueryError> {
    let obj = match j {
        Json::Null => return Ok(None),
        Json::Object(m) => m,
        other => return Err(expected("BEGIN_OBJECT", other)),
    };
    let mut rel = RelativeTime::default();
    for (name, value) in gson::members(obj) {
        match name {
            "value" => {
                if let Some(v) = gson::read_long(value)? {
                    rel.value = v;
                }
            }
            "unit" => rel.unit = read_unit(value)?,
            _ => {}
        }
    }
    Ok(Some(rel))
}

/// `TimeUnitDeserializer` (a tree adapter: null is null without calling it).
fn read_unit(j: &Json) -> Result<Option<TimeUnit>, QueryError> {
    if j.is_null() {
        return Ok(None);
    }
    let text = gson::as_string(j).map_err(JavaError::in_from_json)?;
    match TimeUnit::from_java(&text) {
        Some(u) => Ok(Some(u)),
        None => Err(query_violation(
            &text,
            &format!("is not a valid time unit, must be one of {UNIT_NAMES}"),
        )),
    }
}

/// `DateTimeZoneDeserializer`: `""` is UTC, unknown ids list every known id.
fn read_zone(j: &Json) -> Result<Option<String>, QueryError> {
    if j.is_null() {
        return Ok(None);
    }
    let id = gson::as_string(j).map_err(JavaError::in_from_json)?;
    if id.is_empty() {
        return Ok(Some("UTC".to_string()));
    }
    if !is_valid_zone(&id) {
        return Err(query_violation(
            &id,
            &format!(
                "is not a valid time zone, must be one of {}",
                zone_id_list()
            ),
        ));
    }
    Ok(Some(id))
}
