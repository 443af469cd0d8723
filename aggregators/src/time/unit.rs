//! KairosDB's `TimeUnit` and `Duration`/`Sampling` (`{"value": v, "unit": u}`), parsed the way
//! the Java query parser reads them (DS/TimeUnit.java, DS/Duration.java, JSON/QueryParser.java).

use plugin_api::params::{self, gson_as_string};
use plugin_api::ParamError;
use serde_json::Value;

/// A sampling or range unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TimeUnit {
    /// Milliseconds.
    Milliseconds,
    /// Seconds.
    Seconds,
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Days.
    Days,
    /// Weeks.
    Weeks,
    /// Months.
    Months,
    /// Years.
    Years,
}

/// All units in declaration order.
pub const ALL_UNITS: [TimeUnit; 8] = [
    TimeUnit::Milliseconds,
    TimeUnit::Seconds,
    TimeUnit::Minutes,
    TimeUnit::Hours,
    TimeUnit::Days,
    TimeUnit::Weeks,
    TimeUnit::Months,
    TimeUnit::Years,
];

/// `TimeUnit.toValueNames()`.
pub const UNIT_NAMES: &str = "MILLISECONDS,SECONDS,MINUTES,HOURS,DAYS,WEEKS,MONTHS,YEARS";

impl TimeUnit {
    /// The Java enum constant name (`DAYS`).
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Milliseconds => "MILLISECONDS",
            TimeUnit::Seconds => "SECONDS",
            TimeUnit::Minutes => "MINUTES",
            TimeUnit::Hours => "HOURS",
            TimeUnit::Days => "DAYS",
            TimeUnit::Weeks => "WEEKS",
            TimeUnit::Months => "MONTHS",
            TimeUnit::Years => "YEARS",
        }
    }

    /// `TimeUnit.from`: case-insensitive constant name.
    pub fn from_name(s: &str) -> Option<TimeUnit> {
        ALL_UNITS
            .iter()
            .copied()
            .find(|u| u.name().eq_ignore_ascii_case(s))
    }
}

/// KairosDB's `TimeUnitDeserializer`: `Ok(None)` for JSON null, else a unit or the 400
/// `<v> is not a valid time unit, must be one of MILLISECONDS,...`.
pub fn read_unit(v: &Value) -> Result<Option<TimeUnit>, ParamError> {
    let Some(text) = gson_as_string(v)? else {
        return Ok(None);
    };
    match TimeUnit::from_name(&text) {
        Some(u) => Ok(Some(u)),
        None => Err(params::violation(
            &text,
            &format!("is not a valid time unit, must be one of {UNIT_NAMES}"),
        )),
    }
}

/// A `Duration` / `Sampling`: value and unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Duration {
    /// Number of units.
    pub value: i64,
    /// The unit.
    pub unit: TimeUnit,
}

/// Reads a `Duration` property (`sampling`, `range_size`) and runs its bean validation
/// (`<key>.value must be greater than or equal to 0`, `<key>.unit may not be null`).
/// Fields are bound like Gson's reflective adapter: unknown keys are ignored, a missing value
/// is 0, a null value stays 0.
pub fn read_duration(key: &str, v: &Value) -> Result<Duration, ParamError> {
    let obj = match v {
        Value::Null => return Err(params::cannot_validate_null()),
        Value::Object(o) => o,
        other => return Err(params::type_mismatch("BEGIN_OBJECT", other)),
    };
    let mut value = 0i64;
    let mut unit = None;
    for (k, field) in obj {
        match k.as_str() {
            "value" if !field.is_null() => value = params::read_long(field)?,
            "unit" => unit = read_unit(field)?,
            _ => {}
        }
    }
    if value < 0 {
        return Err(params::violation(
            &format!("{key}.value"),
            "must be greater than or equal to 0",
        ));
    }
    let unit = unit.ok_or_else(|| params::violation(&format!("{key}.unit"), "may not be null"))?;
    Ok(Duration { value, unit })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn units() {
        assert_eq!(read_unit(&json!("Days")), Ok(Some(TimeUnit::Days)));
        assert_eq!(
            read_unit(&json!("bogus")).unwrap_err().to_string(),
            format!("bogus is not a valid time unit, must be one of {UNIT_NAMES}")
        );
        assert_eq!(
            read_unit(&json!("")).unwrap_err().to_string(),
            format!(" is not a valid time unit, must be one of {UNIT_NAMES}")
        );
    }

    #[test]
    fn durations() {
        assert_eq!(
            read_duration("sampling", &json!({"value": "2", "unit": "hours"})),
            Ok(Duration {
                value: 2,
                unit: TimeUnit::Hours
            })
        );
        assert_eq!(
            read_duration("sampling", &json!({"value": -1, "unit": "hours"}))
                .unwrap_err()
                .to_string(),
            "sampling.value must be greater than or equal to 0"
        );
        assert_eq!(
            read_duration("range_size", &json!({"value": 1}))
                .unwrap_err()
                .to_string(),
            "range_size.unit may not be null"
        );
    }
}
