//! Factories of the range aggregators: `avg, count, dev, first, gaps, last, least_squares,
//! max, min, percentile, sum` (each a `RangeAggregator` subclass in Java).

use plugin_api::params;
use plugin_api::{Aggregator, AggregatorFactory, ParamError, ProcessorMetadata, QueryContext};
use serde_json::{Map, Value};

use super::exhaustive::GapsAggregator;
use super::normal::{RangeAggregator, RangeFold};
use super::{RangeBuilder, RangeSettings};
use crate::aggs::basic::{Avg, Count, First, Last, Max, Min, Sum};
use crate::aggs::percentile::Percentile;
use crate::aggs::stats::{Dev, DevReturn, LeastSquares};
use crate::metadata::{self, prop, validations};
use crate::props::{bind, JavaClass, Prop};

/// Which range aggregator a factory builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeKind {
    /// `avg`.
    Avg,
    /// `count`.
    Count,
    /// `dev`.
    Dev,
    /// `first`.
    First,
    /// `gaps`.
    Gaps,
    /// `last`.
    Last,
    /// `least_squares`.
    LeastSquares,
    /// `max`.
    Max,
    /// `min`.
    Min,
    /// `percentile`.
    Percentile,
    /// `sum`.
    Sum,
}

impl RangeKind {
    fn class(self) -> JavaClass {
        let (name, fqcn) = match self {
            RangeKind::Avg => ("avg", "org.kairosdb.core.aggregator.AvgAggregator"),
            RangeKind::Count => ("count", "org.kairosdb.core.aggregator.CountAggregator"),
            RangeKind::Dev => ("dev", "org.kairosdb.core.aggregator.StdAggregator"),
            RangeKind::First => ("first", "org.kairosdb.core.aggregator.FirstAggregator"),
            RangeKind::Gaps => (
                "gaps",
                "org.kairosdb.core.aggregator.DataGapsMarkingAggregator",
            ),
            RangeKind::Last => ("last", "org.kairosdb.core.aggregator.LastAggregator"),
            RangeKind::LeastSquares => (
                "least_squares",
                "org.kairosdb.core.aggregator.LeastSquaresAggregator",
            ),
            RangeKind::Max => ("max", "org.kairosdb.core.aggregator.MaxAggregator"),
            RangeKind::Min => ("min", "org.kairosdb.core.aggregator.MinAggregator"),
            RangeKind::Percentile => (
                "percentile",
                "org.kairosdb.core.aggregator.PercentileAggregator",
            ),
            RangeKind::Sum => ("sum", "org.kairosdb.core.aggregator.SumAggregator"),
        };
        JavaClass { name, fqcn }
    }
}

/// Properties of `dev` and `percentile` beyond the range properties.
#[derive(Clone, Copy, Debug)]
struct Extra {
    dev_return: DevReturn,
    dev_count: i32,
    percentile: f64,
}

/// The factory of one range aggregator.
pub struct RangeFactory(pub RangeKind);

impl RangeFactory {
    fn set_extra(&self, extra: &mut Extra, key: &str, v: &Value) -> Result<Prop, ParamError> {
        match (self.0, key) {
            (RangeKind::Dev, "return_type") => {
                let modes = [DevReturn::PosSd, DevReturn::NegSd, DevReturn::Value];
                extra.dev_return =
                    modes[params::read_lowercase_enum(v, &["pos_sd", "neg_sd", "value"])?];
            }
            (RangeKind::Dev, "dev_count") => extra.dev_count = params::read_int(v)?,
            (RangeKind::Percentile, "percentile") => {
                extra.percentile = params::read_double(key, v)?
            }
            _ => return Ok(Prop::Unknown),
        }
        Ok(Prop::Set)
    }

    fn build(&self, s: RangeSettings, extra: Extra) -> Box<dyn Aggregator> {
        let kind = self.0;
        let aligned = s.align_start || s.align_end;
        let make = move || -> Box<dyn RangeFold> {
            match kind {
                RangeKind::Avg => Box::<Avg>::default(),
                RangeKind::Count => Box::<Count>::default(),
                RangeKind::Dev => Box::new(Dev::new(extra.dev_return, extra.dev_count)),
                RangeKind::First => Box::<First>::default(),
                RangeKind::Last => Box::new(Last::new(aligned)),
                RangeKind::LeastSquares => Box::<LeastSquares>::default(),
                RangeKind::Max => Box::<Max>::default(),
                RangeKind::Min => Box::<Min>::default(),
                RangeKind::Percentile => Box::new(Percentile::new(extra.percentile)),
                RangeKind::Sum | RangeKind::Gaps => Box::<Sum>::default(),
            }
        };
        let any_type = matches!(kind, RangeKind::Count | RangeKind::First | RangeKind::Last);
        let keeps_type = matches!(kind, RangeKind::First | RangeKind::Last);
        Box::new(RangeAggregator::new(
            s,
            !any_type,
            !keeps_type,
            Box::new(make),
        ))
    }
}

impl AggregatorFactory for RangeFactory {
    fn name(&self) -> &str {
        self.0.class().name
    }

    fn metadata(&self) -> ProcessorMetadata {
        let mut props = metadata::range_props();
        let (label, description) = match self.0 {
            RangeKind::Avg => (Some("AVG"), "Averages the data points together."),
            RangeKind::Count => (None, "Counts the number of data points."),
            RangeKind::Dev => (
                None,
                "Calculates the standard deviation of the time series.",
            ),
            RangeKind::First => (
                None,
                "Returns the first value data point for the time range.",
            ),
            RangeKind::Gaps => (
                None,
                "Marks gaps in data according to sampling rate with a null data point.",
            ),
            RangeKind::Last => (
                None,
                "Returns the last value data point for the time range.",
            ),
            RangeKind::LeastSquares => (
                None,
                "Returns a best fit line through the datapoints using the least squares algorithm.",
            ),
            RangeKind::Max => (
                None,
                "Returns the maximum value data point for the time range.",
            ),
            RangeKind::Min => (
                None,
                "Returns the minimum value data point for the time range.",
            ),
            RangeKind::Percentile => (None, "Finds the percentile of the data range."),
            RangeKind::Sum => (None, "Adds data points together."),
        };
        if self.0 == RangeKind::Percentile {
            props.insert(
                0,
                validations(
                    prop(
                        "percentile",
                        "Percentile",
                        "Data points returned will be in this percentile.",
                        "double",
                        "0.1",
                    ),
                    &[
                        ("value > 0", "Percentile must be greater than 0."),
                        ("value < 1", "Percentile must be smaller than 1."),
                    ],
                ),
            );
        }
        metadata::processor(self.name(), label, description, props)
    }

    fn create(
        &self,
        params: &Map<String, Value>,
        ctx: &QueryContext,
    ) -> Result<Box<dyn Aggregator>, ParamError> {
        let mut range = RangeBuilder::new(ctx)?;
        let mut extra = Extra {
            dev_return: DevReturn::Value,
            dev_count: 1,
            percentile: 0.0,
        };
        bind(params, self.0.class(), |key, v| {
            match range.set(key, v)? {
                Prop::Unknown => self.set_extra(&mut extra, key, v),
                other => Ok(other),
            }
        })?;
        // PercentileAggregator.percentile is @NonZero.
        if self.0 == RangeKind::Percentile && extra.percentile == 0.0 {
            return Err(params::violation("percentile", "may not be zero"));
        }
        let settings = range.build()?;
        if self.0 == RangeKind::Gaps {
            return Ok(Box::new(GapsAggregator::new(settings)));
        }
        Ok(self.build(settings, extra))
    }
}
