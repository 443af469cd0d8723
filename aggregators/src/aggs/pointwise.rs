//! `div`, `scale` and `diff` (AGG/DivideAggregator.java, ScaleAggregator.java,
//! DiffAggregator.java): per-point arithmetic producing doubles.

use plugin_api::params;
use plugin_api::{
    AggregateError, Aggregator, AggregatorFactory, DataPoint, ParamError, ProcessorMetadata,
    QueryContext,
};
use serde_json::{Map, Value};

use super::stream::{each_group, Consecutive, PairState, PointState, StreamAggregator};
use crate::jvm::double_value;
use crate::metadata::{self, prop, validations};
use crate::props::{bind, JavaClass, Prop};

/// Which per-point operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointwiseKind {
    /// `div`: `v / divisor`.
    Div,
    /// `scale`: `v * factor`.
    Scale,
    /// `diff`: `v(p1) - v(p0)` at `p1`.
    Diff,
}

/// The factory of `div`, `scale` or `diff`.
pub struct PointwiseFactory(pub PointwiseKind);

impl PointwiseFactory {
    fn class(&self) -> JavaClass {
        match self.0 {
            PointwiseKind::Div => JavaClass {
                name: "div",
                fqcn: "org.kairosdb.core.aggregator.DivideAggregator",
            },
            PointwiseKind::Scale => JavaClass {
                name: "scale",
                fqcn: "org.kairosdb.core.aggregator.ScaleAggregator",
            },
            PointwiseKind::Diff => JavaClass {
                name: "diff",
                fqcn: "org.kairosdb.core.aggregator.DiffAggregator",
            },
        }
    }
}

/// `v / k` or `v * k` for every point.
#[derive(Clone)]
struct MapState {
    divide: bool,
    k: f64,
}

impl PointState for MapState {
    fn point(&mut self, p: &DataPoint, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        let v = double_value(p)?;
        let r = if self.divide { v / self.k } else { v * self.k };
        out.push(DataPoint::double(p.timestamp, r));
        Ok(())
    }
}

/// Differences of consecutive points.
#[derive(Clone)]
struct Diff;

impl PairState for Diff {
    fn pair(&self, p0: &DataPoint, p1: &DataPoint) -> Result<DataPoint, AggregateError> {
        let last = double_value(p0)?;
        let new = double_value(p1)?;
        Ok(DataPoint::double(p1.timestamp, new - last))
    }
}

impl AggregatorFactory for PointwiseFactory {
    fn name(&self) -> &str {
        self.class().name
    }

    fn metadata(&self) -> ProcessorMetadata {
        let (description, props) = match self.0 {
            PointwiseKind::Div => (
                "Divides each data point by a divisor.",
                vec![validations(
                    prop(
                        "divisor",
                        "Divisor",
                        "The value each data point is divided by.",
                        "double",
                        "1",
                    ),
                    &[("value > 0", "Divisor must be greater than 0.")],
                )],
            ),
            PointwiseKind::Scale => (
                "Scales each data point by a factor.",
                vec![validations(
                    prop(
                        "factor",
                        "Factor",
                        "The value to scale each data point by.",
                        "double",
                        "0.0",
                    ),
                    &[("value > 0", "Factor must be greater than 0.")],
                )],
            ),
            PointwiseKind::Diff => (
                "Computes the difference between successive data points.",
                Vec::new(),
            ),
        };
        metadata::processor(self.name(), None, description, props)
    }

    fn create(
        &self,
        params: &Map<String, Value>,
        _ctx: &QueryContext,
    ) -> Result<Box<dyn Aggregator>, ParamError> {
        let kind = self.0;
        let mut k = 0.0;
        bind(params, self.class(), |key, v| match (kind, key) {
            (PointwiseKind::Div, "divisor") | (PointwiseKind::Scale, "factor") => {
                k = params::read_double(key, v)?;
                Ok(Prop::Set)
            }
            _ => Ok(Prop::Unknown),
        })?;
        match kind {
            PointwiseKind::Div if k == 0.0 => {
                // DivideAggregator.m_divisor is @NonZero; the field name leaks into the text.
                Err(params::violation("m_divisor", "may not be zero"))
            }
            PointwiseKind::Diff => Ok(StreamAggregator::numeric(each_group(Consecutive::new(
                Diff,
            )))),
            _ => {
                let divide = kind == PointwiseKind::Div;
                Ok(StreamAggregator::numeric(each_group(MapState {
                    divide,
                    k,
                })))
            }
        }
    }
}
