//! `trim` (AGG/TrimAggregator.java): drops the first, the last, or both points of a group.

use plugin_api::params;
use plugin_api::{
    AggregateError, Aggregator, AggregatorFactory, AggregatorState, DataPoint, ParamError,
    ProcessorMetadata, QueryContext,
};
use serde_json::{Map, Value};

use super::stream::StreamAggregator;
use crate::metadata::{self, enum_prop};
use crate::props::{bind, JavaClass, Prop};

const CLASS: JavaClass = JavaClass {
    name: "trim",
    fqcn: "org.kairosdb.core.aggregator.TrimAggregator",
};

const MODES: [&str; 3] = ["FIRST", "LAST", "BOTH"];

struct TrimState {
    skip_first: bool,
    hold_last: bool,
    seen: bool,
    held: Option<DataPoint>,
}

impl AggregatorState for TrimState {
    fn push(
        &mut self,
        batch: &[DataPoint],
        out: &mut Vec<DataPoint>,
    ) -> Result<(), AggregateError> {
        for p in batch {
            if !std::mem::replace(&mut self.seen, true) && self.skip_first {
                continue;
            }
            if self.hold_last {
                out.extend(self.held.replace(p.clone()));
            } else {
                out.push(p.clone());
            }
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        self.held = None;
        Ok(())
    }
}

/// The `trim` factory.
pub struct TrimFactory;

impl AggregatorFactory for TrimFactory {
    fn name(&self) -> &str {
        CLASS.name
    }

    fn metadata(&self) -> ProcessorMetadata {
        let trim = enum_prop("trim", "Trim", "Which data point to trim", &MODES, "both");
        metadata::processor(
            CLASS.name,
            None,
            "Trims off the first, last or both (first and last) data points from the results.",
            vec![trim],
        )
    }

    fn create(
        &self,
        params: &Map<String, Value>,
        _ctx: &QueryContext,
    ) -> Result<Box<dyn Aggregator>, ParamError> {
        // TrimAggregator has no default: without the key nothing is trimmed.
        let mut mode: Option<usize> = None;
        bind(params, CLASS, |key, v| match key {
            "trim" => {
                mode = Some(params::read_insensitive_enum(v, &MODES)?);
                Ok(Prop::Set)
            }
            _ => Ok(Prop::Unknown),
        })?;
        let skip_first = matches!(mode, Some(0) | Some(2));
        let hold_last = matches!(mode, Some(1) | Some(2));
        Ok(StreamAggregator::any(Box::new(move |_| {
            Ok(Box::new(TrimState {
                skip_first,
                hold_last,
                seen: false,
                held: None,
            }))
        })))
    }
}
