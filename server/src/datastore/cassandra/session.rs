//! The driver connection: its own tokio runtime, a session whose client timestamps are
//! milliseconds (as Java's `TimestampGenerator`), retries with back-off, and the prepared
//! statements of the read, write and delete paths.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use scylla::client::execution_profile::ExecutionProfile;
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::errors::{DbError, ExecutionError, RequestAttemptError};
use scylla::policies::load_balancing::DefaultPolicy;
use scylla::policies::timestamp_generator::TimestampGenerator;
use scylla::statement::prepared::PreparedStatement;
use scylla::statement::Consistency;

use super::cql;
use super::options::{contact_point, CassandraOptions};
use crate::datastore::DatastoreError;

/// Rows per page of partition reads (the Java driver's default).
pub const PAGE_SIZE: i32 = 5000;

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Client timestamps in ms, as KairosDB's driver sends them (spec §3.7), not the µs default.
#[derive(Debug)]
pub struct MillisTimestamps;

impl TimestampGenerator for MillisTimestamps {
    fn next_timestamp(&self) -> i64 {
        now_ms()
    }
}

/// A failed request, as a datastore error.
pub fn engine(e: impl std::fmt::Display) -> DatastoreError {
    DatastoreError::Engine(format!("Cassandra: {e}"))
}

/// Whether a request may succeed when sent again (timeouts, overload, lost connections).
pub fn is_transient(e: &ExecutionError) -> bool {
    match e {
        ExecutionError::ConnectionPoolError(_)
        | ExecutionError::RequestTimeout(_)
        | ExecutionError::EmptyPlan => true,
        ExecutionError::LastAttemptError(a) => match a {
            RequestAttemptError::DbError(db, _) => matches!(
                db,
                DbError::Unavailable { .. }
                    | DbError::Overloaded
                    | DbError::IsBootstrapping
                    | DbError::ReadTimeout { .. }
                    | DbError::WriteTimeout { .. }
                    | DbError::TruncateError
                    | DbError::RateLimitReached { .. }
            ),
            RequestAttemptError::BrokenConnectionError(_)
            | RequestAttemptError::UnableToAllocStreamId => true,
            _ => false,
        },
        _ => false,
    }
}

/// Back-off before retry `attempt` (1-based): 100 ms doubling, at most 3.2 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(100u64 << attempt.saturating_sub(1).min(5))
}

/// Runs `request` until it succeeds, fails for good, or `retries` retries are spent.
pub async fn with_retry<T, F, Fut>(retries: u32, mut request: F) -> Result<T, ExecutionError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ExecutionError>>,
{
    let mut attempt = 0;
    loop {
        match request().await {
            Err(e) if attempt < retries && is_transient(&e) => {
                attempt += 1;
                tracing::warn!(error = %e, attempt, "Cassandra request failed; retrying");
                tokio::time::sleep(backoff(attempt)).await;
            }
            other => return other,
        }
    }
}

/// Opens a session on the contact points, with no keyspace selected yet.
pub async fn connect(hosts: &[String], o: &CassandraOptions) -> Result<Session, DatastoreError> {
    let mut builder = SessionBuilder::new();
    if o.use_ssl {
        let tls = super::tls::client_config(&o.ssl).map_err(|e| engine(format!("use_ssl: {e}")))?;
        builder = builder.tls_context(Some(tls));
    }
    for h in hosts {
        let (host, port) = contact_point(h).map_err(engine)?;
        builder = if host.contains(':') {
            builder.known_node(format!("[{host}]:{port}"))
        } else {
            builder.known_node(format!("{host}:{port}"))
        };
    }
    let mut policy = DefaultPolicy::builder().token_aware(true);
    if let Some(dc) = &o.local_dc {
        policy = policy.prefer_datacenter(dc.clone());
    }
    let profile = ExecutionProfile::builder()
        .consistency(o.read_consistency)
        .load_balancing_policy(policy.build())
        .request_timeout(Some(Duration::from_secs(30)))
        .build();
    builder = builder
        .default_execution_profile_handle(profile.into_handle())
        .timestamp_generator(Arc::new(MillisTimestamps))
        .compression(o.compression)
        .connection_timeout(Duration::from_secs(10));
    if let (Some(user), Some(password)) = (&o.user, &o.password) {
        builder = builder.user(user, password);
    }
    builder
        .build()
        .await
        .map_err(|e| engine(format!("cannot connect to {}: {e}", hosts.join(","))))
}

/// Prepared statements, with their consistency levels set.
pub struct Statements {
    /// `data_points` insert.
    pub insert_point: PreparedStatement,
    /// `row_keys` insert.
    pub insert_row_key: PreparedStatement,
    /// `row_key_time_index` insert.
    pub insert_row_time: PreparedStatement,
    /// `string_index` insert.
    pub insert_name: PreparedStatement,
    /// `tag_indexed_row_keys` insert.
    pub insert_tag_index: PreparedStatement,
    /// `tag_indexed_row_keys` delete.
    pub delete_tag_index: PreparedStatement,
    /// Names under a `string_index` key.
    pub names: PreparedStatement,
    /// Names from a lower bound on.
    pub names_from: PreparedStatement,
    /// Legacy index lookup.
    pub legacy_index: PreparedStatement,
    /// Row times of a metric.
    pub row_times: PreparedStatement,
    /// Row keys of a row time.
    pub row_keys: PreparedStatement,
    /// The static `mtime` of a row time's `row_keys` partition.
    pub row_keys_mtime: PreparedStatement,
    /// Column reads: asc, desc, asc limit, desc limit.
    pub points: [PreparedStatement; 4],
    /// Column count.
    pub count: PreparedStatement,
    /// Whole-row delete.
    pub delete_row: PreparedStatement,
    /// Column-range delete.
    pub delete_range: PreparedStatement,
    /// Legacy index entry delete.
    pub delete_legacy_entry: PreparedStatement,
    /// Legacy index partition delete.
    pub delete_legacy_metric: PreparedStatement,
    /// `row_keys` entry delete.
    pub delete_row_key: PreparedStatement,
    /// `row_key_time_index` entry delete.
    pub delete_row_time: PreparedStatement,
    /// Metric-name delete.
    pub delete_name: PreparedStatement,
}

impl Statements {
    /// Prepares every statement on `session` (whose keyspace is selected).
    pub async fn prepare(session: &Session, o: &CassandraOptions) -> Result<Self, DatastoreError> {
        let p = |cql: &'static str, cl: Consistency, page: bool| async move {
            let mut ps = session
                .prepare(cql)
                .await
                .map_err(|e| engine(format!("cannot prepare {cql:?}: {e}")))?;
            ps.set_consistency(cl);
            ps.set_is_idempotent(true);
            if page {
                ps.set_page_size(PAGE_SIZE);
            }
            Ok::<_, DatastoreError>(ps)
        };
        let (r, w) = (o.read_consistency, o.write_consistency);
        Ok(Statements {
            insert_point: p(cql::DATA_POINTS_INSERT, w, false).await?,
            insert_row_key: p(cql::ROW_KEY_INSERT, w, false).await?,
            insert_row_time: p(cql::ROW_KEY_TIME_INSERT, w, false).await?,
            insert_name: p(cql::STRING_INDEX_INSERT, w, false).await?,
            insert_tag_index: p(cql::TAG_INDEXED_ROW_KEY_INSERT, w, false).await?,
            delete_tag_index: p(cql::TAG_INDEXED_ROW_KEY_DELETE, w, false).await?,
            names: p(cql::STRING_INDEX_QUERY, r, true).await?,
            names_from: p(cql::STRING_INDEX_FROM_QUERY, r, true).await?,
            legacy_index: p(cql::ROW_KEY_INDEX_QUERY, r, true).await?,
            row_times: p(cql::ROW_KEY_TIME_QUERY, r, true).await?,
            row_keys: p(cql::ROW_KEY_QUERY, r, true).await?,
            row_keys_mtime: p(cql::ROW_KEY_MTIME_QUERY, r, false).await?,
            points: [
                p(cql::DATA_POINTS_QUERY_ASC, r, true).await?,
                p(cql::DATA_POINTS_QUERY_DESC, r, true).await?,
                p(cql::DATA_POINTS_QUERY_ASC_LIMIT, r, true).await?,
                p(cql::DATA_POINTS_QUERY_DESC_LIMIT, r, true).await?,
            ],
            count: p(cql::DATA_POINTS_COUNT, r, true).await?,
            delete_row: p(cql::DATA_POINTS_DELETE_ROW, w, false).await?,
            delete_range: p(cql::DATA_POINTS_DELETE_RANGE, w, false).await?,
            delete_legacy_entry: p(cql::ROW_KEY_INDEX_DELETE, w, false).await?,
            delete_legacy_metric: p(cql::ROW_KEY_INDEX_DELETE_ROW, w, false).await?,
            delete_row_key: p(cql::ROW_KEY_DELETE, w, false).await?,
            delete_row_time: p(cql::ROW_KEY_TIME_DELETE, w, false).await?,
            delete_name: p(cql::STRING_INDEX_DELETE, w, false).await?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_milliseconds() {
        let ts = MillisTimestamps.next_timestamp();
        // 2001-09-09 in ms is 1e12; the same instant in µs would be 1e15.
        assert!(ts > 1_000_000_000_000 && ts < 100_000_000_000_000, "{ts}");
        assert!((ts - now_ms()).abs() < 5_000);
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(2), Duration::from_millis(200));
        assert_eq!(backoff(6), Duration::from_millis(3200));
        assert_eq!(backoff(60), Duration::from_millis(3200));
    }

    #[test]
    fn retries_transient_errors_only() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let calls = std::cell::Cell::new(0);
        let timeout = || ExecutionError::RequestTimeout(Duration::from_millis(1));
        let r: Result<(), _> = rt.block_on(with_retry(2, || {
            calls.set(calls.get() + 1);
            std::future::ready(Err(timeout()))
        }));
        assert!(r.is_err());
        assert_eq!(calls.get(), 3);
        calls.set(0);
        let r = rt.block_on(with_retry(5, || {
            calls.set(calls.get() + 1);
            std::future::ready(if calls.get() < 2 {
                Err(timeout())
            } else {
                Ok(7)
            })
        }));
        assert_eq!((r.ok(), calls.get()), (Some(7), 2));
        calls.set(0);
        let r: Result<(), _> = rt.block_on(with_retry(5, || {
            calls.set(calls.get() + 1);
            std::future::ready(Err(ExecutionError::BadQuery(
                scylla::errors::BadQuery::PartitionKeyExtraction,
            )))
        }));
        assert!(r.is_err());
        assert_eq!(calls.get(), 1);
    }

    #[test]
    fn transient_errors() {
        assert!(is_transient(&ExecutionError::RequestTimeout(
            Duration::from_secs(1)
        )));
        let db =
            |e| ExecutionError::LastAttemptError(RequestAttemptError::DbError(e, String::new()));
        assert!(is_transient(&db(DbError::Overloaded)));
        assert!(!is_transient(&db(DbError::Invalid)));
        assert!(!is_transient(&db(DbError::SyntaxError)));
    }
}
