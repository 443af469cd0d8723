//! `trim` (AGG/TrimAggregator.java): drops the first, the last, or both points of a group.

use plugin_api::params;
use plugin_api::{
    AggregateError, Aggregator, AggregatorFactory, DataPoint, ParamError, ProcessorMetadata,
    QueryContext,
};
use serde_json::{Map, Value};

use super::stream::{each_group, PointState, StreamAggregator};
use crate::metadata::{self, enum_prop};
use crate::props::{bind, JavaClass, Prop};

const CLASS: JavaClass = JavaClass {
    name: "trim",
    fqcn: "org.kairosdb.core.aggregator.TrimAggregator",
};

const MODES: [&str; 3] = ["FIRST", "LAST", "BOTH"];

#[derive(Clone)]
struct TrimState {
    skip_first: bool,
    hold_last: bool,
    seen: bool,
    held: Option<DataPoint>,
}

impl PointState for TrimState {
    fn point(&mut self, p: &DataPoint, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        if !std::mem::replace(&mut self.seen, true) && self.skip_first {
            return Ok(());
        }
        if self.hold_last {
            out.extend(self.held.replace(p.clone()));
        } else {
            out.push(p.clone());
        }
        Ok(())
    }

    fn end(&mut self) {
        self.held = None;
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
        Ok(StreamAggregator::any(each_group(TrimState {
            skip_first,
            hold_last,
            seen: false,
            held: None,
        })))
    }
}
