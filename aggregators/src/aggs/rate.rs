//! `rate` and `sampler` (AGG/RateAggregator.java, AGG/SamplerAggregator.java): per pair of
//! consecutive points, a value per sampling unit, with calendar-aware unit lengths.

use plugin_api::{
    AggregateError, Aggregator, AggregatorFactory, DataPoint, ParamError, ProcessorMetadata,
    QueryContext,
};
use serde_json::{Map, Value};

use super::stream::{each_group, Consecutive, PairState, StreamAggregator};
use crate::jvm::double_value;
use crate::metadata::{self, enum_prop};
use crate::props::{bind, JavaClass, Prop};
use crate::time::{self, sampling_duration, Duration, TimeUnit, Zone};

/// The factory of `rate` (`sampler` = false) or `sampler` (`sampler` = true).
pub struct RateFactory {
    /// Builds `sampler` instead of `rate`.
    pub sampler: bool,
}

impl RateFactory {
    fn class(&self) -> JavaClass {
        if self.sampler {
            JavaClass {
                name: "sampler",
                fqcn: "org.kairosdb.core.aggregator.SamplerAggregator",
            }
        } else {
            JavaClass {
                name: "rate",
                fqcn: "org.kairosdb.core.aggregator.RateAggregator",
            }
        }
    }
}

#[derive(Clone)]
struct RateState {
    sampler: bool,
    sampling: Duration,
    zone: Zone,
}

impl PairState for RateState {
    fn pair(&self, p0: &DataPoint, p1: &DataPoint) -> Result<DataPoint, AggregateError> {
        let x0 = double_value(p0)?;
        let (t0, t1) = (p0.timestamp, p1.timestamp);
        let x1 = double_value(p1)?;
        if t1 == t0 {
            let name = if self.sampler { "sampler" } else { "rate" };
            return Err(AggregateError::msg(format!(
                "The {name} aggregator cannot compute rate for data points with the same time stamp.  You must precede {name} with another aggregator."
            )));
        }
        let dt = t1.wrapping_sub(t0) as f64;
        let dur = sampling_duration(t0, self.sampling, self.zone)? as f64;
        let v = if self.sampler {
            x1 / dt * dur
        } else {
            (x1 - x0) / dt * dur
        };
        Ok(DataPoint::double(t1, v))
    }
}

impl AggregatorFactory for RateFactory {
    fn name(&self) -> &str {
        self.class().name
    }

    fn metadata(&self) -> ProcessorMetadata {
        if self.sampler {
            let unit = enum_prop(
                "unit",
                "Time Unit",
                "Time unit of sampling",
                &metadata::unit_names(),
                "milliseconds",
            );
            metadata::processor(
                "sampler",
                None,
                "Computes the sampling rate of change for the data points.",
                vec![unit],
            )
        } else {
            metadata::processor(
                "rate",
                None,
                "Computes the rate of change for the data points.",
                vec![metadata::duration_prop("sampling", "Sampling")],
            )
        }
    }

    fn create(
        &self,
        params: &Map<String, Value>,
        ctx: &QueryContext,
    ) -> Result<Box<dyn Aggregator>, ParamError> {
        let sampler = self.sampler;
        let mut sampling = Duration {
            value: 1,
            unit: TimeUnit::Milliseconds,
        };
        let mut zone = time::context_zone(ctx)?;
        bind(params, self.class(), |key, v| {
            match key {
                "sampling" if !sampler => sampling = time::read_duration(key, v)?,
                "unit" => {
                    let unit =
                        time::read_unit(v)?.ok_or_else(plugin_api::params::cannot_validate_null)?;
                    sampling = Duration { value: 1, unit };
                }
                "time_zone" => zone = time::read_zone(v)?,
                _ => return Ok(Prop::Unknown),
            }
            Ok(Prop::Set)
        })?;
        Ok(StreamAggregator::numeric(each_group(Consecutive::new(
            RateState {
                sampler,
                sampling,
                zone,
            },
        ))))
    }
}
