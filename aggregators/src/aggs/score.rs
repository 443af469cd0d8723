//! `score` (AGG/ScoreAggregator.java, AGG/Threshold.java): maps each value to the number of
//! leading thresholds it passes.

use std::cmp::Ordering;

use plugin_api::params;
use plugin_api::{
    AggregateError, Aggregator, AggregatorFactory, DataPoint, ParamError, ProcessorMetadata,
    QueryContext,
};
use serde_json::{Map, Value};

use super::filter::java_double_compare;
use super::stream::{each_group, PointState, StreamAggregator};
use crate::jvm::{double_value, no_message};
use crate::metadata::{self, enum_prop, prop};
use crate::props::{bind, JavaClass, Prop};

const CLASS: JavaClass = JavaClass {
    name: "score",
    fqcn: "org.kairosdb.core.aggregator.ScoreAggregator",
};

/// `Threshold.Boundary`; `None` when the JSON spelling was not exactly lower case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Boundary {
    Superior,
    Inferior,
}

/// A threshold; the array may hold nulls (`None`).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Threshold {
    value: f64,
    boundary: Option<Boundary>,
}

/// A Java exception without message (NullPointerException).
struct Npe;

impl Threshold {
    /// `Threshold.compareValue(x)`.
    fn compare_value(&self, x: f64) -> Result<i32, Npe> {
        if x > self.value {
            return Ok(1);
        }
        if x < self.value {
            return Ok(-1);
        }
        match self.boundary {
            Some(Boundary::Superior) => Ok(-1),
            Some(Boundary::Inferior) => Ok(1),
            None => Err(Npe),
        }
    }
}

/// `Threshold.compareTo` on array slots that may be null.
fn compare(a: &Option<Threshold>, b: &Option<Threshold>) -> Result<Ordering, Npe> {
    let a = a.as_ref().ok_or(Npe)?;
    let b = b.as_ref().ok_or(Npe)?;
    if java_double_compare(a.value, b.value) == Ordering::Equal && a.boundary == b.boundary {
        return Ok(Ordering::Equal);
    }
    Ok(b.compare_value(a.value)?.cmp(&0))
}

/// `Arrays.sort(Object[])` for fewer than 32 elements: Java's `ComparableTimSort` run detection
/// and binary insertion sort, so that inconsistent comparisons give Java's order.
fn java_sort(a: &mut [Option<Threshold>]) -> Result<(), Npe> {
    let n = a.len();
    if n < 2 {
        return Ok(());
    }
    if n >= 32 {
        let mut failed = false;
        a.sort_by(|x, y| {
            compare(x, y).unwrap_or_else(|_| {
                failed = true;
                Ordering::Equal
            })
        });
        return if failed { Err(Npe) } else { Ok(()) };
    }
    // countRunAndMakeAscending
    let mut run = 2;
    if compare(&a[1], &a[0])? == Ordering::Less {
        while run < n && compare(&a[run], &a[run - 1])? == Ordering::Less {
            run += 1;
        }
        a[..run].reverse();
    } else {
        while run < n && compare(&a[run], &a[run - 1])? != Ordering::Less {
            run += 1;
        }
    }
    // binarySort
    for start in run..n {
        let pivot = a[start];
        let (mut left, mut right) = (0, start);
        while left < right {
            let mid = (left + right) / 2;
            if compare(&pivot, &a[mid])? == Ordering::Less {
                right = mid;
            } else {
                left = mid + 1;
            }
        }
        a.copy_within(left..start, left + 1);
        a[left] = pivot;
    }
    Ok(())
}

/// Gson's reflective reading of a `Threshold[]`.
fn read_thresholds(key: &str, v: &Value) -> Result<Vec<Option<Threshold>>, ParamError> {
    let items = match v {
        Value::Null => return Err(params::cannot_validate_null()),
        Value::Array(items) => items,
        other => return Err(params::type_mismatch("BEGIN_ARRAY", other)),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let obj = match item {
            Value::Null => {
                out.push(None);
                continue;
            }
            Value::Object(o) => o,
            other => return Err(params::type_mismatch("BEGIN_OBJECT", other)),
        };
        let mut t = Threshold {
            value: 0.0,
            boundary: Some(Boundary::Superior),
        };
        for (k, field) in obj {
            match k.as_str() {
                "value" if !field.is_null() => t.value = params::read_double(key, field)?,
                "boundary" => {
                    t.boundary = match field {
                        Value::Null => None,
                        Value::String(s) if s == "superior" => Some(Boundary::Superior),
                        Value::String(s) if s == "inferior" => Some(Boundary::Inferior),
                        Value::String(_) | Value::Number(_) => None,
                        other => return Err(params::type_mismatch("STRING", other)),
                    }
                }
                _ => {}
            }
        }
        out.push(Some(t));
    }
    Ok(out)
}

#[derive(Clone)]
struct ScoreState {
    thresholds: Vec<Option<Threshold>>,
    descending: bool,
}

impl PointState for ScoreState {
    fn point(&mut self, p: &DataPoint, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        let x = double_value(p)?;
        let mut score = 0;
        for t in &self.thresholds {
            let t = t.as_ref().ok_or_else(no_message)?;
            if t.compare_value(x).map_err(|_| no_message())? < 0 {
                break;
            }
            score += 1;
        }
        if self.descending {
            score = self.thresholds.len() - score;
        }
        out.push(DataPoint::double(p.timestamp, score as f64));
        Ok(())
    }
}

/// The `score` factory.
pub struct ScoreFactory;

impl AggregatorFactory for ScoreFactory {
    fn name(&self) -> &str {
        CLASS.name
    }

    fn metadata(&self) -> ProcessorMetadata {
        let thresholds = prop(
            "thresholds",
            "Thresholds",
            "A set of thresholds",
            "array",
            "[]",
        );
        let order = enum_prop(
            "order",
            "Order",
            "The order by which scores are assigned",
            &["ASCENDING", "DESCENDING"],
            "ascending",
        );
        metadata::processor(
            CLASS.name,
            Some("SCORE"),
            "Scores the data based on a set of thresholds. Each data point will be mapped to a value between 0 and n where n is the number of thresholds.",
            vec![thresholds, order],
        )
    }

    fn create(
        &self,
        params: &Map<String, Value>,
        _ctx: &QueryContext,
    ) -> Result<Box<dyn Aggregator>, ParamError> {
        let mut thresholds = None;
        let mut descending = false;
        bind(params, CLASS, |key, v| {
            match key {
                "thresholds" => {
                    let mut t = read_thresholds(key, v)?;
                    // ScoreAggregator.setThresholds sorts; a NullPointerException there is
                    // reported as a failed setter call.
                    java_sort(&mut t)
                        .map_err(|_| params::setter_failed(CLASS.fqcn, "setThresholds"))?;
                    thresholds = Some(t);
                }
                "order" => {
                    descending = params::read_lowercase_enum(v, &["ascending", "descending"])? == 1
                }
                _ => return Ok(Prop::Unknown),
            }
            Ok(Prop::Set)
        })?;
        let thresholds =
            thresholds.ok_or_else(|| params::violation("thresholds", "may not be null"))?;
        Ok(StreamAggregator::numeric(each_group(ScoreState {
            thresholds,
            descending,
        })))
    }
}
