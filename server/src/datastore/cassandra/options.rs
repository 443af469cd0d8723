//! Cassandra settings: the Java `kairosdb.datastore.cassandra.*` keys (and their
//! `write_cluster.*` forms) with the Java defaults (spec cassandra-storage.md §9).

use std::collections::BTreeMap;

use scylla::frame::Compression;
use scylla::statement::Consistency;

use crate::config::ConfigError;

/// Root of every Cassandra key.
pub const ROOT: &str = "kairosdb.datastore.cassandra.";

/// Tables whose `CREATE TABLE` takes a `table_create_with.<table>` suffix, in Java's order.
pub const TABLES: &[&str] = &[
    "data_points",
    "row_key_index",
    "string_index",
    "row_keys",
    "tag_indexed_row_keys",
    "row_key_time_index",
    "spec",
    "service_index",
];

/// Keys applied here, as written under `kairosdb.datastore.cassandra.` (cluster keys also
/// under `write_cluster.`); used for the Java-style environment variables.
pub const KNOWN_KEYS: &[&str] = &[
    "write_cluster.replication",
    "write_cluster.read_consistency_level",
    "write_cluster.write_consistency_level",
    "write_cluster.auth.user_name",
    "write_cluster.auth.password",
    "write_cluster.use_ssl",
    "write_cluster.ssl.ca_file",
    "write_cluster.ssl.cert_file",
    "write_cluster.ssl.key_file",
    "write_cluster.ssl.hostname_validation",
    "write_cluster.protocol_compression",
    "write_cluster.local_dc_name",
    "write_cluster.row_time_unit",
    "write_cluster.row_width",
    "write_cluster.tag_indexed_row_key_lookup_metrics",
    "simultaneous_cql_queries",
    "query_reads_per_node",
    "row_key_cache_size",
    "string_cache_size",
    "datapoint_ttl",
    "align_datapoint_ttl_with_timestamp",
    "force_default_datapoint_ttl",
    "write_batch_size",
    "write_concurrency",
    "request_retries",
    "read_row_key_cache_seconds",
];

/// Column unit configured for a fresh keyspace (`row_time_unit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowTimeUnit {
    /// Offsets in ms (Java default).
    Milliseconds,
    /// Offsets in seconds; the width is in seconds.
    Seconds,
}

/// Everything the Cassandra store reads from the configuration besides hosts and keyspace.
#[derive(Clone, Debug, PartialEq)]
pub struct CassandraOptions {
    /// Pasted into `CREATE KEYSPACE ... WITH REPLICATION =`.
    pub replication: String,
    /// Consistency of reads (Java `read_consistency_level`, ONE).
    pub read_consistency: Consistency,
    /// Consistency of writes and deletes (Java `write_consistency_level`, QUORUM).
    pub write_consistency: Consistency,
    /// Plain-text auth user (with `password`).
    pub user: Option<String>,
    /// Plain-text auth password.
    pub password: Option<String>,
    /// `use_ssl`: connect with TLS.
    pub use_ssl: bool,
    /// Trusted roots, client certificate and name check for `use_ssl` (ours: `ssl.*`).
    pub ssl: super::tls::SslOptions,
    /// Protocol compression (Java default LZ4).
    pub compression: Option<Compression>,
    /// Preferred datacenter (`local_dc_name`).
    pub local_dc: Option<String>,
    /// Unit for a fresh keyspace; an existing `spec` table wins.
    pub row_time_unit: RowTimeUnit,
    /// Width for a fresh keyspace, in `row_time_unit`; `None` = three weeks.
    pub row_width: Option<i64>,
    /// `table_create_with.<table>` suffixes.
    pub table_create_with: BTreeMap<String, String>,
    /// Partition reads in flight per store (`simultaneous_cql_queries`).
    pub simultaneous_queries: usize,
    /// Page reads one query may have in flight per node the driver knows, within
    /// `simultaneous_queries` (ours; 0 = no cap of its own, as in Java).
    pub query_reads_per_node: usize,
    /// Row keys remembered as written (`row_key_cache_size`).
    pub row_key_cache_size: usize,
    /// (metric, row time) pairs remembered as indexed (`string_cache_size`).
    pub string_cache_size: usize,
    /// Default TTL in seconds (`datapoint_ttl`, 0 = none).
    pub datapoint_ttl: i64,
    /// `align_datapoint_ttl_with_timestamp`.
    pub align_ttl: bool,
    /// `force_default_datapoint_ttl`.
    pub force_default_ttl: bool,
    /// Statements per UNLOGGED batch (ours; Java's queue batch size, 200).
    pub write_batch_size: usize,
    /// Batches in flight per write (ours; Java's ingest threads, 10).
    pub write_concurrency: usize,
    /// Retries of a request after a transient error (ours).
    pub retries: u32,
    /// How long data queries may reuse a `row_keys` partition whose `mtime` is unchanged
    /// (ours; 0 = read it every time).
    pub read_row_key_cache_seconds: u64,
    /// `tag_indexed_row_key_lookup_metrics`: metric (or `*`) → indexed tags (`*` = all).
    pub tag_index: super::tag_index::TagIndexConfig,
}

impl Default for CassandraOptions {
    fn default() -> Self {
        let mut table_create_with = BTreeMap::new();
        table_create_with.insert("data_points".into(), "WITH COMPACT STORAGE".into());
        CassandraOptions {
            replication: "{'class': 'SimpleStrategy','replication_factor' : 1}".into(),
            read_consistency: Consistency::One,
            write_consistency: Consistency::Quorum,
            user: None,
            password: None,
            use_ssl: false,
            ssl: Default::default(),
            compression: Some(Compression::Lz4),
            local_dc: None,
            row_time_unit: RowTimeUnit::Milliseconds,
            row_width: None,
            table_create_with,
            simultaneous_queries: 20,
            query_reads_per_node: 4,
            row_key_cache_size: 50_000,
            string_cache_size: 50_000,
            datapoint_ttl: 0,
            align_ttl: false,
            force_default_ttl: false,
            write_batch_size: 200,
            write_concurrency: 10,
            retries: 4,
            read_row_key_cache_seconds: 30,
            tag_index: Default::default(),
        }
    }
}

impl CassandraOptions {
    /// The `table_create_with` suffix of `table` ("" when unset).
    pub fn create_with(&self, table: &str) -> &str {
        self.table_create_with
            .get(table)
            .map(String::as_str)
            .unwrap_or("")
    }
}

fn bad(key: &str, value: &str, reason: &str) -> ConfigError {
    ConfigError::BadValue {
        key: key.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

fn positive(shown: &str, v: &str) -> Result<usize, ConfigError> {
    match v.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(bad(shown, v, "expected a positive number")),
    }
}

fn boolean(shown: &str, v: &str) -> Result<bool, ConfigError> {
    match v.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(bad(shown, v, "expected true or false")),
    }
}

fn path(v: &str) -> Option<std::path::PathBuf> {
    Some(v.trim()).filter(|s| !s.is_empty()).map(Into::into)
}

/// Parses a Java `ConsistencyLevel` name.
pub fn consistency(shown: &str, v: &str) -> Result<Consistency, ConfigError> {
    Ok(match v.to_ascii_uppercase().as_str() {
        "ANY" => Consistency::Any,
        "ONE" => Consistency::One,
        "TWO" => Consistency::Two,
        "THREE" => Consistency::Three,
        "QUORUM" => Consistency::Quorum,
        "ALL" => Consistency::All,
        "LOCAL_QUORUM" => Consistency::LocalQuorum,
        "EACH_QUORUM" => Consistency::EachQuorum,
        "LOCAL_ONE" => Consistency::LocalOne,
        _ => return Err(bad(
            shown,
            v,
            "expected ANY, ONE, TWO, THREE, QUORUM, ALL, LOCAL_QUORUM, EACH_QUORUM or LOCAL_ONE",
        )),
    })
}

/// Applies one key (full name); returns false when it is not a Cassandra key handled here.
pub fn apply(
    o: &mut CassandraOptions,
    key: &str,
    v: &str,
    shown: &str,
) -> Result<bool, ConfigError> {
    let Some(rest) = key.strip_prefix(ROOT) else {
        return Ok(false);
    };
    let cluster_key = |name: &str| rest == name || rest.starts_with(&format!("{name}."));
    if cluster_key("read_clusters") || cluster_key("meta_cluster") {
        let bare: String = v.chars().filter(|c| !c.is_whitespace()).collect();
        if matches!(bare.as_str(), "" | "[]" | "{}") {
            return Ok(true);
        }
        // Ignoring them would silently hide the data that lives on those clusters.
        return Err(bad(
            shown,
            v,
            "read_clusters and meta_cluster are not supported by kairosdb-rs yet: every read and all metadata use write_cluster",
        ));
    }
    let rest = rest.strip_prefix("write_cluster.").unwrap_or(rest);
    if let Some(table) = rest.strip_prefix("table_create_with.") {
        if !TABLES.contains(&table) {
            return Ok(false);
        }
        o.table_create_with.insert(table.to_string(), v.to_string());
        return Ok(true);
    }
    if let Some(tail) = rest.strip_prefix("tag_indexed_row_key_lookup_metrics") {
        let list = || {
            super::tag_index::parse_list(v)
                .ok_or_else(|| bad(shown, v, "expected a list of names, or an object of lists"))
        };
        if tail.is_empty() {
            o.tag_index.clear();
            if v.trim() != "{}" {
                for metric in list()? {
                    o.tag_index.insert(metric, vec!["*".into()]);
                }
            }
        } else if let Some(metric) = tail.strip_prefix('.') {
            let mut tags = list()?;
            if tags.is_empty() {
                tags.push("*".into());
            }
            o.tag_index
                .insert(metric.trim_matches('"').to_string(), tags);
        } else {
            return Ok(false);
        }
        return Ok(true);
    }
    match rest {
        "replication" => {
            if v.is_empty() {
                return Err(bad(shown, v, "expected a replication map"));
            }
            o.replication = v.to_string();
        }
        "read_consistency_level" => o.read_consistency = consistency(shown, v)?,
        "write_consistency_level" => o.write_consistency = consistency(shown, v)?,
        "auth.user_name" => o.user = Some(v.to_string()).filter(|s| !s.is_empty()),
        "auth.password" => o.password = Some(v.to_string()).filter(|s| !s.is_empty()),
        "use_ssl" => o.use_ssl = boolean(shown, v)?,
        "ssl.ca_file" => o.ssl.ca_file = path(v),
        "ssl.cert_file" => o.ssl.cert_file = path(v),
        "ssl.key_file" => o.ssl.key_file = path(v),
        "ssl.hostname_validation" => o.ssl.hostname_validation = boolean(shown, v)?,
        "protocol_compression" => {
            o.compression = match v.to_ascii_uppercase().as_str() {
                "LZ4" => Some(Compression::Lz4),
                "SNAPPY" => Some(Compression::Snappy),
                "NONE" => None,
                _ => return Err(bad(shown, v, "expected LZ4, SNAPPY or NONE")),
            }
        }
        "local_dc_name" => o.local_dc = Some(v.to_string()).filter(|s| !s.is_empty()),
        "row_time_unit" => {
            o.row_time_unit = match v {
                "MILLISECONDS" => RowTimeUnit::Milliseconds,
                "SECONDS" => RowTimeUnit::Seconds,
                _ => return Err(bad(shown, v, "expected SECONDS or MILLISECONDS")),
            }
        }
        "row_width" => match v.parse::<i64>() {
            Ok(n) if n > 0 => o.row_width = Some(n),
            _ => return Err(bad(shown, v, "expected a positive row width")),
        },
        "simultaneous_cql_queries" => o.simultaneous_queries = positive(shown, v)?,
        "query_reads_per_node" => {
            o.query_reads_per_node = v
                .parse()
                .map_err(|_| bad(shown, v, "expected a number of reads (0: no cap)"))?
        }
        "row_key_cache_size" => o.row_key_cache_size = positive(shown, v)?,
        "string_cache_size" => o.string_cache_size = positive(shown, v)?,
        "datapoint_ttl" => match v.parse::<i64>() {
            Ok(n) if (0..=super::write::MAX_TTL).contains(&n) => o.datapoint_ttl = n,
            _ => return Err(bad(shown, v, "expected a TTL in seconds, 0 to 630720000")),
        },
        "align_datapoint_ttl_with_timestamp" => o.align_ttl = boolean(shown, v)?,
        "force_default_datapoint_ttl" => o.force_default_ttl = boolean(shown, v)?,
        "write_batch_size" => {
            o.write_batch_size = positive(shown, v)?;
            if o.write_batch_size > 65_535 {
                return Err(bad(shown, v, "a CQL batch holds at most 65535 statements"));
            }
        }
        "write_concurrency" => o.write_concurrency = positive(shown, v)?,
        "request_retries" => {
            o.retries = v
                .parse()
                .map_err(|_| bad(shown, v, "expected a number of retries"))?
        }
        "read_row_key_cache_seconds" => {
            o.read_row_key_cache_seconds = v
                .parse()
                .map_err(|_| bad(shown, v, "expected seconds (0 turns the cache off)"))?
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Splits a contact point (`host` or `host:port`, IPv6 in brackets) into host and port.
pub fn contact_point(entry: &str) -> Result<(String, u16), String> {
    let entry = entry.trim();
    if let Some(rest) = entry.strip_prefix('[') {
        let (host, tail) = rest
            .split_once(']')
            .ok_or_else(|| format!("bad contact point {entry:?}"))?;
        let port = match tail.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| format!("bad port in {entry:?}"))?,
            None if tail.is_empty() => 9042,
            None => return Err(format!("bad contact point {entry:?}")),
        };
        return Ok((host.to_string(), port));
    }
    match entry.split_once(':') {
        Some((host, port)) if !port.contains(':') => Ok((
            host.to_string(),
            port.parse().map_err(|_| format!("bad port in {entry:?}"))?,
        )),
        // A bare IPv6 address.
        Some(_) => Ok((entry.to_string(), 9042)),
        None if entry.is_empty() => Err("empty contact point".into()),
        None => Ok((entry.to_string(), 9042)),
    }
}

#[cfg(test)]
mod tests;
