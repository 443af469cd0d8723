//! `tag` (GB/TagGroupBy.java): validated here; the host groups rows by the tag names itself.

use plugin_api::params;
use plugin_api::{
    AggregateError, DataPoint, GroupBy, GroupByFactory, ParamError, ProcessorMetadata, QueryContext,
};
use serde_json::{Map, Value};

use crate::metadata::{self, prop, validations};
use crate::props::{self, bind, JavaClass, Prop};

const CLASS: JavaClass = JavaClass {
    name: "tag",
    fqcn: "org.kairosdb.core.groupby.TagGroupBy",
};

/// The `tag` group-by factory.
pub struct TagGroupByFactory;

/// A configured `tag` group-by.
pub struct TagGroupBy {
    tags: Vec<String>,
}

impl GroupBy for TagGroupBy {
    fn tag_names(&self) -> Option<&[String]> {
        Some(&self.tags)
    }

    fn group_ids(&self, batch: &[DataPoint], ids: &mut Vec<i64>) -> Result<(), AggregateError> {
        // TagGroupBy.getGroupId is never used by Java either; it answers 0.
        ids.extend(batch.iter().map(|_| 0));
        Ok(())
    }

    fn result_json(&self, _id: i64) -> String {
        // TagGroupBy.getGroupByResult returns null; the host writes the tag result itself.
        "null".to_string()
    }
}

impl GroupByFactory for TagGroupByFactory {
    fn name(&self) -> &str {
        CLASS.name
    }

    fn metadata(&self) -> ProcessorMetadata {
        let mut tags = validations(
            prop("tags", "Tags", "A list of tags to group by.", "array", "[]"),
            &[("value.length > 0", "Tags can't be empty.")],
        );
        tags.autocomplete = Some("tags".to_string());
        metadata::processor(
            CLASS.name,
            None,
            "Groups data points by tag names.",
            vec![tags],
        )
    }

    fn create(
        &self,
        params: &Map<String, Value>,
        _ctx: &QueryContext,
    ) -> Result<Box<dyn GroupBy>, ParamError> {
        let mut tags: Option<Vec<Option<String>>> = None;
        let mut start = 0;
        bind(params, CLASS, |key, v| match key {
            "tags" => {
                tags = Some(params::read_string_list(v)?);
                Ok(Prop::Set)
            }
            "tag_names" => props::read_only_strings(v),
            _ => super::common_prop(key, v, &mut start),
        })?;
        let tags = tags.ok_or_else(|| params::violation("tags", "may not be null"))?;
        if tags.is_empty() {
            return Err(params::violation("tags", "may not be empty"));
        }
        // A null tag name makes Java fail with a NullPointerException while grouping.
        let tags = tags
            .into_iter()
            .map(|t| t.ok_or_else(|| ParamError::Internal("null".to_string())))
            .collect::<Result<Vec<String>, ParamError>>()?;
        Ok(Box::new(TagGroupBy { tags }))
    }
}
