//! The configuration keys this server understands, and how each one sets an option.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{ConfigError, DatastoreKind, Options};
use crate::datastore::cassandra::options as cassandra;

/// Every kairosdb.conf key this server applies (Java names, plus ours under the same roots).
pub const KNOWN_KEYS: &[&str] = &[
    "kairosdb.jetty.port",
    "kairosdb.jetty.address",
    "kairosdb.jetty.max_body_size",
    "kairosdb.health.healthyResponseCode",
    "kairosdb.server.type",
    "kairosdb.role",
    "kairosdb.service.telnet",
    "kairosdb.telnetserver.port",
    "kairosdb.telnetserver.address",
    "kairosdb.telnetserver.max_command_size",
    "kairosdb.service.datastore",
    "kairosdb.datastore.embedded.data_dir",
    "kairosdb.datastore.h2.database_path",
    "kairosdb.datastore.cache_max_size_mb",
    "kairosdb.datastore.cassandra.cql_host_list",
    "kairosdb.datastore.cassandra.write_cluster.cql_host_list",
    "kairosdb.datastore.cassandra.keyspace",
    "kairosdb.datastore.cassandra.write_cluster.keyspace",
    "kairosdb.datastore.concurrentQueryThreads",
    "kairosdb.queries.regex_prefix",
    "kairosdb.queries.default_time_zone",
    "kairosdb.plugins.directory",
    "kairosdb.plugins.paths",
    "kairosdb.queue_processor.batch_size",
    "kairosdb.queue_processor.queue_depth",
    "kairosdb.queue_processor.max_queued_points",
    "kairosdb.queue_processor.max_queued_mb",
    "kairosdb.queue_processor.http_wait_ms",
];

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

fn list(value: &str) -> Vec<String> {
    value
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Splits `host:port` (IPv6 in brackets allowed).
fn host_port(key: &str, value: &str) -> Result<(String, u16), ConfigError> {
    let (host, port) = value
        .rsplit_once(':')
        .ok_or_else(|| bad(key, value, "expected HOST:PORT"))?;
    let port = num::<u16>(key, port, "expected a port number 0-65535")?;
    Ok((
        host.trim_matches(|c| c == '[' || c == ']').to_string(),
        port,
    ))
}

/// Applies one key; returns false when the key is not one of ours. `shown` names the source
/// in errors (the key itself, an environment variable or a flag).
pub fn apply(o: &mut Options, key: &str, value: &str, shown: &str) -> Result<bool, ConfigError> {
    let v = value.trim();
    match key {
        "kairosdb.jetty.port" => o.http.port = num(shown, v, "expected a port number 0-65535")?,
        "kairosdb.jetty.address" => o.http.address = v.to_string(),
        "kairosdb.jetty.max_body_size" => {
            o.http.max_body_bytes = num(shown, v, "expected a size in bytes")?
        }
        "kairosdb.health.healthyResponseCode" => {
            let code: u16 = num(shown, v, "expected an HTTP status code")?;
            if !(200..300).contains(&code) {
                return Err(bad(shown, v, "expected a 2xx status code"));
            }
            o.http.healthy_response_code = code;
        }
        "kairosdb.server.type" => {
            o.http.server_type =
                super::ServerType::parse(v).map_err(|reason| bad(shown, v, &reason))?
        }
        "kairosdb.role" => {
            o.http.role = super::Role::parse(v).map_err(|reason| bad(shown, v, &reason))?
        }
        "kairosdb.service.telnet" => o.telnet.enabled = !(v.is_empty() || v == "<disabled>"),
        "kairosdb.telnetserver.port" => {
            o.telnet.port = num(shown, v, "expected a port number 0-65535")?
        }
        "kairosdb.telnetserver.address" => o.telnet.address = v.to_string(),
        "kairosdb.telnetserver.max_command_size" => {
            o.telnet.max_command_size = num(shown, v, "expected a positive number of bytes")?;
            if o.telnet.max_command_size == 0 {
                return Err(bad(shown, v, "expected a positive number of bytes"));
            }
        }
        "kairosdb.service.datastore" => {
            o.datastore.kind = if v.contains("cassandra") || v.eq_ignore_ascii_case("cassandra") {
                DatastoreKind::Cassandra
            } else if v.contains("h2") || v.eq_ignore_ascii_case("embedded") {
                DatastoreKind::Embedded
            } else {
                return Err(bad(
                    shown,
                    v,
                    "expected embedded, cassandra, or a Java H2Module/CassandraModule class",
                ));
            }
        }
        "kairosdb.datastore.embedded.data_dir" | "kairosdb.datastore.h2.database_path" => {
            if v.is_empty() {
                return Err(bad(shown, v, "expected a directory"));
            }
            o.datastore.data_dir = PathBuf::from(v);
        }
        "kairosdb.datastore.cache_max_size_mb" => {
            o.datastore.cache_max_size_mb = num(shown, v, "expected a size in MB")?
        }
        "kairosdb.datastore.cassandra.cql_host_list"
        | "kairosdb.datastore.cassandra.write_cluster.cql_host_list" => {
            o.datastore.cassandra_contact_points = list(v);
            if o.datastore.cassandra_contact_points.is_empty() {
                return Err(bad(shown, v, "expected a comma-separated list of hosts"));
            }
        }
        "kairosdb.datastore.cassandra.keyspace"
        | "kairosdb.datastore.cassandra.write_cluster.keyspace" => {
            if v.is_empty() {
                return Err(bad(shown, v, "expected a keyspace name"));
            }
            o.datastore.cassandra_keyspace = v.to_string();
        }
        "kairosdb.datastore.concurrentQueryThreads" => {
            o.query.concurrent_query_threads = num(shown, v, "expected a positive number")?;
            if o.query.concurrent_query_threads == 0 {
                return Err(bad(shown, v, "expected a positive number"));
            }
        }
        "kairosdb.plugins.directory" => o.plugins.directory = (!v.is_empty()).then(|| v.into()),
        "kairosdb.plugins.paths" => {
            o.plugins.paths = list(v).into_iter().map(PathBuf::from).collect()
        }
        "kairosdb.queries.regex_prefix" => o.query.regex_prefix = v.to_string(),
        "kairosdb.queries.default_time_zone" => {
            if v.parse::<chrono_tz::Tz>().is_err() && v != "UTC" {
                return Err(bad(
                    shown,
                    v,
                    "expected a time zone id such as UTC or Europe/Berlin",
                ));
            }
            o.query.default_time_zone = v.to_string();
        }
        "kairosdb.queue_processor.batch_size" => {
            o.ingest.batch_size = num(shown, v, "expected a positive number")?
        }
        "kairosdb.queue_processor.max_queued_points" => {
            o.ingest.max_queued_points = num(shown, v, "expected a positive number of points")?;
            if o.ingest.max_queued_points == 0 {
                return Err(bad(shown, v, "expected a positive number of points"));
            }
        }
        "kairosdb.queue_processor.max_queued_mb" => {
            o.ingest.max_queued_mb = num(shown, v, "expected a positive size in MB")?;
            if o.ingest.max_queued_mb == 0 {
                return Err(bad(shown, v, "expected a positive size in MB"));
            }
        }
        "kairosdb.queue_processor.http_wait_ms" => {
            o.ingest.http_wait_ms = num(shown, v, "expected milliseconds")?
        }
        "kairosdb.queue_processor.queue_depth" => {
            o.ingest.queue_depth = num(shown, v, "expected a positive number")?
        }
        k if super::ops::handles(k) => return super::ops::apply(o, k, v, shown),
        k if k.starts_with(super::security::AUTH_ROOT)
            || k.starts_with(super::security::SSL_ROOT) =>
        {
            return super::security::apply(&mut o.security, k, v, shown)
        }
        k if k.starts_with(cassandra::ROOT) => {
            return cassandra::apply(&mut o.datastore.cassandra, k, v, shown)
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Java-style variable name of a key: upper case, dots to underscores.
pub fn env_name(key: &str) -> String {
    key.replace(['.', '-'], "_").to_uppercase()
}

/// Applies `KAIROSDB_*` variables: every known key in Java style, then the migration plan's
/// short names, which win.
pub fn apply_env(o: &mut Options, env: &BTreeMap<String, String>) -> Result<(), ConfigError> {
    for key in KNOWN_KEYS {
        let name = env_name(key);
        if let Some(v) = env.get(&name) {
            apply(o, key, v, &name)?;
        }
    }
    for key in super::ops::KNOWN_KEYS {
        if let Some(v) = env.get(&env_name(key)) {
            apply(o, key, v, &env_name(key))?;
        }
    }
    for key in super::security::KNOWN_KEYS {
        let name = env_name(key);
        if let Some(v) = env.get(&name) {
            apply(o, key, v, &name)?;
        }
    }
    let tables = cassandra::TABLES
        .iter()
        .map(|t| format!("table_create_with.{t}"));
    for key in cassandra::KNOWN_KEYS
        .iter()
        .map(|k| k.to_string())
        .chain(tables)
    {
        let key = format!("{}{key}", cassandra::ROOT);
        let name = env_name(&key);
        if let Some(v) = env.get(&name) {
            apply(o, &key, v, &name)?;
        }
    }
    if let Some(v) = env.get("KAIROSDB_BIND_ADDRESS") {
        let (host, port) = host_port("KAIROSDB_BIND_ADDRESS", v)?;
        o.http.address = host;
        o.http.port = port;
    }
    if let Some(v) = env.get("KAIROSDB_TELNET_ADDRESS") {
        let (host, port) = host_port("KAIROSDB_TELNET_ADDRESS", v)?;
        o.telnet.address = host;
        o.telnet.port = port;
    }
    let short = [
        ("KAIROSDB_DATA_DIR", "kairosdb.datastore.embedded.data_dir"),
        (
            "KAIROSDB_CACHE_MAX_SIZE_MB",
            "kairosdb.datastore.cache_max_size_mb",
        ),
        (
            "KAIROSDB_CASSANDRA_CONTACT_POINTS",
            "kairosdb.datastore.cassandra.cql_host_list",
        ),
        (
            "KAIROSDB_CASSANDRA_KEYSPACE",
            "kairosdb.datastore.cassandra.keyspace",
        ),
        ("KAIROSDB_DATASTORE", "kairosdb.service.datastore"),
        ("KAIROSDB_PLUGINS_DIR", "kairosdb.plugins.directory"),
        (
            "KAIROSDB_DEFAULT_TIME_ZONE",
            "kairosdb.queries.default_time_zone",
        ),
    ];
    for (name, key) in short {
        if let Some(v) = env.get(name) {
            apply(o, key, v, name)?;
        }
    }
    Ok(())
}

/// Maps a `host:port` flag onto the address and port keys.
pub fn split_address(
    flag: &str,
    value: &str,
    address_key: &str,
    port_key: &str,
) -> Result<Vec<(String, String)>, ConfigError> {
    let (host, port) = host_port(flag, value)?;
    Ok(vec![
        (address_key.to_string(), host),
        (port_key.to_string(), port.to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn env_overrides() {
        let mut o = Options::default();
        apply_env(
            &mut o,
            &env(&[
                ("KAIROSDB_JETTY_PORT", "9000"),
                ("KAIROSDB_BIND_ADDRESS", "127.0.0.1:8081"),
                ("KAIROSDB_TELNET_ADDRESS", "[::1]:4243"),
                ("KAIROSDB_DATA_DIR", "/tmp/x"),
                ("KAIROSDB_CASSANDRA_CONTACT_POINTS", "a, b:9043"),
                ("KAIROSDB_CACHE_MAX_SIZE_MB", "128"),
            ]),
        )
        .unwrap();
        assert_eq!((o.http.address.as_str(), o.http.port), ("127.0.0.1", 8081));
        assert_eq!((o.telnet.address.as_str(), o.telnet.port), ("::1", 4243));
        assert_eq!(o.datastore.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(o.datastore.cassandra_contact_points, vec!["a", "b:9043"]);
        assert_eq!(o.datastore.cache_max_size_mb, 128);
    }

    #[test]
    fn bad_values_name_the_key() {
        let mut o = Options::default();
        let e = apply(
            &mut o,
            "kairosdb.jetty.port",
            "eighty",
            "kairosdb.jetty.port",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("kairosdb.jetty.port") && e.contains("eighty"),
            "{e}"
        );
        let e = apply_env(&mut o, &env(&[("KAIROSDB_BIND_ADDRESS", "nohost")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("KAIROSDB_BIND_ADDRESS"), "{e}");
        let e = apply(
            &mut o,
            "kairosdb.queries.default_time_zone",
            "Mars/Base",
            "k",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("time zone"), "{e}");
    }

    #[test]
    fn unknown_keys_are_not_applied() {
        let mut o = Options::default();
        assert!(!apply(&mut o, "kairosdb.reporter.unknown", "x", "k").unwrap());
    }
}
