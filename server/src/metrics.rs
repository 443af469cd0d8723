//! Process metrics in the Prometheus text format, served at `/metrics`.
//!
//! One process-wide set of counters (a server runs one set of roles), updated with relaxed
//! atomics on the hot paths; label sets are small and fixed (route patterns, not raw paths).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use parking_lot::Mutex;

/// Upper bounds (seconds) of the latency histograms.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A cumulative latency histogram.
#[derive(Default)]
pub struct Histogram {
    counts: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    /// Records one observation.
    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            self.counts[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (b, c) in BUCKETS.iter().zip(&self.counts) {
            cumulative += c.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {sum}");
        let _ = writeln!(out, "{name}_count{braces} {count}");
    }
}

/// Every metric the server exports.
#[derive(Default)]
pub struct Metrics {
    /// HTTP requests by (route, status).
    pub http_requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    /// Latency of query endpoints (query, query/tags, delete).
    pub query_latency: Histogram,
    /// Open connections by protocol: HTTP.
    pub http_connections: AtomicI64,
    /// Open connections by protocol: telnet.
    pub telnet_connections: AtomicI64,
    /// Points stored by the ingest core.
    pub ingest_points: AtomicU64,
    /// Durable batches written by the ingest core.
    pub ingest_batches: AtomicU64,
    /// Time to write one batch durably.
    pub ingest_batch_latency: Histogram,
    /// Submissions waiting in or being written by the ingest queue.
    pub ingest_queue_depth: AtomicI64,
    /// Datastore write failures.
    pub datastore_errors: AtomicU64,
    /// Telnet lines that stored a point.
    pub telnet_lines_accepted: AtomicU64,
    /// Telnet lines dropped (malformed, too long, unknown command, store failure).
    pub telnet_lines_rejected: AtomicU64,
}

/// The process-wide metrics.
pub fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::default)
}

/// Resident set size of this process in bytes (Linux `/proc/self/statm`), 0 elsewhere.
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u64>().ok())
        })
        .map_or(0, |pages| pages * 4096)
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

impl Metrics {
    /// Counts one HTTP request.
    pub fn count_request(&self, route: &'static str, status: u16) {
        *self
            .http_requests
            .lock()
            .entry((route, status))
            .or_insert(0) += 1;
    }

    /// The text exposition (format 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        family(
            &mut out,
            "kairosdb_http_requests_total",
            "counter",
            "HTTP requests by route and status.",
        );
        for ((route, status), n) in self.http_requests.lock().iter() {
            let _ = writeln!(
                out,
                "kairosdb_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        family(
            &mut out,
            "kairosdb_query_duration_seconds",
            "histogram",
            "Latency of query, query/tags and delete requests.",
        );
        self.query_latency
            .render(&mut out, "kairosdb_query_duration_seconds", "");
        family(
            &mut out,
            "kairosdb_open_connections",
            "gauge",
            "Open client connections by protocol.",
        );
        let _ = writeln!(
            out,
            "kairosdb_open_connections{{protocol=\"http\"}} {}",
            self.http_connections.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "kairosdb_open_connections{{protocol=\"telnet\"}} {}",
            self.telnet_connections.load(Ordering::Relaxed)
        );
        family(
            &mut out,
            "kairosdb_ingest_points_total",
            "counter",
            "Data points stored durably.",
        );
        let _ = writeln!(
            out,
            "kairosdb_ingest_points_total {}",
            load(&self.ingest_points)
        );
        family(
            &mut out,
            "kairosdb_ingest_batches_total",
            "counter",
            "Durable batches written by the ingest core.",
        );
        let _ = writeln!(
            out,
            "kairosdb_ingest_batches_total {}",
            load(&self.ingest_batches)
        );
        family(
            &mut out,
            "kairosdb_ingest_batch_duration_seconds",
            "histogram",
            "Time to write one batch durably.",
        );
        self.ingest_batch_latency
            .render(&mut out, "kairosdb_ingest_batch_duration_seconds", "");
        family(
            &mut out,
            "kairosdb_ingest_queue_depth",
            "gauge",
            "Submissions queued or being written.",
        );
        let _ = writeln!(
            out,
            "kairosdb_ingest_queue_depth {}",
            self.ingest_queue_depth.load(Ordering::Relaxed)
        );
        family(
            &mut out,
            "kairosdb_datastore_errors_total",
            "counter",
            "Failed datastore writes.",
        );
        let _ = writeln!(
            out,
            "kairosdb_datastore_errors_total {}",
            load(&self.datastore_errors)
        );
        family(
            &mut out,
            "kairosdb_telnet_lines_total",
            "counter",
            "Telnet lines by outcome.",
        );
        let _ = writeln!(
            out,
            "kairosdb_telnet_lines_total{{outcome=\"accepted\"}} {}",
            load(&self.telnet_lines_accepted)
        );
        let _ = writeln!(
            out,
            "kairosdb_telnet_lines_total{{outcome=\"rejected\"}} {}",
            load(&self.telnet_lines_rejected)
        );
        family(
            &mut out,
            "process_resident_memory_bytes",
            "gauge",
            "Resident memory size in bytes.",
        );
        let _ = writeln!(out, "process_resident_memory_bytes {}", rss_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_gauges_and_histograms() {
        let m = Metrics::default();
        m.count_request("/api/v1/datapoints", 204);
        m.count_request("/api/v1/datapoints", 204);
        m.query_latency.observe(Duration::from_millis(3));
        m.query_latency.observe(Duration::from_secs(20));
        m.ingest_points.fetch_add(7, Ordering::Relaxed);
        let text = m.render();
        assert!(
            text.contains(
                "kairosdb_http_requests_total{route=\"/api/v1/datapoints\",status=\"204\"} 2"
            ),
            "{text}"
        );
        assert!(
            text.contains("kairosdb_query_duration_seconds_bucket{le=\"0.0025\"} 0"),
            "{text}"
        );
        assert!(
            text.contains("kairosdb_query_duration_seconds_bucket{le=\"0.005\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("kairosdb_query_duration_seconds_bucket{le=\"+Inf\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("kairosdb_query_duration_seconds_count 2"),
            "{text}"
        );
        assert!(text.contains("kairosdb_ingest_points_total 7"), "{text}");
        assert!(
            text.lines()
                .all(|l| l.starts_with('#') || l.split(' ').count() == 2),
            "{text}"
        );
    }
}
