//! `validateAndAddDataPoints`: the checks and point creation of one metric object, with the
//! Java error texts (JSON/DataPointsParser.java, UTIL/Validator.java).

use std::borrow::Cow;
use std::fmt;

use plugin_api::DataPoint;

use super::element::{create_value, find_type, is_registered, not_null_or_empty, JavaError};
use super::metric::NewMetric;
use super::Abort;
use crate::series::SeriesPoints;

/// Where a message points: `metric[<i>]`, plus `(name=<name>)` once the name has passed.
struct Context<'m> {
    count: usize,
    name: Option<&'m str>,
}

impl fmt::Display for Context<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "metric[{}]", self.count)?;
        if let Some(n) = self.name {
            write!(f, "(name={n})")?;
        }
        Ok(())
    }
}

fn internal(e: JavaError) -> Abort {
    Abort::Internal(e)
}

/// Validates metric object number `count`; stores its points in `series`, its messages in
/// `errors`. On `Err`, the points created before the Java exception are still in `series`.
pub(crate) fn validate_and_add(
    m: &NewMetric<'_>,
    count: usize,
    series: &mut Vec<SeriesPoints>,
    errors: &mut Vec<String>,
) -> Result<(), Abort> {
    let mut errs = Vec::new();
    let mut ctx = Context { count, name: None };
    if !m.skip_validate {
        check_metric(m, &mut ctx, &mut errs)?;
    }
    if !errs.is_empty() {
        // Any failure of the object-level checks stores nothing of the object.
        errors.append(&mut errs);
        return Ok(());
    }
    let mut tags = Vec::with_capacity(m.tags.as_ref().map_or(0, Vec::len));
    for (k, v) in m.tags.iter().flatten() {
        // ImmutableSortedMap.copyOf refuses null values (reachable with skip_validate only).
        let v = v
            .as_ref()
            .ok_or_else(|| Abort::Internal(Some(format!("null value in entry: {k}=null"))))?;
        tags.push((k.to_string(), v.to_string()));
    }
    SeriesPoints::sort_tags(&mut tags);
    let mut out = SeriesPoints {
        metric: m.name.as_deref().unwrap_or_default().to_string(),
        tags,
        ttl: i64::from(m.ttl),
        points: Vec::with_capacity(1 + m.datapoints.as_ref().map_or(0, Vec::len)),
    };
    let res = add_points(m, &ctx, &mut out.points, &mut errs);
    if !out.points.is_empty() {
        series.push(out);
    }
    errors.append(&mut errs);
    res
}

/// The name, single value/timestamp and tag checks; they run unless `skip_validate`.
fn check_metric<'m>(
    m: &'m NewMetric<'_>,
    ctx: &mut Context<'m>,
    errs: &mut Vec<String>,
) -> Result<(), Abort> {
    match m.name.as_deref() {
        None => errs.push(format!("{ctx}.name may not be null.")),
        Some("") => errs.push(format!("{ctx}.name may not be empty.")),
        Some(n) => ctx.name = Some(n),
    }
    if m.timestamp().is_some() {
        // HEAD (commit bf7152df, adopted): a string value may be empty.
        let msg = if m.kind.as_deref() == Some("string") {
            m.value.is_none().then_some(" may not be null.")
        } else {
            not_null_or_empty(m.value.as_ref()).map_err(internal)?
        };
        if let Some(msg) = msg {
            errs.push(format!("{ctx}.value{msg}"));
        }
    } else if m.value.as_ref().is_some_and(|v| !v.is_null()) {
        errs.push(format!("{ctx}.timestamp may not be null."));
    }
    let tags = m.tags.as_deref().unwrap_or_default();
    if tags.is_empty() {
        errs.push(format!(
            "{ctx}.tags count must be greater than or equal to 1."
        ));
    }
    for (i, (k, v)) in tags.iter().enumerate() {
        // The tag is named by position until its name has passed (SubContext).
        let label: Cow<'_, str> = if k.is_empty() {
            errs.push(format!("{ctx}.tag[{i}].name may not be empty."));
            Cow::Owned(i.to_string())
        } else {
            Cow::Borrowed(k)
        };
        match v.as_deref() {
            None => errs.push(format!("{ctx}.tag[{label}].value may not be null.")),
            Some("") => errs.push(format!("{ctx}.tag[{label}].value may not be empty.")),
            Some(_) => {}
        }
    }
    Ok(())
}

/// `DataPointEvent` requires a non-empty name (NullPointerException / IllegalArgumentException).
fn check_name(m: &NewMetric<'_>) -> Result<(), Abort> {
    match m.name.as_deref() {
        Some(n) if !n.is_empty() => Ok(()),
        _ => Err(Abort::Internal(None)),
    }
}

/// The single point, then each `datapoints` entry; a bad entry is skipped.
fn add_points(
    m: &NewMetric<'_>,
    ctx: &Context<'_>,
    points: &mut Vec<DataPoint>,
    errs: &mut Vec<String>,
) -> Result<(), Abort> {
    if let (Some(ts), Some(value)) = (m.timestamp(), m.value.as_ref()) {
        let kind = match m.kind.as_deref() {
            Some(k) => Some(k),
            None => {
                let k = find_type(value);
                if k.is_none() {
                    errs.push(format!("{ctx} value is an invalid type"));
                }
                k
            }
        };
        if let Some(kind) = kind {
            if is_registered(kind) {
                let v = create_value(kind, value).map_err(internal)?;
                check_name(m)?;
                points.push(DataPoint {
                    timestamp: ts,
                    value: v,
                });
            } else {
                errs.push(format!("Unregistered data point type '{kind}'"));
            }
        }
    }
    let Some(entries) = &m.datapoints else {
        return Ok(());
    };
    // Quirk: `n` counts the entries stored so far, not the entry's position.
    let mut n = 0usize;
    for entry in entries {
        // A null entry: `dataPoint.length` throws a NullPointerException.
        let e = entry.as_ref().ok_or(Abort::Internal(None))?;
        if e.len < 1 {
            errs.push(format!(
                "{ctx}.datapoints[{n}].timestamp cannot be null or empty."
            ));
            continue;
        }
        if e.len < 2 {
            errs.push(format!(
                "{ctx}.datapoints[{n}].value cannot be null or empty."
            ));
            continue;
        }
        let [ts, value, third] = &e.items;
        let ts = if ts.is_null() {
            None
        } else {
            Some(ts.as_long().map_err(internal)?)
        };
        if !m.skip_validate && ts.is_none() {
            errs.push(format!("{ctx}.datapoints[{n}].timestamp may not be null."));
            continue;
        }
        let kind: Option<Cow<'_, str>> = if e.len > 2 {
            Some(third.as_string().map_err(internal)?)
        } else {
            m.kind.as_deref().map(Cow::Borrowed)
        };
        // HEAD (commit bf7152df, adopted): only a string entry may be empty; its element is
        // never a Java null, so the isNotNull check always passes.
        if kind.as_deref() != Some("string") {
            if let Some(msg) = not_null_or_empty(Some(value)).map_err(internal)? {
                errs.push(format!("{ctx}.datapoints[{n}].value{msg}"));
                continue;
            }
        }
        let kind = match kind {
            Some(k) => k,
            None => match find_type(value) {
                Some(k) => Cow::Borrowed(k),
                None => {
                    errs.push(format!("{ctx} value is an invalid type"));
                    continue;
                }
            },
        };
        if !is_registered(&kind) {
            errs.push(format!("Unregistered data point type '{kind}'"));
            continue;
        }
        // Unboxing a null Long timestamp (skip_validate) throws a NullPointerException.
        let ts = ts.ok_or(Abort::Internal(None))?;
        let v = create_value(&kind, value).map_err(internal)?;
        check_name(m)?;
        points.push(DataPoint {
            timestamp: ts,
            value: v,
        });
        n += 1;
    }
    Ok(())
}
