//! `save_as` (AGG/SaveAsAggregator.java): passes points through and writes them to another
//! metric through the host's `PointSink`.

use std::collections::BTreeSet;
use std::sync::Arc;

use plugin_api::params;
use plugin_api::{
    AggregateError, Aggregator, AggregatorFactory, AggregatorState, DataPoint, GroupInfo,
    ParamError, PointSink, ProcessorMetadata, QueryContext,
};
use serde_json::{Map, Value};

use super::stream::StreamAggregator;
use crate::jvm::{java_cmp, no_message};
use crate::metadata::{self, prop, validations};
use crate::props::{self, bind, JavaClass, Prop};

const CLASS: JavaClass = JavaClass {
    name: "save_as",
    fqcn: "org.kairosdb.core.aggregator.SaveAsAggregator",
};

/// What a `save_as` aggregator writes.
#[derive(Clone)]
struct Target {
    metric: Option<String>,
    tags: Vec<(String, Option<String>)>,
    ttl: i32,
    add_saved_from: bool,
    tags_to_keep: BTreeSet<String>,
    sink: Option<Arc<dyn PointSink>>,
}

impl Target {
    /// The tags of the saved series, built like Guava's `ImmutableSortedMap.Builder`, which
    /// refuses null values and repeated keys.
    fn group_tags(&self, group: &GroupInfo) -> Result<Vec<(String, String)>, AggregateError> {
        let mut entries: Vec<(String, String)> = Vec::new();
        for (k, v) in &self.tags {
            let v = v
                .as_ref()
                .ok_or_else(|| AggregateError::msg(format!("null value in entry: {k}=null")))?;
            entries.push((k.clone(), v.clone()));
        }
        if self.add_saved_from {
            entries.push(("saved_from".to_string(), group.metric.clone()));
        }
        for (name, values) in &group.tags {
            if self.tags_to_keep.contains(name) && values.len() == 1 {
                entries.push((name.clone(), values[0].clone()));
            }
        }
        // Stable sort by key: duplicates keep insertion order, as in Guava's build().
        entries.sort_by(|a, b| java_cmp(&a.0, &b.0));
        for w in entries.windows(2) {
            if w[0].0 == w[1].0 {
                return Err(AggregateError::msg(format!(
                    "Multiple entries with same key: {}={} and {}={}",
                    w[0].0, w[0].1, w[1].0, w[1].1
                )));
            }
        }
        Ok(entries)
    }
}

struct SaveAsState {
    metric: Option<String>,
    tags: Vec<(String, String)>,
    ttl: i64,
    sink: Option<Arc<dyn PointSink>>,
}

impl AggregatorState for SaveAsState {
    fn push(
        &mut self,
        batch: &[DataPoint],
        out: &mut Vec<DataPoint>,
    ) -> Result<(), AggregateError> {
        if batch.is_empty() {
            return Ok(());
        }
        // DataPointEvent requires a non-empty metric name (no message otherwise).
        let metric = match self.metric.as_deref() {
            Some(m) if !m.is_empty() => m,
            _ => return Err(no_message()),
        };
        if let Some(sink) = &self.sink {
            sink.write(metric, &self.tags, self.ttl, batch)
                .map_err(AggregateError::msg)?;
        }
        out.extend_from_slice(batch);
        Ok(())
    }

    fn finish(&mut self, _out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        Ok(())
    }
}

/// The tag names of every `tag` group-by parsed so far (`GroupByAware.setGroupBys`).
fn tag_group_by_names(ctx: &QueryContext) -> BTreeSet<String> {
    ctx.group_bys
        .iter()
        .filter(|(name, _)| name == "tag")
        .filter_map(|(_, p)| p.get("tags").and_then(Value::as_array))
        .flat_map(|tags| tags.iter().filter_map(|t| t.as_str().map(str::to_string)))
        .collect()
}

/// The `save_as` factory.
pub struct SaveAsFactory;

impl AggregatorFactory for SaveAsFactory {
    fn name(&self) -> &str {
        CLASS.name
    }

    fn metadata(&self) -> ProcessorMetadata {
        let name = validations(
            prop(
                "metric_name",
                "Save As",
                "The name of the new metric.",
                "String",
                "<new name>",
            ),
            &[("!value && value.length > 0", "The name can't be empty.")],
        );
        metadata::processor(
            CLASS.name,
            None,
            "Saves the results to a new metric.",
            vec![name],
        )
    }

    fn create(
        &self,
        params: &Map<String, Value>,
        ctx: &QueryContext,
    ) -> Result<Box<dyn Aggregator>, ParamError> {
        let mut t = Target {
            metric: None,
            tags: Vec::new(),
            ttl: 0,
            add_saved_from: true,
            tags_to_keep: tag_group_by_names(ctx),
            sink: ctx.sink.clone(),
        };
        bind(params, CLASS, |key, v| {
            match key {
                "metric_name" => t.metric = Some(params::read_string(v)?),
                "tags" => t.tags = params::read_string_map(v)?,
                "ttl" => t.ttl = params::read_int(v)?,
                "add_saved_from" => t.add_saved_from = params::read_bool(v)?,
                "group_bys" => read_group_bys(v)?,
                "tags_to_keep" => return props::read_only_strings(v),
                _ => return Ok(Prop::Unknown),
            }
            Ok(Prop::Set)
        })?;
        Ok(StreamAggregator::any(Box::new(move |group| {
            Ok(Box::new(SaveAsState {
                metric: t.metric.clone(),
                tags: t.group_tags(group)?,
                ttl: i64::from(t.ttl),
                sink: t.sink.clone(),
            }))
        })))
    }
}

/// The `group_bys` setter of `GroupByAware`: Gson cannot build the `GroupBy` interface, so
/// only an empty list (or nulls) gets through.
fn read_group_bys(v: &Value) -> Result<(), ParamError> {
    match v {
        Value::Null => Err(params::cannot_validate_null()),
        Value::Array(items) if items.iter().all(Value::is_null) => Ok(()),
        Value::Array(_) => Err(ParamError::Internal(
            "Unable to invoke no-args constructor for interface org.kairosdb.plugin.GroupBy. Register an InstanceCreator with Gson for this type may fix this problem."
                .to_string(),
        )),
        other => Err(params::type_mismatch("BEGIN_ARRAY", other)),
    }
}
