//! `filter` (AGG/FilterAggregator.java): removes the points for which `value OP threshold`
//! holds, and every point whose type does not match the threshold's.

use std::cmp::Ordering;

use plugin_api::params;
use plugin_api::{
    AggregateError, Aggregator, AggregatorFactory, DataPoint, ParamError, ProcessorMetadata,
    QueryContext, Value,
};
use serde_json::Map;

use super::stream::{each_group, PointState, StreamAggregator};
use crate::jvm::{double_value, java_cmp, no_message};
use crate::metadata::{self, enum_prop, prop};
use crate::props::{bind, JavaClass, Prop};

const CLASS: JavaClass = JavaClass {
    name: "filter",
    fqcn: "org.kairosdb.core.aggregator.FilterAggregator",
};

/// `FilterOperation` constants.
const OPS: [&str; 6] = ["LTE", "LT", "GTE", "GT", "EQUAL", "NE"];

/// The threshold as Gson reads an `Object` property.
#[derive(Clone, Debug)]
enum Threshold {
    Number(f64),
    Text(String),
    Other,
}

/// Java `Double.compare`: -0.0 < 0.0, NaN equals NaN and is above everything.
pub fn java_double_compare(a: f64, b: f64) -> Ordering {
    let canon = |x: f64| if x.is_nan() { f64::NAN } else { x };
    canon(a).total_cmp(&canon(b))
}

fn holds(op: usize, ord: Ordering) -> bool {
    match OPS[op] {
        "LTE" => ord != Ordering::Greater,
        "LT" => ord == Ordering::Less,
        "GTE" => ord != Ordering::Less,
        "GT" => ord == Ordering::Greater,
        "EQUAL" => ord == Ordering::Equal,
        _ => ord != Ordering::Equal,
    }
}

#[derive(Clone)]
struct FilterState {
    op: Option<usize>,
    threshold: Threshold,
}

impl FilterState {
    /// `FilterOperation.filterData`: true removes the point.
    fn removes(&self, p: &DataPoint) -> Result<bool, AggregateError> {
        // FilterAggregator.m_filterop has no default: a NullPointerException once data flows.
        let op = self.op.ok_or_else(no_message)?;
        match (&self.threshold, &p.value) {
            (Threshold::Text(t), Value::Text(s)) => Ok(holds(op, java_cmp(s, t))),
            (Threshold::Number(t), v) if !matches!(v, Value::Text(_)) => {
                Ok(holds(op, java_double_compare(double_value(p)?, *t)))
            }
            _ => Ok(true),
        }
    }
}

impl PointState for FilterState {
    fn point(&mut self, p: &DataPoint, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        if !self.removes(p)? {
            out.push(p.clone());
        }
        Ok(())
    }
}

/// The `filter` factory.
pub struct FilterFactory;

impl AggregatorFactory for FilterFactory {
    fn name(&self) -> &str {
        CLASS.name
    }

    fn metadata(&self) -> ProcessorMetadata {
        let op = enum_prop(
            "filter_op",
            "Filter operation",
            "The operation performed for each data point.",
            &OPS,
            "equal",
        );
        let threshold = prop(
            "threshold",
            "Threshold",
            "The value the operation is performed on. If the operation is lt, then a null data point is returned if the data point is less than the threshold.",
            "Object",
            "",
        );
        metadata::processor(
            CLASS.name,
            None,
            "Filters datapoints according to filter operation with a null data point.",
            vec![op, threshold],
        )
    }

    fn create(
        &self,
        params: &Map<String, serde_json::Value>,
        _ctx: &QueryContext,
    ) -> Result<Box<dyn Aggregator>, ParamError> {
        let mut op = None;
        let mut threshold = Threshold::Number(0.0);
        bind(params, CLASS, |key, v| {
            match key {
                "filter_op" => op = Some(params::read_insensitive_enum(v, &OPS)?),
                "threshold" => {
                    threshold = match v {
                        serde_json::Value::Null => return Err(params::cannot_validate_null()),
                        serde_json::Value::Number(n) => {
                            Threshold::Number(n.as_f64().unwrap_or(0.0))
                        }
                        serde_json::Value::String(s) => Threshold::Text(s.clone()),
                        _ => Threshold::Other,
                    }
                }
                _ => return Ok(Prop::Unknown),
            }
            Ok(Prop::Set)
        })?;
        Ok(StreamAggregator::any(each_group(FilterState {
            op,
            threshold,
        })))
    }
}
