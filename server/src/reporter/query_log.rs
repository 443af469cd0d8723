//! What one `/datapoints/query` request writes about itself (REST/MetricsResource.java
//! `runQuery`, `finally` block): per-metric timings and sizes when self-reporting is on, and
//! the slow-query log (`kairosdb.log.queries.*`) as string points plus a tracing event.
//!
//! Java keeps these tags in a thread-local that is never cleared after a request, so on a
//! reused Jetty thread the per-metric points also carry the previous request's `status` and
//! `request` tags (seen on a live 1.3.0 node); that leak is not copied.

use std::time::Duration;

use plugin_api::{DataPoint, Value};
use protocols::SeriesPoints;

use crate::config::OpsOptions;
use crate::query::MetricStat;

/// The request path Java tags `kairosdb.http.request_time` with (`MetricsResource.QUERY_URL`).
const QUERY_URL: &str = "/datapoints/query";

/// One finished query request.
pub struct QueryRecord<'a> {
    /// When the request started (ms); every point carries this timestamp, as in Java.
    pub started_ms: i64,
    /// How long it took.
    pub elapsed: Duration,
    /// Whether it failed.
    pub failed: bool,
    /// The client's IP address.
    pub remote: String,
    /// The query JSON as received.
    pub json: &'a str,
    /// Other query requests waiting for a slot when this one arrived.
    pub queries_waiting: u64,
    /// Statistics of the metric queries that ran.
    pub metrics: Vec<MetricStat>,
}

fn series(
    metric: &str,
    tags: &[(&str, &str)],
    custom: &[(String, String)],
    ttl: i64,
    point: DataPoint,
) -> SeriesPoints {
    let mut all: Vec<(String, String)> = custom.to_vec();
    for (k, v) in tags {
        all.retain(|(n, _)| n != k);
        all.push((k.to_string(), v.to_string()));
    }
    SeriesPoints::sort_tags(&mut all);
    SeriesPoints {
        metric: metric.to_string(),
        tags: all,
        ttl,
        points: vec![point],
    }
}

/// Whether Java would log this query: whole seconds, compared with `>=`.
pub fn is_slow(ops: &OpsOptions, elapsed: Duration) -> bool {
    ops.log_queries && (elapsed.as_millis() / 1000) as i64 >= ops.log_queries_greater_than
}

/// The points this request writes, and the slow-query tracing event. With
/// `kairosdb.queries.aggregate_stats` the numeric values go into the reporter's statistics
/// instead and the string points (the slow-query log) are dropped, as `ThreadReporter.gatherData`
/// does.
pub fn points(ops: &OpsOptions, rec: &QueryRecord<'_>) -> Vec<SeriesPoints> {
    let out = all_points(ops, rec);
    if !ops.aggregate_stats {
        return out;
    }
    let stats = super::counters::counters();
    for s in &out {
        for p in &s.points {
            if let Value::Long(v) = p.value {
                stats.add_stat(&s.metric, v);
            }
        }
    }
    Vec::new()
}

fn all_points(ops: &OpsOptions, rec: &QueryRecord<'_>) -> Vec<SeriesPoints> {
    let mut out = Vec::new();
    let t = rec.started_ms;
    let host = ops.hostname.as_str();
    let custom = &ops.custom_tags;
    let long = |v: u64| DataPoint::long(t, v as i64);
    if ops.reporter {
        for (i, m) in rec.metrics.iter().enumerate() {
            let index = (i + 1).to_string();
            let tags = [
                ("host", host),
                ("metric_name", m.name.as_str()),
                ("query_index", index.as_str()),
            ];
            // KairosDatastore reports it only when some query was waiting.
            if rec.queries_waiting != 0 {
                out.push(series(
                    "kairosdb.datastore.queries_waiting",
                    &tags,
                    custom,
                    0,
                    long(rec.queries_waiting),
                ));
            }
            out.push(series(
                "kairosdb.datastore.query_sample_size",
                &tags,
                custom,
                0,
                long(m.sample_size),
            ));
            out.push(series(
                "kairosdb.datastore.query_row_count",
                &tags,
                custom,
                0,
                long(m.rows),
            ));
            out.push(series(
                "kairosdb.datastore.query_time",
                &tags,
                custom,
                0,
                long(m.datastore_ms),
            ));
            out.push(series(
                "kairosdb.http.query_time",
                &tags,
                custom,
                0,
                long(m.total_ms),
            ));
        }
    }
    let status = if rec.failed { "failed" } else { "success" };
    if is_slow(ops, rec.elapsed) {
        tracing::warn!(
            target: "kairosdb::slow_query",
            remote = %rec.remote,
            elapsed_ms = rec.elapsed.as_millis() as u64,
            status,
            query = %rec.json,
            "slow query"
        );
        let tags = [("host", host), ("status", status)];
        let text = |s: &str| DataPoint {
            timestamp: t,
            value: Value::Text(s.to_string()),
        };
        let ttl = ops.log_queries_ttl;
        out.push(series(
            "kairosdb.log.query.remote_address",
            &tags,
            custom,
            ttl,
            text(&rec.remote),
        ));
        out.push(series(
            "kairosdb.log.query.json",
            &tags,
            custom,
            ttl,
            text(rec.json),
        ));
    }
    if ops.reporter {
        let tags = [("host", host), ("status", status), ("request", QUERY_URL)];
        out.push(series(
            "kairosdb.http.request_time",
            &tags,
            custom,
            0,
            long(rec.elapsed.as_millis() as u64),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_queries_are_logged_with_javas_names_and_tags() {
        let ops = OpsOptions {
            log_queries: true,
            log_queries_greater_than: 1,
            reporter: false,
            hostname: "h1".into(),
            ..OpsOptions::default()
        };
        let mut rec = QueryRecord {
            started_ms: 1000,
            elapsed: Duration::from_millis(999),
            failed: false,
            remote: "10.0.0.1".into(),
            json: "{}",
            queries_waiting: 0,
            metrics: vec![MetricStat::default()],
        };
        assert!(points(&ops, &rec).is_empty());
        rec.elapsed = Duration::from_millis(1000);
        rec.failed = true;
        let p = points(&ops, &rec);
        let names: Vec<&str> = p.iter().map(|s| s.metric.as_str()).collect();
        assert_eq!(
            names,
            [
                "kairosdb.log.query.remote_address",
                "kairosdb.log.query.json"
            ]
        );
        assert_eq!(
            p[0].tags,
            vec![
                ("host".into(), "h1".into()),
                ("status".into(), "failed".into())
            ]
        );
        assert_eq!((p[0].ttl, p[0].points[0].timestamp), (86400, 1000));
        assert_eq!(p[1].points[0].value, Value::Text("{}".into()));
    }

    #[test]
    fn reporting_adds_per_metric_and_request_times() {
        let ops = OpsOptions {
            hostname: "h1".into(),
            ..OpsOptions::default()
        };
        let rec = QueryRecord {
            started_ms: 5,
            elapsed: Duration::from_millis(7),
            failed: false,
            remote: "r".into(),
            json: "{}",
            queries_waiting: 2,
            metrics: vec![MetricStat {
                name: "m".into(),
                sample_size: 3,
                rows: 2,
                datastore_ms: 1,
                total_ms: 4,
            }],
        };
        let p = points(&ops, &rec);
        assert_eq!(p.len(), 6);
        assert_eq!(p[0].metric, "kairosdb.datastore.queries_waiting");
        assert_eq!(p[0].points[0].value, Value::Long(2));
        assert_eq!(p[1].metric, "kairosdb.datastore.query_sample_size");
        assert_eq!(p[1].points[0].value, Value::Long(3));
        let last = &p[5];
        assert_eq!(last.metric, "kairosdb.http.request_time");
        assert!(last
            .tags
            .contains(&("request".into(), "/datapoints/query".into())));
        assert_eq!(last.points[0].value, Value::Long(7));
    }
}
