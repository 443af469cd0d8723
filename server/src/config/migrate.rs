//! How each key of a Java `kairosdb.conf` / `kairosdb.properties` maps onto kairosdb-rs: applied
//! under the same name, renamed, not applicable (a Java implementation detail), or unsupported
//! (a Java feature this server lacks; start-up refuses it rather than silently run without it).

use super::keys;
use super::{ConfigError, Options};
use crate::datastore::cassandra::options as cassandra;

/// What kairosdb-rs does with one Java key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Honoured under the same name.
    Applied,
    /// Honoured; kairosdb-rs's own name for it is the one given.
    Renamed(String),
    /// Ignored: meaningless here (Java thread pools, H2, Guice modules, ...).
    NotApplicable,
    /// A Java feature kairosdb-rs does not have; start-up refuses the key.
    Unsupported,
    /// Honoured key with a value kairosdb-rs rejects.
    Invalid,
}

impl Status {
    /// The word shown in reports.
    pub fn label(&self) -> &'static str {
        match self {
            Status::Applied => "applied",
            Status::Renamed(_) => "renamed",
            Status::NotApplicable => "not applicable",
            Status::Unsupported => "unsupported",
            Status::Invalid => "invalid",
        }
    }
}

/// The verdict on one key: its status, the value to write in a kairosdb-rs config, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The status.
    pub status: Status,
    /// The value as kairosdb-rs should be given it (Java module classes become names).
    pub value: String,
    /// Explanation for the operator (empty when nothing to say).
    pub note: String,
}

/// Java keys kairosdb-rs honours under another name (old 1.2 names and H2).
const RENAMES: &[(&str, &str, &str)] = &[
    (
        "kairosdb.datastore.h2.database_path",
        "kairosdb.datastore.embedded.data_dir",
        "the embedded store replaces H2; its files are not H2's (no data is migrated)",
    ),
    (
        "kairosdb.datastore.cassandra.cql_host_list",
        "kairosdb.datastore.cassandra.write_cluster.cql_host_list",
        "the 1.2 name; 1.3 keeps it under write_cluster",
    ),
    (
        "kairosdb.datastore.cassandra.keyspace",
        "kairosdb.datastore.cassandra.write_cluster.keyspace",
        "the 1.2 name; 1.3 keeps it under write_cluster",
    ),
];

/// Java features this server does not provide: (key prefix, is the feature on for this value, why).
type Unsupported = (&'static str, fn(&str) -> bool, &'static str);

/// Whether `key` is `pattern` or lies under it (a pattern ending in `.` is a prefix).
fn under(key: &str, pattern: &str) -> bool {
    if pattern.ends_with('.') {
        key.starts_with(pattern)
    } else {
        key == pattern
            || key
                .strip_prefix(pattern)
                .is_some_and(|rest| rest.starts_with('.'))
    }
}

fn enabled_service(v: &str) -> bool {
    let v = v.trim();
    !(v.is_empty() || v == "<disabled>")
}

fn non_empty(v: &str) -> bool {
    !v.trim().is_empty()
}

fn non_empty_list(v: &str) -> bool {
    let v: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    !(v.is_empty() || v == "[]")
}

fn is_true(v: &str) -> bool {
    v.trim().eq_ignore_ascii_case("true")
}

const UNSUPPORTED: &[Unsupported] = &[
    ("kairosdb.jetty.auth_module_name", non_empty, "JAAS login modules cannot run in kairosdb-rs; use kairosdb.jetty.basic_auth.user and kairosdb.jetty.basic_auth.password"),
    ("kairosdb.service.oauth", enabled_service, "the OAuth 1 request filter is not implemented; put an authenticating proxy in front, or use kairosdb.jetty.basic_auth.*"),
    ("kairosdb.service.rollups", enabled_service, "roll-ups (/api/v1/rollups) are not implemented"),
    ("kairosdb.service.filter", enabled_service, "the ingest filter plugin is not implemented"),
    ("kairosdb.datastore.cassandra.read_clusters", non_empty_list, "read-only Cassandra clusters are not implemented; queries would miss their data"),
    ("kairosdb.queries.return_query_in_response", is_true, "original_query in query responses is not implemented"),
];

/// Java settings with no meaning here: (key prefix, why).
const NOT_APPLICABLE: &[(&str, &str)] = &[
    ("kairosdb.jetty.threads.", "Jetty's thread pool; kairosdb-rs serves HTTP on tokio"),
    ("kairosdb.jetty.socket_idle_timeout", "Jetty connector setting"),
    ("kairosdb.jetty.show_stacktrace", "Jetty error pages; kairosdb-rs never sends stack traces"),
    ("kairosdb.jetty.static_web_root", "the web UI is not served by kairosdb-rs"),
    ("kairosdb.jetty.request_logging.", "use KAIROSDB_LOG=debug: every request is logged with method, path, peer, status and time"),
    ("kairosdb.jetty.ssl.truststore.path", "only used for client certificates, which KairosDB never requests"),
    ("kairosdb.service.", "Guice module of a Java service"),
    ("kairosdb.service_folder.", "Java plugin class path"),
    ("kairosdb.datapoints.factory.", "Java data point classes; the types long, double and string are built in"),
    ("kairosdb.datastore.h2.", "H2 is replaced by the embedded store"),
    ("kairosdb.datastore.cassandra.read_clusters_not", "ignored by Java too: only read_clusters is read"),
    ("kairosdb.datastore.cassandra.", "Java driver tuning or a setting kairosdb-rs does not use"),
    ("kairosdb.queue_processor.", "Java queue internals; kairosdb-rs acknowledges ingest once durable"),
    ("kairosdb.ingest_executor.", "Java thread pool"),
    ("kairosdb.host_service_manager.", "cluster membership for roll-ups"),
    ("kairosdb.query_cache.", "Java query cache files; kairosdb-rs streams results"),
    ("kairosdb.queries.aggregate_stats", "internal query statistics"),
    ("kairosdb.queries.return_query_in_response", "false is the behaviour of kairosdb-rs"),
    ("kairosdb.reporter.", "Java metrics reporter; kairosdb-rs exposes /metrics"),
    ("kairosdb.metrics.", "Java metrics reporter; kairosdb-rs exposes /metrics"),
    ("kairosdb.log.queries.", "Java slow-query metrics"),
    ("kairosdb.filter.", "settings of the ingest filter plugin"),
    ("kairosdb.eventbus.", "Java event bus"),
    ("kairosdb.rollups.", "settings of roll-ups"),
    ("kairosdb.oauth.", "settings of the OAuth filter"),
    ("kairosdb.demo.", "demo data module"),
    ("kairosdb.blast.", "load generator module"),
    ("kairosdb.qos.", "Jetty QoS filter; kairosdb-rs bounds ingest with kairosdb.queue_processor.max_queued_points"),
    ("kairosdb.hostname", "tags Java's internal metrics"),
    ("kairosdb.metric-prefix", "prefix of Java's internal metrics"),
];

/// Applied keys whose Java default value is a poor fit here.
const VALUE_NOTES: &[(&str, &str, &str)] = &[
    (
        "kairosdb.jetty.port",
        "0",
        "Java turns plain HTTP off with 0; kairosdb-rs always serves plain HTTP and 0 picks a free port",
    ),
    (
    "kairosdb.queue_processor.batch_size",
    "200",
    "200 is Java's Cassandra batch; kairosdb-rs writes one durable batch per submission up to this many points (default 200000): consider dropping the key",
)];

/// kairosdb-rs's value for a Java value: module classes of `kairosdb.service.datastore` become names.
fn translate(key: &str, value: &str) -> String {
    if key == "kairosdb.service.datastore" {
        if value.contains("cassandra") {
            return "cassandra".into();
        }
        if value.contains("h2") {
            return "embedded".into();
        }
    }
    value.to_string()
}

/// The 1.3 `write_cluster.` name of a 1.2-style Cassandra key that kairosdb-rs applies.
fn cassandra_rename(key: &str) -> Option<String> {
    let rest = key.strip_prefix(cassandra::ROOT)?;
    if rest.starts_with("write_cluster.") {
        return None;
    }
    let full = format!("write_cluster.{rest}");
    cassandra::KNOWN_KEYS
        .contains(&full.as_str())
        .then(|| format!("{}{full}", cassandra::ROOT))
}

/// Classifies one key of a Java configuration file.
pub fn classify(key: &str, value: &str) -> Verdict {
    let mut scratch = Options::default();
    let applied = keys::apply(&mut scratch, key, value, key);
    let translated = translate(key, value);
    let verdict = |status, note: &str| Verdict {
        status,
        value: translated.clone(),
        note: note.to_string(),
    };
    match applied {
        Err(e) => return verdict(Status::Invalid, &e.to_string()),
        Ok(true) => {
            if let Some((_, to, note)) = RENAMES.iter().find(|(from, _, _)| *from == key) {
                return verdict(Status::Renamed(to.to_string()), note);
            }
            if let Some(to) = cassandra_rename(key) {
                return verdict(
                    Status::Renamed(to),
                    "the 1.2 name; 1.3 keeps it under write_cluster",
                );
            }
            let note = VALUE_NOTES
                .iter()
                .find(|(k, v, _)| *k == key && value.trim() == *v)
                .map(|(_, _, n)| *n)
                .unwrap_or(if translated != value {
                    "the Java module class is named by its kind"
                } else {
                    ""
                });
            return verdict(Status::Applied, note);
        }
        Ok(false) => {}
    }
    if let Some((_, _, why)) = UNSUPPORTED
        .iter()
        .find(|(k, on, _)| under(key, k) && on(value))
    {
        return verdict(Status::Unsupported, why);
    }
    match NOT_APPLICABLE.iter().find(|(k, _)| under(key, k)) {
        Some((_, why)) => verdict(Status::NotApplicable, why),
        None => verdict(Status::NotApplicable, "unknown to kairosdb-rs; ignored"),
    }
}

/// Refuses a key that asks for a Java feature kairosdb-rs lacks (called for keys it does not apply).
pub fn refuse_unsupported(key: &str, value: &str) -> Result<(), ConfigError> {
    match UNSUPPORTED
        .iter()
        .find(|(k, on, _)| under(key, k) && on(value))
    {
        Some((_, _, why)) => Err(ConfigError::BadValue {
            key: key.to_string(),
            value: value.to_string(),
            reason: format!("not supported by kairosdb-rs: {why}"),
        }),
        None => Ok(()),
    }
}

/// Whether a `KAIROSDB_*` variable can set this key.
pub fn env_settable(key: &str) -> bool {
    keys::KNOWN_KEYS.contains(&key)
        || super::security::KNOWN_KEYS.contains(&key)
        || key.strip_prefix(cassandra::ROOT).is_some_and(|rest| {
            cassandra::KNOWN_KEYS.contains(&rest)
                || rest
                    .strip_prefix("table_create_with.")
                    .is_some_and(|t| cassandra::TABLES.contains(&t))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(
            classify("kairosdb.jetty.port", "8080").status,
            Status::Applied
        );
        assert_eq!(
            classify("kairosdb.datastore.h2.database_path", "build/h2db").status,
            Status::Renamed("kairosdb.datastore.embedded.data_dir".into())
        );
        assert_eq!(
            classify("kairosdb.datastore.cassandra.replication", "{}").status,
            Status::Renamed("kairosdb.datastore.cassandra.write_cluster.replication".into())
        );
        let v = classify(
            "kairosdb.service.datastore",
            "org.kairosdb.datastore.h2.H2Module",
        );
        assert_eq!((v.status, v.value.as_str()), (Status::Applied, "embedded"));
        assert_eq!(
            classify("kairosdb.jetty.threads.min", "1000").status,
            Status::NotApplicable
        );
        assert_eq!(
            classify("kairosdb.jetty.auth_module_name", "basicAuth").status,
            Status::Unsupported
        );
        assert_eq!(
            classify("kairosdb.service.rollups", "<disabled>").status,
            Status::NotApplicable
        );
        assert_eq!(
            classify("kairosdb.jetty.port", "http").status,
            Status::Invalid
        );
        assert!(refuse_unsupported(
            "kairosdb.service.oauth",
            "org.kairosdb.core.oauth.OAuthModule"
        )
        .is_err());
        assert!(refuse_unsupported("kairosdb.service.oauth", "<disabled>").is_ok());
        assert!(
            refuse_unsupported("kairosdb.datastore.cassandra.read_clusters_not", "[{}]").is_ok()
        );
        assert!(refuse_unsupported("kairosdb.datastore.cassandra.read_clusters", "[{}]").is_err());
        assert!(refuse_unsupported("kairosdb.datastore.cassandra.read_clusters", "[ ]").is_ok());
    }

    #[test]
    fn env_settable_keys() {
        assert!(env_settable("kairosdb.jetty.port"));
        assert!(env_settable("kairosdb.jetty.ssl.keystore.path"));
        assert!(env_settable(
            "kairosdb.datastore.cassandra.write_cluster.replication"
        ));
        assert!(env_settable(
            "kairosdb.datastore.cassandra.table_create_with.data_points"
        ));
        assert!(!env_settable(
            "kairosdb.datastore.cassandra.write_cluster.tag_indexed_row_key_lookup_metrics.m"
        ));
    }
}
