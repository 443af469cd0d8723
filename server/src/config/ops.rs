//! Operations settings: query limits, the slow-query log, self-reporting of `kairosdb.*`
//! metrics and the health probe (Java names where Java has the key).

use super::{ConfigError, Options};
use crate::reporter::cron::Schedule;

/// The operations keys this server applies.
pub const KNOWN_KEYS: &[&str] = &[
    "kairosdb.datastore.cassandra.query_limit",
    "kairosdb.datastore.cassandra.query_time_limit_sec",
    "kairosdb.queries.max_row_keys",
    "kairosdb.queries.aggregate_stats",
    "kairosdb.log.queries.enable",
    "kairosdb.log.queries.ttl",
    "kairosdb.log.queries.greater_than",
    "kairosdb.service.reporter",
    "kairosdb.reporter.schedule",
    "kairosdb.reporter.period_ms",
    "kairosdb.reporter.ttl",
    "kairosdb.hostname",
    "kairosdb.health.datastore_timeout_ms",
];

/// Prefix of the custom tags added to every self-reported point (`metrics.custom_tags.<name>`).
const CUSTOM_TAGS: &str = "kairosdb.metrics.custom_tags.";

/// Query limits, slow-query log, reporter and health-probe settings.
#[derive(Clone, Debug, PartialEq)]
pub struct OpsOptions {
    /// Data points one metric query may read; 0 = no limit (`query_limit`, CASS/QueryMonitor.java).
    pub query_limit: u64,
    /// Seconds one metric query may spend reading; 0 = no limit (`query_time_limit_sec`).
    pub query_time_limit_sec: u64,
    /// Row keys one metric query may select; 0 = no limit (`kairosdb.queries.max_row_keys`, ours).
    pub max_row_keys: u64,
    /// Fold per-query statistics into min/max/avg/count/sum reported on the schedule
    /// (`kairosdb.queries.aggregate_stats`); also turns the slow-query log's points off.
    pub aggregate_stats: bool,
    /// Record slow queries (`kairosdb.log.queries.enable`).
    pub log_queries: bool,
    /// TTL in seconds of the recorded slow queries (`kairosdb.log.queries.ttl`).
    pub log_queries_ttl: i64,
    /// Queries taking at least this many whole seconds are recorded (`.greater_than`).
    pub log_queries_greater_than: i64,
    /// Whether `kairosdb.*` metrics are written to the store (`kairosdb.service.reporter`).
    pub reporter: bool,
    /// When the reporter runs (`kairosdb.reporter.schedule`, Quartz cron).
    pub reporter_schedule: Schedule,
    /// A plain period in ms that replaces the schedule (`kairosdb.reporter.period_ms`, ours).
    pub reporter_period_ms: Option<u64>,
    /// TTL in seconds of the reported points (`kairosdb.reporter.ttl`).
    pub reporter_ttl: i64,
    /// The `host` tag of reported points (`kairosdb.hostname`; default: this machine's name).
    pub hostname: String,
    /// Extra tags on every reported point (`kairosdb.metrics.custom_tags.<name>`).
    pub custom_tags: Vec<(String, String)>,
    /// How long the health check waits for the datastore probe (ours).
    pub health_timeout_ms: u64,
}

impl Default for OpsOptions {
    fn default() -> Self {
        OpsOptions {
            query_limit: 0,
            query_time_limit_sec: 0,
            max_row_keys: 0,
            aggregate_stats: false,
            log_queries: false,
            log_queries_ttl: 86400,
            log_queries_greater_than: 60,
            reporter: true,
            reporter_schedule: Schedule::parse("0 */1 * * * ?").unwrap_or_default(),
            reporter_period_ms: None,
            reporter_ttl: 0,
            hostname: system_hostname(),
            custom_tags: Vec::new(),
            health_timeout_ms: 5000,
        }
    }
}

/// This machine's host name (what Java's `InetAddress.getLocalHost().getHostName()` gives).
fn system_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

fn bad(key: &str, value: &str, reason: &str) -> ConfigError {
    ConfigError::BadValue {
        key: key.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

fn num<T: std::str::FromStr>(key: &str, value: &str, what: &str) -> Result<T, ConfigError> {
    value.trim().parse::<T>().map_err(|_| bad(key, value, what))
}

fn boolean(key: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Ok(true),
        "false" | "no" | "off" => Ok(false),
        _ => Err(bad(key, value, "expected true or false")),
    }
}

/// Whether `key` is an operations key (checked before the Cassandra keys).
pub fn handles(key: &str) -> bool {
    KNOWN_KEYS.contains(&key) || key.starts_with(CUSTOM_TAGS)
}

/// Applies one operations key.
pub fn apply(o: &mut Options, key: &str, v: &str, shown: &str) -> Result<bool, ConfigError> {
    let p = &mut o.ops;
    match key {
        "kairosdb.datastore.cassandra.query_limit" => {
            p.query_limit = num(shown, v, "expected a number of data points (0 = no limit)")?
        }
        "kairosdb.datastore.cassandra.query_time_limit_sec" => {
            p.query_time_limit_sec = num(shown, v, "expected seconds (0 = no limit)")?
        }
        "kairosdb.queries.max_row_keys" => {
            p.max_row_keys = num(shown, v, "expected a number of row keys (0 = no limit)")?
        }
        "kairosdb.queries.aggregate_stats" => p.aggregate_stats = boolean(shown, v)?,
        "kairosdb.log.queries.enable" => p.log_queries = boolean(shown, v)?,
        "kairosdb.log.queries.ttl" => p.log_queries_ttl = num(shown, v, "expected seconds")?,
        "kairosdb.log.queries.greater_than" => {
            p.log_queries_greater_than = num(shown, v, "expected seconds")?
        }
        "kairosdb.service.reporter" => p.reporter = !(v.is_empty() || v == "<disabled>"),
        "kairosdb.reporter.schedule" => {
            p.reporter_schedule = Schedule::parse(v).map_err(|e| bad(shown, v, &e))?
        }
        "kairosdb.reporter.period_ms" => {
            let ms: u64 = num(shown, v, "expected milliseconds")?;
            p.reporter_period_ms = (ms > 0).then_some(ms);
        }
        "kairosdb.reporter.ttl" => p.reporter_ttl = num(shown, v, "expected seconds")?,
        "kairosdb.hostname" => {
            if !v.is_empty() {
                p.hostname = v.to_string();
            }
        }
        "kairosdb.health.datastore_timeout_ms" => {
            p.health_timeout_ms = num(shown, v, "expected milliseconds")?;
            if p.health_timeout_ms == 0 {
                return Err(bad(shown, v, "expected a positive number of milliseconds"));
            }
        }
        k => match k.strip_prefix(CUSTOM_TAGS) {
            Some(name) if !name.is_empty() && !v.is_empty() => {
                let name = name.trim_matches('"').to_string();
                p.custom_tags.retain(|(n, _)| *n != name);
                p.custom_tags.push((name, v.to_string()));
            }
            Some(_) => return Err(bad(shown, v, "expected a tag name and a non-empty value")),
            None => return Ok(false),
        },
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_apply_and_validate() {
        let mut o = Options::default();
        assert!(o.ops.reporter && o.ops.query_limit == 0);
        for (k, v) in [
            ("kairosdb.datastore.cassandra.query_limit", "100"),
            ("kairosdb.log.queries.enable", "true"),
            ("kairosdb.log.queries.greater_than", "0"),
            ("kairosdb.service.reporter", "<disabled>"),
            ("kairosdb.reporter.period_ms", "250"),
            ("kairosdb.metrics.custom_tags.env", "lab"),
        ] {
            assert!(apply(&mut o, k, v, k).unwrap(), "{k}");
        }
        assert_eq!(o.ops.query_limit, 100);
        assert!(o.ops.log_queries && !o.ops.reporter);
        assert_eq!(o.ops.log_queries_greater_than, 0);
        assert_eq!(o.ops.reporter_period_ms, Some(250));
        assert_eq!(o.ops.custom_tags, vec![("env".into(), "lab".into())]);
        let e = apply(&mut o, "kairosdb.reporter.schedule", "every minute", "k")
            .unwrap_err()
            .to_string();
        assert!(e.contains("every minute"), "{e}");
        assert!(!apply(&mut o, "kairosdb.log.other", "1", "k").unwrap());
    }
}
