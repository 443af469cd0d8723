//! One entry of `metrics` (Java `MetricDeserializer` and the loop body of
//! `parseQueryMetric`), checked in Java's order.

use plugin_api::{QueryContext, Registry};

use super::gson::{self, JavaError};
use super::header::Header;
use super::processors::{parse_plugins, read_order, violation, Processors};
use super::{MetricQuery, QueryError, QueryParseOptions};
use crate::json::lenient::Json;
use crate::series::java_cmp;

/// What `MetricDeserializer` reads before bean validation.
struct MetricFields {
    name: Option<String>,
    alias: Option<String>,
    exclude_tags: bool,
    tags: Vec<(String, Vec<String>)>,
    limit: i32,
}

/// A `ContextualJsonSyntaxException` of the deserializer, caught with the metric context.
fn contextual(context: &str, path: &str, msg: &str) -> QueryError {
    violation(context, path, msg)
}

/// A tag value: `getAsString`, refused when null or empty.
fn tag_value(context: &str, path: &str, v: &Json) -> Result<String, QueryError> {
    if v.is_null() {
        return Err(contextual(context, path, "value must not be null or empty"));
    }
    let s = gson::as_string(v).map_err(JavaError::in_from_json)?;
    if s.is_empty() {
        return Err(contextual(context, path, "value must not be null or empty"));
    }
    Ok(s)
}

/// The `tags` member as a Java `TreeMultimap`: names and values sorted, values distinct.
fn read_tags(context: &str, j: &Json) -> Result<Vec<(String, Vec<String>)>, QueryError> {
    let obj = gson::as_object(j).map_err(JavaError::in_from_json)?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (count, (name, value)) in gson::members(obj).into_iter().enumerate() {
        if name.is_empty() {
            return Err(contextual(
                context,
                &format!("tags[{count}]"),
                "name must not be empty",
            ));
        }
        let path = format!("tags[{count}].{name}");
        match value {
            Json::Array(items) => {
                for item in items {
                    pairs.push((name.to_string(), tag_value(context, &path, item)?));
                }
            }
            other => pairs.push((name.to_string(), tag_value(context, &path, other)?)),
        }
    }
    pairs.sort_by(|a, b| java_cmp(&a.0, &b.0).then_with(|| java_cmp(&a.1, &b.1)));
    pairs.dedup();
    let mut tags: Vec<(String, Vec<String>)> = Vec::new();
    for (name, value) in pairs {
        match tags.last_mut() {
            Some((last, values)) if *last == name => values.push(value),
            _ => tags.push((name, vec![value])),
        }
    }
    Ok(tags)
}

/// `MetricDeserializer.deserialize` (inside `Gson.fromJson`).
fn deserialize(context: &str, j: &Json) -> Result<MetricFields, QueryError> {
    let obj = gson::as_object(j).map_err(JavaError::in_from_json)?;
    let members = gson::members(obj);
    let get = |key: &str| members.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    let name = get("name")
        .map(gson::as_string)
        .transpose()
        .map_err(JavaError::in_from_json)?;
    let exclude_tags = get("exclude_tags")
        .map(gson::as_bool)
        .transpose()
        .map_err(JavaError::in_from_json)?
        .unwrap_or(false);
    let tags = get("tags")
        .map(|t| read_tags(context, t))
        .transpose()?
        .unwrap_or_default();
    let limit = get("limit")
        .map(gson::as_int)
        .transpose()
        .map_err(JavaError::in_from_json)?
        .unwrap_or(0);
    let alias = get("alias")
        .map(gson::as_string)
        .transpose()
        .map_err(JavaError::in_from_json)?;
    Ok(MetricFields {
        name,
        alias,
        exclude_tags,
        tags,
        limit,
    })
}

/// `Metric.getCacheString()`: the name, then `tag=value:` for every filter pair.
fn metric_cache_string(name: &str, tags: &[(String, Vec<String>)]) -> String {
    let mut s = format!("{name}:");
    for (tag, values) in tags {
        for v in values {
            s.push_str(&format!("{tag}={v}:"));
        }
    }
    s
}

/// Parses `metrics[index]` against the query-level members.
pub(super) fn parse_metric(
    index: usize,
    j: &Json,
    header: &Header,
    registry: &Registry,
    opts: &QueryParseOptions,
) -> Result<MetricQuery, QueryError> {
    let context = format!("query.metric[{index}]");
    // A null entry deserializes to null, which the bean validator refuses to validate.
    if j.is_null() {
        return Err(QueryError::Internal(Some("cannot validate null".into())));
    }
    let fields = deserialize(&context, j)?;
    let name = match fields.name {
        None => return Err(violation(&context, "name", "may not be null")),
        Some(n) if n.is_empty() => return Err(violation(&context, "name", "may not be empty")),
        Some(n) => n,
    };
    let start = header.start(opts.now).ok_or_else(|| {
        violation(
            &context,
            "start_time",
            "relative or absolute time must be set",
        )
    })?;
    let end = header.end(opts.now);
    if end < start {
        return Err(violation(
            &context,
            "end_time",
            "must be greater than the start time",
        ));
    }
    let cache_string = header.cache_string() + &metric_cache_string(&name, &fields.tags);
    let obj = gson::as_object(j).map_err(JavaError::raw)?;
    // Java reads `order` after the processors; the context needs it first, its error waits.
    let order = read_order(&context, obj);
    let mut processors = Processors {
        registry,
        ctx: QueryContext {
            start,
            end,
            now: opts.now,
            time_zone: header.time_zone.clone(),
            default_time_zone: opts.default_time_zone.clone(),
            order: order.as_ref().map_or(Default::default(), |o| *o),
            group_bys: Vec::new(),
            sink: opts.sink.clone(),
        },
        group_bys: Vec::new(),
        aggregators: Vec::new(),
    };
    processors.parse_all(&context, obj)?;
    parse_plugins(&context, obj)?;
    let order = order?;
    Ok(MetricQuery {
        name,
        alias: fields.alias,
        tags: fields.tags,
        exclude_tags: fields.exclude_tags,
        limit: fields.limit as i64,
        order,
        start,
        end,
        group_bys: processors.group_bys,
        aggregators: processors.aggregators,
        cache_string,
    })
}
