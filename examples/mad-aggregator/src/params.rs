//! Parameter reading and validation; every problem is a 400 whose text names the parameter.

use plugin_api::serde_json::{Map, Value};
use plugin_api::ParamError;

/// A sampling range width, from `{"value": N, "unit": "..."}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sampling {
    /// Range width in milliseconds.
    pub width_ms: i64,
}

/// Units with a fixed length (calendar months and years are refused).
const UNITS: &[(&str, i64)] = &[
    ("milliseconds", 1),
    ("seconds", 1_000),
    ("minutes", 60_000),
    ("hours", 3_600_000),
    ("days", 86_400_000),
    ("weeks", 604_800_000),
];

fn invalid(msg: impl Into<String>) -> ParamError {
    ParamError::Invalid(msg.into())
}

/// Refuses any key outside `known` (and `name`), as a 400 without context.
pub fn only_known_keys(
    params: &Map<String, Value>,
    aggregator: &str,
    known: &[&str],
) -> Result<(), ParamError> {
    match params
        .keys()
        .find(|k| k.as_str() != "name" && !known.contains(&k.as_str()))
    {
        Some(k) => Err(ParamError::InvalidNoContext(format!(
            "aggregator '{aggregator}' has no parameter '{k}' (it takes: {})",
            known.join(", ")
        ))),
        None => Ok(()),
    }
}

/// Reads `sampling`: required, `value` an integer >= 1, `unit` a fixed-length unit.
pub fn read_sampling(params: &Map<String, Value>) -> Result<Sampling, ParamError> {
    let sampling = match params.get("sampling") {
        None | Some(Value::Null) => return Err(invalid("sampling may not be null")),
        Some(Value::Object(s)) => s,
        Some(_) => return Err(invalid("sampling must be an object with value and unit")),
    };
    let value = match sampling.get("value") {
        None | Some(Value::Null) => return Err(invalid("sampling.value may not be null")),
        Some(v) => v
            .as_i64()
            .ok_or_else(|| invalid(format!("sampling.value must be an integer, not {v}")))?,
    };
    if value < 1 {
        return Err(invalid("sampling.value must be greater than or equal to 1"));
    }
    let unit = sampling
        .get("unit")
        .and_then(Value::as_str)
        .unwrap_or("milliseconds");
    let unit_ms = UNITS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(unit))
        .map(|(_, ms)| *ms)
        .ok_or_else(|| {
            let names: Vec<&str> = UNITS.iter().map(|(n, _)| *n).collect();
            invalid(format!(
                "sampling.unit must be one of {}, not '{unit}'",
                names.join(", ")
            ))
        })?;
    let width_ms = value
        .checked_mul(unit_ms)
        .ok_or_else(|| invalid("sampling.value is too large"))?;
    Ok(Sampling { width_ms })
}

/// Reads the optional positive, finite `scale` (default 1).
pub fn read_scale(params: &Map<String, Value>) -> Result<f64, ParamError> {
    match params.get("scale") {
        None => Ok(1.0),
        Some(v) => match v.as_f64() {
            Some(s) if s > 0.0 && s.is_finite() => Ok(s),
            _ => Err(invalid(format!(
                "scale must be a number greater than 0, not {v}"
            ))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugin_api::serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn sampling_is_validated() {
        let ok = read_sampling(&map(json!({"sampling": {"value": 2, "unit": "Minutes"}})));
        assert_eq!(ok, Ok(Sampling { width_ms: 120_000 }));
        let err = |v: Value| match read_sampling(&map(v)) {
            Err(ParamError::Invalid(m)) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(err(json!({})), "sampling may not be null");
        assert_eq!(
            err(json!({"sampling": 5})),
            "sampling must be an object with value and unit"
        );
        assert_eq!(
            err(json!({"sampling": {"value": 0, "unit": "hours"}})),
            "sampling.value must be greater than or equal to 1"
        );
        assert_eq!(
            err(json!({"sampling": {"value": "x", "unit": "hours"}})),
            "sampling.value must be an integer, not \"x\""
        );
        assert!(err(json!({"sampling": {"value": 1, "unit": "months"}}))
            .starts_with("sampling.unit must be one of"));
        assert_eq!(
            err(json!({"sampling": {"value": i64::MAX, "unit": "weeks"}})),
            "sampling.value is too large"
        );
    }

    #[test]
    fn scale_and_unknown_keys_are_validated() {
        assert_eq!(read_scale(&map(json!({"scale": 1.4826}))), Ok(1.4826));
        assert!(read_scale(&map(json!({"scale": 0}))).is_err());
        assert!(read_scale(&map(json!({"scale": "big"}))).is_err());
        let e = only_known_keys(
            &map(json!({"name": "mad", "sampl": 1})),
            "mad",
            &["sampling"],
        );
        assert_eq!(
            e,
            Err(ParamError::InvalidNoContext(
                "aggregator 'mad' has no parameter 'sampl' (it takes: sampling)".into()
            ))
        );
    }
}
