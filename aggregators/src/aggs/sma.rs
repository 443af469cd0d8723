//! `sma` (AGG/SmaAggregator.java): simple moving average over the last `size` points.

use std::collections::VecDeque;

use plugin_api::params;
use plugin_api::{
    AggregateError, Aggregator, AggregatorFactory, DataPoint, ParamError, ProcessorMetadata,
    QueryContext,
};
use serde_json::{Map, Value};

use super::stream::{per_point, PointState, StreamAggregator};
use crate::jvm::{double_value, no_message};
use crate::metadata::{self, prop, validations};
use crate::props::{bind, JavaClass, Prop};

const CLASS: JavaClass = JavaClass {
    name: "sma",
    fqcn: "org.kairosdb.core.aggregator.SmaAggregator",
};

struct SmaState {
    size: i32,
    /// Points still to pre-read without output (`size - 1` at the start).
    preread: i64,
    window: VecDeque<DataPoint>,
}

impl PointState for SmaState {
    fn point(&mut self, p: &DataPoint, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        if self.preread > 0 {
            self.preread -= 1;
            self.window.push_back(p.clone());
            return Ok(());
        }
        self.window.push_back(p.clone());
        if self.window.len() as i64 > i64::from(self.size) {
            self.window.pop_front();
        }
        let mut sum = 0.0;
        for q in &self.window {
            sum += double_value(q)?;
        }
        out.push(DataPoint::double(
            p.timestamp,
            sum / self.window.len() as f64,
        ));
        Ok(())
    }
}

/// The `sma` factory.
pub struct SmaFactory;

impl AggregatorFactory for SmaFactory {
    fn name(&self) -> &str {
        CLASS.name
    }

    fn metadata(&self) -> ProcessorMetadata {
        let size = validations(
            prop(
                "size",
                "Size",
                "The period of the moving average. This is the number of data point to use each time the average is calculated.",
                "int",
                "10",
            ),
            &[("value > 0", "Size must be greater than 0.")],
        );
        metadata::processor(
            CLASS.name,
            Some("SMA"),
            "Simple moving average.",
            vec![size],
        )
    }

    fn create(
        &self,
        params: &Map<String, Value>,
        _ctx: &QueryContext,
    ) -> Result<Box<dyn Aggregator>, ParamError> {
        let mut size = 0;
        bind(params, CLASS, |key, v| match key {
            "size" => {
                size = params::read_int(v)?;
                Ok(Prop::Set)
            }
            _ => Ok(Prop::Unknown),
        })?;
        Ok(StreamAggregator::numeric(Box::new(move |_| {
            // SmaAggregator.aggregate: Guava checkState(m_size != 0), no message.
            if size == 0 {
                return Err(no_message());
            }
            Ok(per_point(SmaState {
                size,
                preread: (i64::from(size) - 1).max(0),
                window: VecDeque::new(),
            }))
        })))
    }
}
