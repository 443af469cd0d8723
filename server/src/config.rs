//! Server configuration: one options struct per `kairosdb.conf` section, loaded in layers —
//! defaults, then the config file, then `KAIROSDB_*` environment variables, then flags.
//! Errors name the key.

pub mod command;
mod keys;
pub mod migrate;
mod ops;
pub mod report;
pub mod security;
mod source;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use keys::{split_address as split_flag_address, KNOWN_KEYS};
pub use ops::OpsOptions;
pub use security::{SecurityOptions, TlsOptions};
pub use source::{parse_file, parse_text, Format};

/// A configuration problem; start-up stops with this message.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A key has a value of the wrong form.
    #[error("invalid configuration: {key} = {value:?}: {reason}")]
    BadValue {
        /// The key, as written in kairosdb.conf (or the variable/flag that set it).
        key: String,
        /// The offending value.
        value: String,
        /// What was expected.
        reason: String,
    },
    /// The config file could not be read or parsed.
    #[error("cannot read configuration file {path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A command-line flag is unknown or lacks its value.
    #[error("invalid command line: {0}")]
    Flag(String),
}

/// HTTP listener (`kairosdb.jetty.*`).
#[derive(Clone, Debug, PartialEq)]
pub struct HttpOptions {
    /// Listen address.
    pub address: String,
    /// Listen port; 0 picks a free port.
    pub port: u16,
    /// Largest request body accepted, in bytes (ours; Java has no limit).
    pub max_body_bytes: usize,
    /// Status of a healthy `/api/v1/health/check` (`kairosdb.health.healthyResponseCode`).
    pub healthy_response_code: u16,
    /// API categories this instance serves (`kairosdb.server.type`).
    pub server_type: ServerType,
    /// Which service this process runs (`kairosdb.role`, `--role`; ours).
    pub role: Role,
}

/// The services one process runs: everything (default), or the ingest or query side only, so
/// the two scale separately on one Cassandra cluster.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Role {
    /// Ingestion, queries, metadata and deletes.
    #[default]
    All,
    /// HTTP ingestion and telnet; no queries.
    Ingest,
    /// Queries, metadata and deletes; no ingestion, no telnet.
    Query,
}

impl Role {
    /// Parses `all`, `ingest` or `query` (any case).
    pub fn parse(text: &str) -> Result<Role, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "all" => Ok(Role::All),
            "ingest" => Ok(Role::Ingest),
            "query" => Ok(Role::Query),
            other => Err(format!(
                "unknown role {other:?}: expected all, ingest or query"
            )),
        }
    }

    /// The role's name.
    pub fn name(self) -> &'static str {
        match self {
            Role::All => "all",
            Role::Ingest => "ingest",
            Role::Query => "query",
        }
    }

    /// Whether this role serves the ingest side (`/datapoints`, telnet).
    pub fn ingests(self) -> bool {
        self != Role::Query
    }

    /// Whether this role serves the query side (queries, metadata, deletes).
    pub fn queries(self) -> bool {
        self != Role::Ingest
    }
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            address: "0.0.0.0".into(),
            port: 8080,
            max_body_bytes: 256 << 20,
            healthy_response_code: 204,
            server_type: ServerType::default(),
            role: Role::default(),
        }
    }
}

/// `kairosdb.server.type`: `ALL` or a comma list of `INGEST`, `QUERY`, `DELETE`
/// (REST/MetricsResource.java `setServerType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerType {
    /// `POST /datapoints` is served.
    pub ingest: bool,
    /// Queries, query tags and metric names are served.
    pub query: bool,
    /// Deletes are served.
    pub delete: bool,
}

impl Default for ServerType {
    fn default() -> Self {
        ServerType {
            ingest: true,
            query: true,
            delete: true,
        }
    }
}

impl ServerType {
    /// Parses the Java setting; `None` names an unknown token.
    pub fn parse(text: &str) -> Result<ServerType, String> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if text == "ALL" {
            return Ok(ServerType::default());
        }
        let mut t = ServerType {
            ingest: false,
            query: false,
            delete: false,
        };
        for token in text.split(',') {
            match token {
                "INGEST" => t.ingest = true,
                "QUERY" => t.query = true,
                "DELETE" => t.delete = true,
                other => return Err(format!("unknown server type {other:?}: expected ALL or a list of INGEST, QUERY, DELETE")),
            }
        }
        Ok(t)
    }
}

/// Telnet listener (`kairosdb.telnetserver.*`).
#[derive(Clone, Debug, PartialEq)]
pub struct TelnetOptions {
    /// Whether the listener runs (`kairosdb.service.telnet`).
    pub enabled: bool,
    /// Listen address.
    pub address: String,
    /// Listen port; 0 picks a free port.
    pub port: u16,
    /// Longest accepted line in bytes; longer lines are dropped.
    pub max_command_size: usize,
}

impl Default for TelnetOptions {
    fn default() -> Self {
        TelnetOptions {
            enabled: true,
            address: "0.0.0.0".into(),
            port: 4242,
            max_command_size: 1024,
        }
    }
}

/// Which datastore backs the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatastoreKind {
    /// The embedded local store (default).
    Embedded,
    /// A Cassandra cluster shared with Java KairosDB nodes.
    Cassandra,
}

/// Datastore selection and settings (`kairosdb.datastore.*`).
#[derive(Clone, Debug, PartialEq)]
pub struct DatastoreOptions {
    /// The backend.
    pub kind: DatastoreKind,
    /// Directory of the embedded store.
    pub data_dir: PathBuf,
    /// Block cache of the embedded store, in MB.
    pub cache_max_size_mb: u64,
    /// Cassandra contact points (host or host:port).
    pub cassandra_contact_points: Vec<String>,
    /// Cassandra keyspace.
    pub cassandra_keyspace: String,
    /// The other `kairosdb.datastore.cassandra.*` settings.
    pub cassandra: crate::datastore::cassandra::CassandraOptions,
}

impl Default for DatastoreOptions {
    fn default() -> Self {
        DatastoreOptions {
            kind: DatastoreKind::Embedded,
            data_dir: PathBuf::from("kairosdb-data"),
            cache_max_size_mb: 64,
            cassandra_contact_points: vec!["localhost".into()],
            cassandra_keyspace: "kairosdb".into(),
            cassandra: Default::default(),
        }
    }
}

/// Query behaviour (`kairosdb.queries.*`).
#[derive(Clone, Debug, PartialEq)]
pub struct QueryOptions {
    /// Tag-filter regex marker; empty disables regexes.
    pub regex_prefix: String,
    /// Zone used when a query has no `time_zone` (Java used the JVM zone).
    pub default_time_zone: String,
    /// Metric queries run at once (`kairosdb.datastore.concurrentQueryThreads`).
    pub concurrent_query_threads: usize,
}

impl Default for QueryOptions {
    fn default() -> Self {
        QueryOptions {
            regex_prefix: "regex:".into(),
            default_time_zone: "UTC".into(),
            concurrent_query_threads: 5,
        }
    }
}

/// Ingest queue (`kairosdb.queue_processor.*`).
#[derive(Clone, Debug, PartialEq)]
pub struct IngestOptions {
    /// Points written to the datastore in one durable batch at most.
    pub batch_size: usize,
    /// Submissions that may wait for the writer before senders are held back.
    pub queue_depth: usize,
    /// Points that may be queued or in writing at once; past it senders wait (bounded memory).
    pub max_queued_points: usize,
    /// Memory the queued or in-writing submissions may hold, in MB (estimated); past it
    /// senders wait. One-point series cost some 500 bytes a point, so this binds first.
    pub max_queued_mb: usize,
    /// How long an HTTP ingest request waits for room before a 503 with `Retry-After`.
    pub http_wait_ms: u64,
}

impl IngestOptions {
    /// `max_queued_mb` in KiB, at least one, at most what a semaphore holds.
    pub fn max_queued_kib(&self) -> usize {
        self.max_queued_mb
            .max(1)
            .saturating_mul(1024)
            .min(tokio::sync::Semaphore::MAX_PERMITS)
    }
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            batch_size: 200_000,
            queue_depth: 1024,
            max_queued_points: 500_000,
            max_queued_mb: 64,
            http_wait_ms: 5_000,
        }
    }
}

/// Plugin libraries loaded at start-up (`kairosdb.plugins.*`, ours); none by default.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PluginOptions {
    /// Directory whose every shared library is loaded as a plugin.
    pub directory: Option<PathBuf>,
    /// More plugin libraries, loaded after the directory's, in order.
    pub paths: Vec<PathBuf>,
}

/// The whole configuration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    /// HTTP listener.
    pub http: HttpOptions,
    /// Telnet listener.
    pub telnet: TelnetOptions,
    /// Datastore.
    pub datastore: DatastoreOptions,
    /// Queries.
    pub query: QueryOptions,
    /// Ingest queue.
    pub ingest: IngestOptions,
    /// Plugin libraries.
    pub plugins: PluginOptions,
    /// Query limits, slow-query log, self-reporting, health probe.
    pub ops: OpsOptions,
    /// Basic auth and HTTPS (`kairosdb.jetty.basic_auth.*`, `kairosdb.jetty.ssl.*`).
    pub security: SecurityOptions,
    /// Keys found in the file that this server does not use (reported at start-up).
    pub ignored_keys: Vec<String>,
}

/// Where the configuration comes from.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// The config file (`--config`/`-p`), if any.
    pub file: Option<PathBuf>,
    /// Environment variables (usually `std::env::vars()`).
    pub env: BTreeMap<String, String>,
    /// Flag overrides as kairosdb.conf keys (already mapped from `--bind` etc.).
    pub flags: Vec<(String, String)>,
}

impl Options {
    /// Loads defaults, then file, then environment, then flags.
    pub fn load(sources: &Sources) -> Result<Options, ConfigError> {
        let mut opts = Options::default();
        if let Some(path) = &sources.file {
            for (key, value) in parse_file(path)? {
                if !keys::apply(&mut opts, &key, &value, &key)? {
                    migrate::refuse_unsupported(&key, &value)?;
                    opts.ignored_keys.push(key);
                }
            }
        }
        keys::apply_env(&mut opts, &sources.env)?;
        for (key, value) in &sources.flags {
            keys::apply(&mut opts, key, value, key)?;
        }
        opts.security.validate()?;
        Ok(opts)
    }
}

#[cfg(test)]
mod example_test;
