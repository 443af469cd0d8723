//! Shared helpers for the aggregator tests: a query context, processor construction through
//! the registry, and a runner that feeds points in several batch sizes and checks that the
//! output does not depend on the batching.
#![allow(dead_code)]

use chrono::{NaiveDate, TimeZone};
use plugin_api::{
    AggregateError, Aggregator, DataPoint, GroupInfo, Order, ParamError, QueryContext, Registry,
    Value,
};
use serde_json::json;

/// The clock used as "now" in tests: 2020-09-13T12:26:40Z.
pub const NOW: i64 = 1_600_000_000_000;

/// A context with start 0, no end, UTC.
pub fn ctx() -> QueryContext {
    QueryContext {
        start: 0,
        end: i64::MAX,
        now: NOW,
        time_zone: Some("UTC".to_string()),
        default_time_zone: "UTC".to_string(),
        order: Order::Asc,
        group_bys: Vec::new(),
        sink: None,
    }
}

/// A context starting at `start`.
pub fn ctx_at(start: i64) -> QueryContext {
    QueryContext { start, ..ctx() }
}

/// The registry with every built-in.
pub fn registry() -> Registry {
    let mut r = Registry::new();
    aggregators::register_builtins(&mut r).expect("register");
    r
}

/// Builds an aggregator from its JSON object.
pub fn agg(
    params: serde_json::Value,
    ctx: &QueryContext,
) -> Result<Box<dyn Aggregator>, ParamError> {
    let map = params.as_object().cloned().unwrap_or_default();
    let name = map
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or("")
        .to_string();
    let reg = registry();
    let f = reg
        .aggregator(&name)
        .unwrap_or_else(|| panic!("no aggregator {name}"));
    f.create(&map, ctx)
}

/// The error text of a failed construction.
pub fn agg_err(params: serde_json::Value, ctx: &QueryContext) -> ParamError {
    match agg(params, ctx) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

/// Runs one group through an aggregator, pushing `batch` points at a time.
pub fn run_batched(
    a: &dyn Aggregator,
    group_type: &str,
    points: &[DataPoint],
    batch: usize,
) -> Result<Vec<DataPoint>, AggregateError> {
    let info = GroupInfo {
        metric: "metric".to_string(),
        group_type: group_type.to_string(),
        tags: Vec::new(),
    };
    let mut state = a.open(&info)?;
    let mut out = Vec::new();
    for chunk in points.chunks(batch.max(1)) {
        state.push(chunk, &mut out)?;
    }
    state.finish(&mut out)?;
    Ok(out)
}

/// Builds the aggregator afresh for batch sizes 1, 2, 3, 7 and all, checks that the outputs
/// agree, and returns it.
pub fn run_with(
    params: serde_json::Value,
    ctx: &QueryContext,
    group_type: &str,
    points: &[DataPoint],
) -> Result<Vec<DataPoint>, AggregateError> {
    let mut first: Option<Result<Vec<DataPoint>, AggregateError>> = None;
    for batch in [points.len().max(1), 1, 2, 3, 7] {
        let a = agg(params.clone(), ctx).expect("valid parameters");
        let r = run_batched(a.as_ref(), group_type, points, batch);
        match &first {
            None => first = Some(r),
            Some(f) => assert_eq!(
                comparable(f),
                comparable(&r),
                "batch size {batch} changed the output"
            ),
        }
    }
    first.unwrap_or(Ok(Vec::new()))
}

/// An output in a form where NaN equals NaN and -0.0 differs from 0.0.
pub fn comparable(
    r: &Result<Vec<DataPoint>, AggregateError>,
) -> Result<Vec<(i64, String)>, String> {
    match r {
        Ok(v) => Ok(v
            .iter()
            .map(|p| {
                let v = match &p.value {
                    Value::Double(d) => format!("D{:x}", d.to_bits()),
                    other => format!("{other:?}"),
                };
                (p.timestamp, v)
            })
            .collect()),
        Err(e) => Err(e.to_string()),
    }
}

/// `run_with` for a number group and the default context.
pub fn run(params: serde_json::Value, points: &[DataPoint]) -> Vec<DataPoint> {
    run_with(params, &ctx(), "number", points).expect("aggregation failed")
}

/// Long points from (ts, v) pairs.
pub fn longs(v: &[(i64, i64)]) -> Vec<DataPoint> {
    v.iter().map(|(t, x)| DataPoint::long(*t, *x)).collect()
}

/// Double points from (ts, v) pairs.
pub fn doubles(v: &[(i64, f64)]) -> Vec<DataPoint> {
    v.iter().map(|(t, x)| DataPoint::double(*t, *x)).collect()
}

/// A text point.
pub fn text(ts: i64, s: &str) -> DataPoint {
    DataPoint {
        timestamp: ts,
        value: Value::Text(s.to_string()),
    }
}

/// A null point.
pub fn null(ts: i64) -> DataPoint {
    DataPoint {
        timestamp: ts,
        value: Value::Null,
    }
}

/// (timestamp, value as f64) of each output point.
pub fn pairs(v: &[DataPoint]) -> Vec<(i64, f64)> {
    v.iter().map(|p| (p.timestamp, p.value.as_f64())).collect()
}

/// Timestamps of each output point.
pub fn stamps(v: &[DataPoint]) -> Vec<i64> {
    v.iter().map(|p| p.timestamp).collect()
}

/// Milliseconds of a UTC date-time.
pub fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> i64 {
    NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|x| x.and_hms_milli_opt(h, mi, s, ms))
        .map(|x| x.and_utc().timestamp_millis())
        .expect("valid date")
}

/// Milliseconds of a local date-time in a zone (earliest instant if ambiguous).
pub fn local(zone: &str, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    let tz: chrono_tz::Tz = zone.parse().expect("zone");
    let naive = NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|x| x.and_hms_opt(h, mi, 0))
        .expect("valid date");
    tz.from_local_datetime(&naive)
        .earliest()
        .expect("exists")
        .timestamp_millis()
}

/// Points every `step` ms from `from` (inclusive) to `to` (exclusive), each with value 1.
pub fn ones(from: i64, to: i64, step: i64) -> Vec<DataPoint> {
    (0..)
        .map(|i| from + i * step)
        .take_while(|t| *t < to)
        .map(|t| DataPoint::long(t, 1))
        .collect()
}

/// `json!` re-export for brevity.
pub fn obj(v: serde_json::Value) -> serde_json::Value {
    v
}

/// The sampling object `{"value": v, "unit": u}`.
pub fn sampling(v: i64, unit: &str) -> serde_json::Value {
    json!({"value": v, "unit": unit})
}
