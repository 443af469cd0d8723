//! The aggregator traits.

use crate::{AggregateError, DataPoint, ParamError, ProcessorMetadata, QueryContext};

/// Builds configured aggregators from query JSON; one per aggregator name.
pub trait AggregatorFactory: Send + Sync {
    /// The name used in query JSON (`"name": "avg"`).
    fn name(&self) -> &str;
    /// Description for `/api/v1/features`.
    fn metadata(&self) -> ProcessorMetadata;
    /// Builds an aggregator from its JSON object (all members, `name` included).
    fn create(
        &self,
        params: &serde_json::Map<String, serde_json::Value>,
        ctx: &QueryContext,
    ) -> Result<Box<dyn Aggregator>, ParamError>;
}

/// What the host knows about one output group when it opens per-group state.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GroupInfo {
    /// Metric name of the group.
    pub metric: String,
    /// Group type of the input (`number`, `text`, ...).
    pub group_type: String,
    /// Tags of the group: name to distinct values.
    pub tags: Vec<(String, Vec<String>)>,
}

/// A configured aggregator, shared by all groups of one metric query.
pub trait Aggregator: Send + Sync {
    /// Whether this aggregator takes a group of this type (others are skipped silently).
    fn accepts(&self, group_type: &str) -> bool;
    /// The group type after this aggregator, given the input type.
    fn output_type(&self, input_type: &str) -> String;
    /// Fresh per-group state; called once for every output group.
    fn open(&self, group: &GroupInfo) -> Result<Box<dyn AggregatorState>, AggregateError>;
}

/// Per-group aggregation state: input batches in, output points appended to `out`.
pub trait AggregatorState: Send {
    /// Consumes the next batch of input points (in the query's order).
    fn push(&mut self, batch: &[DataPoint], out: &mut Vec<DataPoint>)
        -> Result<(), AggregateError>;
    /// Called once after the last batch; emits whatever is pending.
    fn finish(&mut self, out: &mut Vec<DataPoint>) -> Result<(), AggregateError>;
}
