//! Shared pieces of the `ingest` and `query` load generators: flags, series naming, latency statistics, and
//! point counting over HTTP.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kairosdb_tests::http::Connection;
use serde_json::{json, Value};

/// `--name value` / `--flag` command-line options (plain `std::env::args` parsing).
pub struct Flags {
    values: BTreeMap<String, String>,
    program: String,
    usage: &'static str,
}

impl Flags {
    /// Parses `std::env::args()`; `--help` prints `usage` and exits 0, a stray word exits 2.
    pub fn parse(usage: &'static str) -> Flags {
        let mut args = std::env::args();
        let program = args.next().unwrap_or_else(|| "bench".to_string());
        let mut values = BTreeMap::new();
        let mut args = args.peekable();
        while let Some(a) = args.next() {
            if a == "-h" || a == "--help" {
                println!("{usage}");
                std::process::exit(0);
            }
            let Some(name) = a.strip_prefix("--") else {
                eprintln!("{program}: unexpected argument {a:?}\n{usage}");
                std::process::exit(2);
            };
            let (name, value) = match name.split_once('=') {
                Some((n, v)) => (n.to_string(), v.to_string()),
                None => match args.peek() {
                    Some(v) if !v.starts_with("--") => {
                        (name.to_string(), args.next().unwrap_or_default())
                    }
                    _ => (name.to_string(), "true".to_string()),
                },
            };
            values.insert(name, value);
        }
        Flags {
            values,
            program,
            usage,
        }
    }

    /// Exits with status 2 and the usage text after printing `msg`.
    pub fn fail(&self, msg: &str) -> ! {
        eprintln!("{}: {msg}\n{}", self.program, self.usage);
        std::process::exit(2);
    }

    /// A string flag or its default.
    pub fn string(&self, name: &str, default: &str) -> String {
        self.values
            .get(name)
            .cloned()
            .unwrap_or_else(|| default.to_string())
    }

    /// Whether a boolean flag was given (`--name`, `--name true`).
    pub fn bool(&self, name: &str) -> bool {
        self.values
            .get(name)
            .is_some_and(|v| v != "false" && v != "0")
    }

    /// An unsigned integer flag (`_` separators allowed) or its default; exits on a bad value.
    pub fn u64(&self, name: &str, default: u64) -> u64 {
        match self.values.get(name) {
            None => default,
            Some(v) => v
                .replace('_', "")
                .parse()
                .unwrap_or_else(|_| self.fail(&format!("--{name}: not a number: {v:?}"))),
        }
    }

    /// A duration in seconds (fractions allowed) or its default.
    pub fn secs(&self, name: &str, default: f64) -> Duration {
        let v = match self.values.get(name) {
            None => default,
            Some(v) => v
                .trim_end_matches('s')
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s >= 0.0)
                .unwrap_or_else(|| self.fail(&format!("--{name}: not a number of seconds: {v:?}"))),
        };
        Duration::from_secs_f64(v)
    }

    /// A `HOST:PORT` flag resolved to a loopback address; other addresses are refused (benchmarks stay local).
    pub fn loopback_addr(&self, name: &str, default: &str) -> SocketAddr {
        let text = self.string(name, default);
        let addr = text
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .unwrap_or_else(|| self.fail(&format!("--{name}: cannot resolve {text:?}")));
        if !addr.ip().is_loopback() {
            self.fail(&format!("--{name}: {addr} is not a loopback address"));
        }
        addr
    }
}

pub use kairosdb_tests::json::now_ms;

/// A short id that makes metric names of one run unique (seconds since the epoch, base 36).
pub fn run_id() -> String {
    let mut n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut s = Vec::new();
    while n > 0 {
        s.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize]);
        n /= 36;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Metric short names cycled over the series.
const METRICS: [&str; 10] = [
    "cpu.user",
    "cpu.system",
    "mem.used",
    "mem.free",
    "disk.read",
    "disk.write",
    "net.rx",
    "net.tx",
    "load.1m",
    "proc.count",
];

/// A set of `count` series spread over `metrics` metric names with host/dc/rack/env tags.
#[derive(Clone)]
pub struct SeriesSet {
    prefix: String,
    count: u64,
    metrics: u64,
}

impl SeriesSet {
    /// Series named `<prefix>.<metric>`; `metrics` is clamped to 1..=10.
    pub fn new(prefix: &str, count: u64, metrics: u64) -> SeriesSet {
        SeriesSet {
            prefix: prefix.to_string(),
            count: count.max(1),
            metrics: metrics.clamp(1, METRICS.len() as u64),
        }
    }

    /// Number of series.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// All metric names in use.
    pub fn metric_names(&self) -> Vec<String> {
        (0..self.metrics.min(self.count))
            .map(|m| self.metric_name(m))
            .collect()
    }

    /// Index of the metric series `i` belongs to.
    pub fn metric_index(&self, i: u64) -> u64 {
        i % self.metrics
    }

    /// Full metric name of metric index `m`.
    pub fn metric_name(&self, m: u64) -> String {
        format!("{}.{}", self.prefix, METRICS[m as usize])
    }

    /// Tags of series `i` as `(name, value)` pairs, sorted by name.
    pub fn tags(&self, i: u64) -> [(&'static str, String); 4] {
        let k = i / self.metrics;
        [
            ("dc", format!("dc-{}", k % 4)),
            (
                "env",
                if k % 5 == 0 { "staging" } else { "prod" }.to_string(),
            ),
            ("host", format!("host-{k:05}")),
            ("rack", format!("rack-{:02}", k % 32)),
        ]
    }
}

/// Latency samples of one kind of request.
#[derive(Default, Clone)]
pub struct Latencies {
    samples: Vec<Duration>,
}

impl Latencies {
    /// Records one sample.
    pub fn push(&mut self, d: Duration) {
        self.samples.push(d);
    }

    /// Adds all samples of `other`.
    pub fn merge(&mut self, other: &Latencies) {
        self.samples.extend_from_slice(&other.samples);
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The `q` quantile (0.0..=1.0) by nearest rank; zero when empty.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.samples.is_empty() {
            return Duration::ZERO;
        }
        let mut s = self.samples.clone();
        s.sort_unstable();
        let rank = ((q * s.len() as f64).ceil() as usize).clamp(1, s.len());
        s[rank - 1]
    }

    /// p50, p95, p99 and max.
    pub fn summary(&self) -> LatencySummary {
        LatencySummary {
            p50: self.quantile(0.50),
            p95: self.quantile(0.95),
            p99: self.quantile(0.99),
            max: self.quantile(1.0),
        }
    }
}

/// Quantiles printed as `p50 … p95 … p99 … max …` in milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct LatencySummary {
    /// Median.
    pub p50: Duration,
    /// 95th percentile.
    pub p95: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// Largest sample.
    pub max: Duration,
}

impl fmt::Display for LatencySummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        write!(
            f,
            "p50 {:8.2} ms  p95 {:8.2} ms  p99 {:8.2} ms  max {:8.2} ms",
            ms(self.p50),
            ms(self.p95),
            ms(self.p99),
            ms(self.max)
        )
    }
}

/// Sends a request on `conn`, reconnecting once if the keep-alive connection was closed by the server.
pub fn request_retrying(
    conn: &mut Option<Connection>,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<kairosdb_tests::Response> {
    for attempt in 0..2 {
        if conn.is_none() {
            *conn = Some(Connection::connect(addr)?);
        }
        let Some(c) = conn.as_mut() else { continue };
        match c.request(method, path, headers, body) {
            Ok(r) => {
                if r.header("Connection")
                    .is_some_and(|v| v.eq_ignore_ascii_case("close"))
                {
                    *conn = None;
                }
                return Ok(r);
            }
            Err(e) => {
                *conn = None;
                if attempt == 1 {
                    return Err(e);
                }
            }
        }
    }
    Err(std::io::Error::other("unreachable: retry loop ended"))
}

/// How points were counted by [`count_points`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountMethod {
    /// With the `count` aggregator (small responses).
    Aggregator,
    /// By fetching raw values (aggregators unavailable).
    Raw,
}

/// Counts the points of `metric` in `[start, end]`, with the `count` aggregator when the server has it and by
/// fetching raw values otherwise.
pub fn count_points(
    addr: SocketAddr,
    metric: &str,
    start: i64,
    end: i64,
) -> Result<(u64, CountMethod), String> {
    let agg = json!({
        "start_absolute": start, "end_absolute": end,
        "metrics": [{"name": metric, "aggregators": [{"name": "count", "sampling": {"value": 1000, "unit": "years"}}]}]
    });
    let post = |q: &Value| {
        kairosdb_tests::http::request(
            addr,
            "POST",
            "/api/v1/datapoints/query",
            &[],
            q.to_string().as_bytes(),
        )
        .map_err(|e| format!("query {metric}: {e}"))
    };
    let r = post(&agg)?;
    let (resp, method) = if r.status == 200 {
        (r, CountMethod::Aggregator)
    } else if r.status == 400 {
        let raw =
            json!({"start_absolute": start, "end_absolute": end, "metrics": [{"name": metric}]});
        (post(&raw)?, CountMethod::Raw)
    } else {
        return Err(format!(
            "count query for {metric}: status {} {}",
            r.status,
            r.text()
        ));
    };
    if resp.status != 200 {
        return Err(format!(
            "query for {metric}: status {} {}",
            resp.status,
            resp.text()
        ));
    }
    let v: Value = serde_json::from_slice(&resp.body)
        .map_err(|e| format!("query for {metric}: bad JSON: {e}"))?;
    let results = v
        .pointer("/queries/0/results")
        .and_then(Value::as_array)
        .ok_or("no results in answer")?;
    let mut n = 0u64;
    for r in results {
        let values = r
            .get("values")
            .and_then(Value::as_array)
            .ok_or("result without values")?;
        n += match method {
            CountMethod::Aggregator => values
                .iter()
                .filter_map(|p| p.get(1).and_then(Value::as_f64))
                .sum::<f64>()
                .round() as u64,
            CountMethod::Raw => values.len() as u64,
        };
    }
    Ok((n, method))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let mut l = Latencies::default();
        for ms in 1..=100 {
            l.push(Duration::from_millis(ms));
        }
        let s = l.summary();
        assert_eq!(s.p50, Duration::from_millis(50));
        assert_eq!(s.p95, Duration::from_millis(95));
        assert_eq!(s.p99, Duration::from_millis(99));
        assert_eq!(s.max, Duration::from_millis(100));
        assert_eq!(Latencies::default().quantile(0.5), Duration::ZERO);
    }

    #[test]
    fn series_tags_are_stable_and_spread() {
        let set = SeriesSet::new("b", 10_000, 10);
        assert_eq!(set.metric_names().len(), 10);
        assert_eq!(set.metric_index(13), 3);
        assert_eq!(set.tags(13)[2], ("host", "host-00001".to_string()));
        assert_eq!(set.metric_name(0), "b.cpu.user");
    }
}
