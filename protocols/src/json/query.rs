//! The query JSON of `/datapoints/query`, `/datapoints/query/tags` and `/datapoints/delete`
//! (spec http-api §4, query-engine §2), parsed and validated like KairosDB v1.3.0's
//! `QueryParser`: same checks, same order, same messages, same 400/500 split.
//!
//! Additions from the repository HEAD (spec Appendix B): a metric's `alias` is kept.

mod gson;
mod header;
mod metric;
mod processors;
mod time;

use std::fmt;

use std::sync::Arc;

use plugin_api::{Aggregator, GroupBy, Order, PointSink, Registry};

use self::gson::JavaError;
use self::header::Header;
use crate::json::lenient::{self, Json};

/// What the parser needs from its caller.
#[derive(Clone, Default)]
pub struct QueryParseOptions {
    /// The clock in ms; relative times are resolved against it.
    pub now: i64,
    /// The zone used where Java would use the JVM default zone (handed to processors).
    pub default_time_zone: String,
    /// Where processors that write points (`save_as`) send them; `None` turns writing off.
    pub sink: Option<Arc<dyn PointSink>>,
}

impl std::fmt::Debug for QueryParseOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryParseOptions")
            .field("now", &self.now)
            .field("default_time_zone", &self.default_time_zone)
            .field("sink", &self.sink.is_some())
            .finish()
    }
}

/// A parsed query: one [`MetricQuery`] per entry of `metrics`, in request order.
#[derive(Debug)]
pub struct Query {
    /// The metric queries.
    pub metrics: Vec<MetricQuery>,
    /// The query's `time_zone` (`""` becomes `UTC`); `None` when not given.
    pub time_zone: Option<String>,
    /// `cache_time` in seconds (>= 0).
    pub cache_time: i64,
}

/// One metric of a query, with its processors built.
pub struct MetricQuery {
    /// Metric name (non-empty).
    pub name: String,
    /// `alias`, echoed in results.
    pub alias: Option<String>,
    /// Tag filter: names and distinct raw values in Java order; a tag given as `[]` is absent.
    pub tags: Vec<(String, Vec<String>)>,
    /// Whether results leave out `tags`.
    pub exclude_tags: bool,
    /// Points per group before aggregation; 0 means no limit.
    pub limit: i64,
    /// Output order.
    pub order: Order,
    /// Start in ms (inclusive).
    pub start: i64,
    /// End in ms (inclusive); `i64::MAX` when the query gives no end.
    pub end: i64,
    /// Group-bys in request order.
    pub group_bys: Vec<Box<dyn GroupBy>>,
    /// Aggregators in request order.
    pub aggregators: Vec<Box<dyn Aggregator>>,
    /// Java's cache string, e.g. `784041330:788879730:bob:host=bar:host=foo:`.
    pub cache_string: String,
}

impl fmt::Debug for MetricQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetricQuery")
            .field("name", &self.name)
            .field("alias", &self.alias)
            .field("tags", &self.tags)
            .field("exclude_tags", &self.exclude_tags)
            .field("limit", &self.limit)
            .field("order", &self.order)
            .field("start", &self.start)
            .field("end", &self.end)
            .field("group_bys", &self.group_bys.len())
            .field("aggregators", &self.aggregators.len())
            .field("cache_string", &self.cache_string)
            .finish()
    }
}

/// Why a query was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryError {
    /// HTTP 400 with these messages (`{"errors":[...]}`).
    BadRequest(Vec<String>),
    /// HTTP 500 with this message; `None` is a Java exception without message (JSON `null`).
    Internal(Option<String>),
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::BadRequest(m) => write!(f, "bad request: {}", m.join("; ")),
            QueryError::Internal(m) => {
                write!(f, "internal error: {}", m.as_deref().unwrap_or("null"))
            }
        }
    }
}

impl std::error::Error for QueryError {}

/// Parses and validates a query body, building every metric's processors from `registry`.
pub fn parse_query(
    text: &str,
    registry: &Registry,
    opts: &QueryParseOptions,
) -> Result<Query, QueryError> {
    let root = lenient::parse(text).map_err(|e| QueryError::BadRequest(vec![e.message]))?;
    let obj = gson::as_object(&root).map_err(JavaError::raw)?;
    let header = Header::read(obj)?;
    processors::parse_plugins("", obj)?;
    let metrics = match gson::members(obj)
        .into_iter()
        .find(|(k, _)| *k == "metrics")
    {
        None => {
            return Err(processors::violation(
                "query",
                "metric[]",
                "must have a size of at least 1",
            ))
        }
        Some((_, Json::Array(items))) => items,
        // `JsonObject.getAsJsonArray(name)` is a cast (JDK 8 message).
        Some((_, other)) => {
            return Err(QueryError::Internal(Some(format!(
                "com.google.gson.{} cannot be cast to com.google.gson.JsonArray",
                other.gson_class()
            ))))
        }
    };
    let metrics = metrics
        .iter()
        .enumerate()
        .map(|(i, m)| metric::parse_metric(i, m, &header, registry, opts))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Query {
        metrics,
        time_zone: header.time_zone,
        cache_time: header.cache_time,
    })
}

#[cfg(test)]
mod tests;
