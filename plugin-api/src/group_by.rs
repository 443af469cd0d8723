//! The group-by traits.

use crate::{AggregateError, DataPoint, ParamError, ProcessorMetadata, QueryContext};

/// Builds configured group-bys from query JSON; one per group-by name.
pub trait GroupByFactory: Send + Sync {
    /// The name used in query JSON (`"name": "time"`).
    fn name(&self) -> &str;
    /// Description for `/api/v1/features`.
    fn metadata(&self) -> ProcessorMetadata;
    /// Builds a group-by from its JSON object (all members, `name` included).
    fn create(
        &self,
        params: &serde_json::Map<String, serde_json::Value>,
        ctx: &QueryContext,
    ) -> Result<Box<dyn GroupBy>, ParamError>;
}

/// A configured group-by.
pub trait GroupBy: Send + Sync {
    /// For the `tag` group-by only: the tag names to group rows by; the host groups by tag.
    fn tag_names(&self) -> Option<&[String]> {
        None
    }
    /// The group number of each point of a batch, appended to `ids` (one per point).
    fn group_ids(&self, batch: &[DataPoint], ids: &mut Vec<i64>) -> Result<(), AggregateError>;
    /// The compact JSON entry of this group-by in a result's `group_by` array for one group id.
    fn result_json(&self, id: i64) -> String;
}
