//! Small stand-ins for the built-in aggregators and group-bys, producing the Java messages
//! of the conformance files, and recording the contexts they were built with.

use std::sync::{Arc, Mutex};

use plugin_api::params::{as_double, as_long};
use plugin_api::{
    AggregateError, Aggregator, AggregatorFactory, AggregatorState, DataPoint, GroupBy,
    GroupByFactory, GroupInfo, ParamError, ProcessorMetadata, QueryContext, Registry,
};
use serde_json::{Map, Value};

type Check = fn(&Map<String, Value>) -> Result<(), ParamError>;
type Seen = Arc<Mutex<Vec<(String, QueryContext)>>>;

const UNITS: &str = "MILLISECONDS,SECONDS,MINUTES,HOURS,DAYS,WEEKS,MONTHS,YEARS";

fn invalid(m: impl Into<String>) -> ParamError {
    ParamError::Invalid(m.into())
}

/// A `Duration`-like member: `value >= 0`, a known `unit`.
fn duration(name: &str, v: &Value) -> Result<(), ParamError> {
    if let Some(value) = v.get("value") {
        if as_long(value).map_err(invalid)? < 0 {
            return Err(invalid(format!(
                "{name}.value must be greater than or equal to 0"
            )));
        }
    }
    if let Some(Value::String(u)) = v.get("unit") {
        let known = UNITS.split(',').any(|n| n.eq_ignore_ascii_case(u));
        if !known {
            return Err(invalid(format!(
                "{u} is not a valid time unit, must be one of {UNITS}"
            )));
        }
    }
    Ok(())
}

fn sum(p: &Map<String, Value>) -> Result<(), ParamError> {
    p.get("sampling")
        .map_or(Ok(()), |s| duration("sampling", s))
}

fn percentile(p: &Map<String, Value>) -> Result<(), ParamError> {
    sum(p)?;
    let v = match p.get("percentile") {
        Some(v) => as_double(v).map_err(|m| invalid(format!("percentile {m}")))?,
        None => 0.0,
    };
    if v == 0.0 {
        return Err(invalid("percentile may not be zero"));
    }
    Ok(())
}

fn div(p: &Map<String, Value>) -> Result<(), ParamError> {
    let d = p
        .get("divisor")
        .map_or(Ok(0.0), as_double)
        .map_err(invalid)?;
    if d == 0.0 {
        return Err(invalid("m_divisor may not be zero"));
    }
    Ok(())
}

/// Refuses unknown members like Java's setter lookup, and `boom` as an internal error.
fn strict(p: &Map<String, Value>) -> Result<(), ParamError> {
    if p.contains_key("boom") {
        return Err(ParamError::Internal("cannot validate null".into()));
    }
    match p.keys().find(|k| *k != "name") {
        Some(k) => Err(ParamError::InvalidNoContext(format!(
            "Property '{k}' was specified for object 'strict' but no matching setter was found on 'class org.example.Strict'"
        ))),
        None => Ok(()),
    }
}

fn tag(p: &Map<String, Value>) -> Result<(), ParamError> {
    match p.get("tags") {
        None | Some(Value::Null) => Err(invalid("tags may not be null")),
        Some(Value::Array(a)) if a.is_empty() => Err(invalid("tags may not be empty")),
        _ => Ok(()),
    }
}

fn time(p: &Map<String, Value>) -> Result<(), ParamError> {
    let range = p.get("range_size");
    if let Some(r) = range {
        duration("range_size", r)?;
    }
    let count = p
        .get("group_count")
        .map_or(Ok(0), as_long)
        .map_err(invalid)?;
    if range.is_none() {
        return Err(invalid("rangeSize may not be null"));
    }
    if count < 1 {
        return Err(invalid("groupCount must be greater than or equal to 1"));
    }
    Ok(())
}

fn any(_: &Map<String, Value>) -> Result<(), ParamError> {
    Ok(())
}

struct Fake {
    name: &'static str,
    check: Check,
    seen: Seen,
}

struct Built(Option<Vec<String>>);

impl Aggregator for Built {
    fn accepts(&self, _: &str) -> bool {
        true
    }
    fn output_type(&self, input: &str) -> String {
        input.to_string()
    }
    fn open(&self, _: &GroupInfo) -> Result<Box<dyn AggregatorState>, AggregateError> {
        Err(AggregateError::msg("fake"))
    }
}

impl GroupBy for Built {
    fn tag_names(&self) -> Option<&[String]> {
        self.0.as_deref()
    }
    fn group_ids(&self, batch: &[DataPoint], ids: &mut Vec<i64>) -> Result<(), AggregateError> {
        ids.extend(batch.iter().map(|_| 0));
        Ok(())
    }
    fn result_json(&self, _: i64) -> String {
        String::new()
    }
}

impl Fake {
    fn build(&self, p: &Map<String, Value>, ctx: &QueryContext) -> Result<Built, ParamError> {
        (self.check)(p)?;
        if let Ok(mut seen) = self.seen.lock() {
            seen.push((self.name.to_string(), ctx.clone()));
        }
        let tags = p.get("tags").and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect()
        });
        Ok(Built(tags))
    }
}

impl AggregatorFactory for Fake {
    fn name(&self) -> &str {
        self.name
    }
    fn metadata(&self) -> ProcessorMetadata {
        ProcessorMetadata::default()
    }
    fn create(
        &self,
        p: &Map<String, Value>,
        ctx: &QueryContext,
    ) -> Result<Box<dyn Aggregator>, ParamError> {
        Ok(Box::new(self.build(p, ctx)?))
    }
}

impl GroupByFactory for Fake {
    fn name(&self) -> &str {
        self.name
    }
    fn metadata(&self) -> ProcessorMetadata {
        ProcessorMetadata::default()
    }
    fn create(
        &self,
        p: &Map<String, Value>,
        ctx: &QueryContext,
    ) -> Result<Box<dyn GroupBy>, ParamError> {
        Ok(Box::new(self.build(p, ctx)?))
    }
}

/// The fake registry and the log of (processor name, context) of every successful build.
pub(super) fn registry() -> (Registry, Seen) {
    let seen: Seen = Arc::default();
    let mut r = Registry::new();
    let aggs: [(&'static str, Check); 5] = [
        ("sum", sum),
        ("percentile", percentile),
        ("div", div),
        ("strict", strict),
        ("avg", any),
    ];
    for (name, check) in aggs {
        let f = Fake {
            name,
            check,
            seen: seen.clone(),
        };
        assert!(r.register_aggregator(Arc::new(f)).is_ok());
    }
    let gbs: [(&'static str, Check); 4] = [
        ("tag", tag),
        ("time", time),
        ("value", any),
        ("simpleTime", any),
    ];
    for (name, check) in gbs {
        let f = Fake {
            name,
            check,
            seen: seen.clone(),
        };
        assert!(r.register_group_by(Arc::new(f)).is_ok());
    }
    (r, seen)
}
