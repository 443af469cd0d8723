//! Self-reporting: on the `kairosdb.reporter.schedule`, the server writes its own `kairosdb.*`
//! metrics into its store through the ingest core, with Java's names and tags
//! (CORE/reporting/MetricReporterService.java and the `KairosMetricReporter` classes).

pub mod counters;
pub mod cron;
pub mod query_log;

use std::sync::atomic::Ordering;
use std::time::Duration;

use plugin_api::DataPoint;
use protocols::SeriesPoints;
use tokio::sync::watch;

use crate::config::OpsOptions;
use crate::ingest::{IngestRef, Wait};

/// How long a report may wait for room in the ingest queue before it is dropped.
const SUBMIT_WAIT: Duration = Duration::from_secs(10);

/// Builds the points of one report.
pub struct Collector {
    host: String,
    custom_tags: Vec<(String, String)>,
    ttl: i64,
    telnet: bool,
    last_stored: u64,
}

impl Collector {
    /// A collector for this server; `telnet` says whether the telnet listener runs.
    pub fn new(ops: &OpsOptions, telnet: bool) -> Collector {
        Collector {
            host: ops.hostname.clone(),
            custom_tags: ops.custom_tags.clone(),
            ttl: ops.reporter_ttl,
            telnet,
            last_stored: crate::metrics::metrics()
                .ingest_points
                .load(Ordering::Relaxed),
        }
    }

    fn series(&self, metric: &str, tags: &[(&str, &str)], point: DataPoint) -> SeriesPoints {
        let mut all: Vec<(String, String)> = self.custom_tags.clone();
        for (k, v) in tags {
            all.retain(|(n, _)| n != k);
            all.push((k.to_string(), v.to_string()));
        }
        SeriesPoints::sort_tags(&mut all);
        SeriesPoints {
            metric: metric.to_string(),
            tags: all,
            ttl: self.ttl,
            points: vec![point],
        }
    }

    /// The points of one report taken at `now` (ms), draining the counters.
    pub fn collect(&mut self, now: i64, ingest: &IngestRef) -> Vec<SeriesPoints> {
        let snap = counters::counters().drain();
        let host = self.host.clone();
        let h = ("host", host.as_str());
        let mut out = Vec::new();
        for (resource, n) in &snap.http_resources {
            out.push(self.series(
                "kairosdb.protocol.http_request_count",
                &[h, ("method", resource)],
                DataPoint::long(now, *n as i64),
            ));
        }
        if self.telnet {
            for (command, n) in &snap.telnet {
                out.push(self.series(
                    "kairosdb.protocol.telnet_request_count",
                    &[h, ("method", command)],
                    DataPoint::long(now, *n as i64),
                ));
            }
        }
        let (points, ms) = snap.http_ingest;
        if points != 0 {
            out.push(self.series(
                "kairosdb.http.ingest_count",
                &[h],
                DataPoint::long(now, points as i64),
            ));
            out.push(self.series(
                "kairosdb.http.ingest_time",
                &[h],
                DataPoint::long(now, ms as i64),
            ));
        }
        // DataPointsMonitor tags these with the metric name only (no host).
        for (metric, n) in &snap.metric_points {
            out.push(self.series(
                "kairosdb.metric_counters",
                &[("metric_name", metric)],
                DataPoint::long(now, *n as i64),
            ));
        }
        // SimpleStatsReporter: `<metric>.min/.max/.avg/.count/.sum`, tagged with the host only.
        for (metric, st) in &snap.query_stats {
            let parts = [
                ("min", DataPoint::long(now, st.min)),
                ("max", DataPoint::long(now, st.max)),
                ("avg", DataPoint::double(now, st.avg())),
                ("count", DataPoint::long(now, st.count)),
                ("sum", DataPoint::long(now, st.sum)),
            ];
            for (suffix, point) in parts {
                out.push(self.series(&format!("{metric}.{suffix}"), &[h], point));
            }
        }
        let stored = crate::metrics::metrics()
            .ingest_points
            .load(Ordering::Relaxed);
        let processed = stored.saturating_sub(self.last_stored);
        self.last_stored = stored;
        out.push(self.series(
            "kairosdb.queue.process_count",
            &[h],
            DataPoint::long(now, processed as i64),
        ));
        out.push(self.series(
            "kairosdb.queue.memory_queue.size",
            &[h],
            DataPoint::long(now, ingest.queued_points() as i64),
        ));
        // No JVM: the process's own thread count and resident memory under the Java names.
        let (threads, rss) = process_stats();
        out.push(self.series(
            "kairosdb.jvm.thread_count",
            &[h],
            DataPoint::long(now, threads),
        ));
        out.push(self.series("kairosdb.jvm.total_memory", &[h], DataPoint::long(now, rss)));
        out
    }
}

/// Threads and resident bytes of this process (Linux `/proc/self/status`), zeros elsewhere.
fn process_stats() -> (i64, i64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    (field("Threads:"), field("VmRSS:") * 1024)
}

/// The running reporter task.
pub struct Reporter {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

/// Milliseconds since the epoch.
fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Reporter {
    /// Starts reporting on the configured schedule (or plain period).
    pub fn start(ops: &OpsOptions, telnet: bool, ingest: IngestRef) -> Reporter {
        let (stop, mut stopped) = watch::channel(false);
        let mut collector = Collector::new(ops, telnet);
        let schedule = ops.reporter_schedule.clone();
        let period = ops.reporter_period_ms.map(Duration::from_millis);
        tracing::info!(schedule = %schedule, period_ms = ?ops.reporter_period_ms, host = %ops.hostname, "self-reporting kairosdb.* metrics");
        let task = tokio::spawn(async move {
            loop {
                let wait = match period {
                    Some(p) => p,
                    None => match schedule.next_after(chrono::Utc::now()) {
                        Some(t) => (t - chrono::Utc::now()).to_std().unwrap_or_default(),
                        None => {
                            tracing::warn!(schedule = %schedule, "the reporter schedule never fires again");
                            return;
                        }
                    },
                };
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = stopped.changed() => return,
                }
                let series = collector.collect(now_ms(), &ingest);
                let points = series.len();
                match ingest.submit(series, Wait::AtMost(SUBMIT_WAIT)).await {
                    Ok(()) => tracing::debug!(points, "reported kairosdb.* metrics"),
                    Err(e) => tracing::warn!(error = %e, points, "cannot store kairosdb.* metrics"),
                }
            }
        });
        Reporter { stop, task }
    }

    /// Stops the task (a report in progress finishes first).
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
