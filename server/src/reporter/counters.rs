//! Counters the reporter drains each period, kept by the front-ends as Java's reporters keep
//! theirs (HTTP/MonitorFilter.java, TELNET/PutMillisecondCommand.java, REST/MetricsResource.java
//! `getMetrics`, CORE/reporting/DataPointsMonitor.java).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use parking_lot::Mutex;
use protocols::SeriesPoints;

/// Most distinct resource names `kairosdb.protocol.http_request_count` tracks (Java: unbounded).
const MAX_RESOURCES: usize = 1000;

/// Telnet commands reported by `kairosdb.protocol.telnet_request_count`, in Java's names.
pub const TELNET_COMMANDS: [&str; 4] = ["put", "putm", "puts", "version"];

/// What happened since the last report.
#[derive(Default)]
pub struct Counters {
    /// HTTP requests by the last non-empty path segment; names stay once seen (Java keeps them).
    http_resources: Mutex<HashMap<String, u64>>,
    /// Telnet commands, indexed as [`TELNET_COMMANDS`].
    telnet: [AtomicU64; 4],
    /// Points accepted by `POST /api/v1/datapoints`.
    http_ingest_points: AtomicU64,
    /// Milliseconds spent in `POST /api/v1/datapoints`.
    http_ingest_ms: AtomicU64,
    /// Points stored per metric name, `kairosdb*` names excluded.
    metric_points: Mutex<HashMap<String, u64>>,
    /// Query requests waiting for a `concurrentQueryThreads` slot now.
    queries_waiting: AtomicU64,
    /// Per-query values folded into statistics (`kairosdb.queries.aggregate_stats`).
    query_stats: Mutex<HashMap<String, Stats>>,
}

/// Minimum, maximum, sum and count of the values a metric received (UTIL/SimpleStats.java).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats {
    /// Smallest value.
    pub min: i64,
    /// Largest value.
    pub max: i64,
    /// Sum of the values.
    pub sum: i64,
    /// Number of values.
    pub count: i64,
}

impl Stats {
    /// The mean, as Java computes it (`sum / count` in doubles).
    pub fn avg(&self) -> f64 {
        self.sum as f64 / self.count as f64
    }
}

/// One query request waiting for a slot; [`QueryWait::done`] ends the wait.
pub struct QueryWait {
    counters: &'static Counters,
    others: u64,
    done: bool,
}

impl QueryWait {
    /// Ends the wait; returns how many other queries were waiting when it began
    /// (`kairosdb.datastore.queries_waiting`).
    pub fn done(mut self) -> u64 {
        self.end();
        self.others
    }

    fn end(&mut self) {
        if !std::mem::replace(&mut self.done, true) {
            self.counters
                .queries_waiting
                .fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl Drop for QueryWait {
    fn drop(&mut self) {
        self.end();
    }
}

/// The process-wide counters.
pub fn counters() -> &'static Counters {
    static COUNTERS: OnceLock<Counters> = OnceLock::new();
    COUNTERS.get_or_init(Counters::default)
}

/// A drained copy of the counters.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// (resource, requests).
    pub http_resources: Vec<(String, u64)>,
    /// (command, requests).
    pub telnet: Vec<(&'static str, u64)>,
    /// (points, ms) of HTTP ingestion.
    pub http_ingest: (u64, u64),
    /// (metric, points).
    pub metric_points: Vec<(String, u64)>,
    /// (metric, statistics) of the aggregated per-query values.
    pub query_stats: Vec<(String, Stats)>,
}

impl Counters {
    /// Starts waiting for a query slot.
    pub fn query_waits(&'static self) -> QueryWait {
        let others = self.queries_waiting.fetch_add(1, Ordering::Relaxed);
        QueryWait {
            counters: self,
            others,
            done: false,
        }
    }

    /// Counts one HTTP request by its path, as MonitorFilter does (trailing-slash paths skipped).
    pub fn http_request(&self, path: &str) {
        let resource = path.rsplit('/').next().unwrap_or("");
        if resource.is_empty() {
            return;
        }
        let mut map = self.http_resources.lock();
        if let Some(n) = map.get_mut(resource) {
            *n += 1;
        } else if map.len() < MAX_RESOURCES {
            map.insert(resource.to_string(), 1);
        }
    }

    /// Counts one telnet command line by its first word (`put`, `putm`, `puts`, `version`).
    pub fn telnet_command(&self, line: &[u8]) {
        let word = line.split(|b| *b == b' ').next().unwrap_or(b"");
        if let Some(i) = TELNET_COMMANDS.iter().position(|c| c.as_bytes() == word) {
            self.telnet[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts one HTTP ingestion request.
    pub fn http_ingest(&self, points: u64, elapsed_ms: u64) {
        self.http_ingest_points.fetch_add(points, Ordering::Relaxed);
        self.http_ingest_ms.fetch_add(elapsed_ms, Ordering::Relaxed);
    }

    /// Counts stored points per metric name (skipping the server's own `kairosdb*` metrics).
    pub fn stored(&self, series: &[SeriesPoints]) {
        let mut map = self.metric_points.lock();
        for s in series.iter().filter(|s| !s.metric.starts_with("kairosdb")) {
            match map.get_mut(&s.metric) {
                Some(n) => *n += s.points.len() as u64,
                None => {
                    map.insert(s.metric.clone(), s.points.len() as u64);
                }
            }
        }
    }

    /// Folds one per-query value into the statistics of `metric`.
    pub fn add_stat(&self, metric: &str, v: i64) {
        let mut map = self.query_stats.lock();
        match map.get_mut(metric) {
            Some(s) => {
                s.min = s.min.min(v);
                s.max = s.max.max(v);
                s.sum = s.sum.wrapping_add(v);
                s.count += 1;
            }
            None => {
                let first = Stats {
                    min: v,
                    max: v,
                    sum: v,
                    count: 1,
                };
                map.insert(metric.to_string(), first);
            }
        }
    }

    /// Takes the counts since the last call and resets them.
    pub fn drain(&self) -> Snapshot {
        let mut http_resources: Vec<(String, u64)> = self
            .http_resources
            .lock()
            .iter_mut()
            .map(|(k, v)| (k.clone(), std::mem::take(v)))
            .collect();
        http_resources.sort();
        let mut metric_points: Vec<(String, u64)> = std::mem::take(&mut *self.metric_points.lock())
            .into_iter()
            .collect();
        metric_points.sort();
        let mut query_stats: Vec<(String, Stats)> = std::mem::take(&mut *self.query_stats.lock())
            .into_iter()
            .collect();
        query_stats.sort_by(|a, b| a.0.cmp(&b.0));
        Snapshot {
            http_resources,
            telnet: TELNET_COMMANDS
                .iter()
                .zip(&self.telnet)
                .map(|(c, n)| (*c, n.swap(0, Ordering::Relaxed)))
                .collect(),
            http_ingest: (
                self.http_ingest_points.swap(0, Ordering::Relaxed),
                self.http_ingest_ms.swap(0, Ordering::Relaxed),
            ),
            metric_points,
            query_stats,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_drains() {
        let c = Counters::default();
        c.http_request("/api/v1/datapoints/query");
        c.http_request("/api/v1/datapoints/query");
        c.http_request("/api/v1/datapoints/");
        c.telnet_command(b"put m 1 2 a=b");
        c.telnet_command(b"putm m 1 2 a=b");
        c.telnet_command(b"exit");
        c.http_ingest(5, 3);
        c.stored(&[
            SeriesPoints {
                metric: "app".into(),
                tags: vec![],
                ttl: 0,
                points: vec![plugin_api::DataPoint::long(1, 1); 3],
            },
            SeriesPoints {
                metric: "kairosdb.jvm.thread_count".into(),
                tags: vec![],
                ttl: 0,
                points: vec![plugin_api::DataPoint::long(1, 1)],
            },
        ]);
        let s = c.drain();
        assert_eq!(s.http_resources, vec![("query".to_string(), 2)]);
        assert_eq!(
            s.telnet,
            vec![("put", 1), ("putm", 1), ("puts", 0), ("version", 0)]
        );
        assert_eq!(s.http_ingest, (5, 3));
        assert_eq!(s.metric_points, vec![("app".to_string(), 3)]);
        assert!(s.query_stats.is_empty());
        // Resource names stay with a zero count; per-metric counts start over.
        let s = c.drain();
        assert_eq!(s.http_resources, vec![("query".to_string(), 0)]);
        assert!(s.metric_points.is_empty());
    }

    #[test]
    fn stats_fold_and_drain() {
        let c = Counters::default();
        for v in [5, 1, 9] {
            c.add_stat("kairosdb.http.query_time", v);
        }
        let s = c.drain();
        let (name, st) = &s.query_stats[0];
        assert_eq!(name, "kairosdb.http.query_time");
        assert_eq!((st.min, st.max, st.sum, st.count), (1, 9, 15, 3));
        assert_eq!(st.avg(), 5.0);
        assert!(c.drain().query_stats.is_empty());
    }

    #[test]
    fn query_waits_count_the_others_waiting() {
        let c: &'static Counters = Box::leak(Box::default());
        let first = c.query_waits();
        let second = c.query_waits();
        assert_eq!(second.done(), 1);
        // A wait dropped without `done` (the request went away) ends as well.
        drop(first);
        assert_eq!(c.query_waits().done(), 0);
    }
}
