//! What a processor knows about the query it is part of.

use std::fmt;
use std::sync::Arc;

use crate::DataPoint;

/// Where processors that write data (`save_as`) send points: the host's ingest core.
pub trait PointSink: Send + Sync {
    /// Stores points of one series; `tags` sorted by name, `ttl` in seconds (0 = default).
    fn write(
        &self,
        metric: &str,
        tags: &[(String, String)],
        ttl: i64,
        points: &[DataPoint],
    ) -> Result<(), String>;
}

/// Output order of a metric query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Order {
    /// Oldest first (default).
    #[default]
    Asc,
    /// Newest first.
    Desc,
}

/// Query-level facts handed to every factory at parse time.
#[derive(Clone)]
pub struct QueryContext {
    /// Query start in ms (absolute, or relative resolved against `now`).
    pub start: i64,
    /// Query end in ms; `i64::MAX` when the query has no end (Java `Long.MAX_VALUE`).
    pub end: i64,
    /// The clock at parse time, in ms.
    pub now: i64,
    /// The query's `time_zone` (an IANA id), or `None` when the query gave none.
    pub time_zone: Option<String>,
    /// The zone used where Java would use the JVM default zone (config, UTC unless set).
    pub default_time_zone: String,
    /// The metric's output order.
    pub order: Order,
    /// The metric's group-bys parsed so far, as (name, JSON parameters), for GroupByAware processors.
    pub group_bys: Vec<(String, serde_json::Value)>,
    /// The host's ingest core, for processors that write points; `None` where writing is off.
    pub sink: Option<Arc<dyn PointSink>>,
}

impl fmt::Debug for QueryContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueryContext")
            .field("start", &self.start)
            .field("end", &self.end)
            .field("now", &self.now)
            .field("time_zone", &self.time_zone)
            .field("default_time_zone", &self.default_time_zone)
            .field("order", &self.order)
            .field("group_bys", &self.group_bys)
            .field("sink", &self.sink.is_some())
            .finish()
    }
}

impl QueryContext {
    /// The zone a time-zone-aware processor uses when it has no `time_zone` of its own.
    pub fn effective_time_zone(&self) -> &str {
        match self.time_zone.as_deref() {
            Some("") => "UTC",
            Some(z) => z,
            None => &self.default_time_zone,
        }
    }
}
