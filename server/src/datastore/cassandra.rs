//! The Cassandra datastore: the keyspace Java KairosDB 1.3 uses, read and written byte for
//! byte (spec cassandra-storage.md), through the `scylla` driver.
//!
//! The [`Datastore`] trait is synchronous and called from blocking threads (and from the
//! ingest writer's plain thread), so the store owns a small tokio runtime and bridges each
//! call with `block_on`; column reads run as tasks on it and stream through channels.
//!
//! Where this differs from Java 1.3 (on purpose):
//! - a write returns only after its index rows and points are acknowledged at the write
//!   consistency (Java sends the index batches fire-and-forget); deletes also run at the
//!   write consistency (Java: the read consistency);
//! - TTLs outside 0..=630720000 s are refused, and the row-key TTL is capped there;
//! - after any whole-row delete both index caches are cleared (Java keeps the metric-name
//!   cache, so a new point in that row would get no time-index entry);
//! - rows are always found through `row_keys` (Java also writes it for tag-indexed metrics);
//! - `simultaneous_cql_queries` bounds page reads per store, not per query, and a freed slot
//!   goes to the waiting query holding the fewest (Java: first come); the caches are a
//!   two-generation approximation of Java's LRU; point batches are cut by count and size,
//!   not per replica;
//! - on Cassandra 4.0+ `data_points` is created without `COMPACT STORAGE`;
//! - `use_ssl` trusts `ssl.ca_file` (PEM) or the system's store, not the JVM's trust store;
//! - `read_clusters` and a separate `meta_cluster` stop start-up (unsupported; ignoring them
//!   would hide data); `start_async` is not supported.
//!
//! Cost of the 1.2 `/tagnames` and `/tagvalues` calls: every row key of every metric is read.

mod bounds;
mod cache;
pub mod cql;
mod delete;
mod key_cache;
mod legacy;
pub mod options;
mod read;
mod rows;
mod schema;
mod session;
mod slots;
mod tag_index;
pub mod tls;
mod write;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use parking_lot::Mutex;
use protocols::SeriesPoints;
use scylla::client::session::Session;
use tokio::runtime::Runtime;

pub use options::CassandraOptions;

use super::column_name::RowSpec;
use super::{Datastore, DatastoreError, PointReader, ReadRange, RowKey, RowsToRead, TagFilter};
use cache::SeenCache;
use key_cache::KeyCache;
use session::{engine, now_ms, Statements};
use write::WriteCaches;

/// State shared by the calls and the read tasks.
pub struct Inner {
    session: Session,
    statements: Statements,
    options: CassandraOptions,
    spec: RowSpec,
    caches: Mutex<WriteCaches>,
    /// Page reads in flight (`simultaneous_cql_queries`), shared fairly among queries.
    reads: Arc<slots::FairSlots>,
    /// Encoded `kairos_legacy` keys found through `row_key_index`: pre-1.0 values.
    legacy_keys: Mutex<HashSet<Vec<u8>>>,
    /// `row_keys` partitions read by data queries.
    key_cache: Mutex<KeyCache>,
}

/// The Cassandra store.
pub struct CassandraStore {
    runtime: Option<Runtime>,
    inner: Arc<Inner>,
}

impl CassandraStore {
    /// Connects, creates the schema if missing, and reads the row layout from `spec`.
    pub fn open(
        hosts: &[String],
        keyspace: &str,
        options: CassandraOptions,
    ) -> Result<Self, DatastoreError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("cassandra")
            .enable_all()
            .build()
            .map_err(|e| engine(format!("cannot start the driver runtime: {e}")))?;
        let inner = runtime.block_on(async {
            let session = session::connect(hosts, &options).await?;
            let (release, major) = schema::server_version(&session).await?;
            tracing::info!(release = %release, keyspace, "connected to Cassandra");
            schema::create(&session, keyspace, &options, major).await?;
            let spec = schema::read_row_spec(&session, &options).await?;
            let statements = Statements::prepare(&session, &options).await?;
            Ok::<_, DatastoreError>(Inner {
                session,
                statements,
                spec,
                caches: Mutex::new(WriteCaches {
                    row_keys: SeenCache::new(options.row_key_cache_size),
                    row_times: SeenCache::new(options.string_cache_size),
                }),
                reads: slots::FairSlots::new(options.simultaneous_queries),
                legacy_keys: Mutex::new(HashSet::new()),
                key_cache: Mutex::new(KeyCache::new(
                    std::time::Duration::from_secs(options.read_row_key_cache_seconds),
                    key_cache::CAPACITY,
                )),
                options,
            })
        })?;
        Ok(CassandraStore {
            runtime: Some(runtime),
            inner: Arc::new(inner),
        })
    }

    /// The keyspace's row layout, as read from its `spec` table.
    pub fn row_spec(&self) -> RowSpec {
        self.inner.spec
    }

    fn block_on<T>(
        &self,
        f: impl std::future::Future<Output = Result<T, DatastoreError>>,
    ) -> Result<T, DatastoreError> {
        match &self.runtime {
            Some(rt) => rt.block_on(f),
            None => Err(engine("the store is closed")),
        }
    }
}

impl Drop for CassandraStore {
    fn drop(&mut self) {
        // Dropping a runtime may block; this may run on an async thread.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Datastore for CassandraStore {
    fn write(&self, batch: &[SeriesPoints]) -> Result<(), DatastoreError> {
        let now = now_ms();
        let plan = {
            let mut caches = self.inner.caches.lock();
            write::plan(
                batch,
                &self.inner.spec,
                &self.inner.options,
                &mut caches,
                now,
            )?
        };
        tracing::debug!(points = plan.point_count(), now, "cassandra write");
        if plan.point_count() == 0 {
            return Ok(());
        }
        self.block_on(write::execute(&self.inner, &plan, now))?;
        plan.commit(&mut self.inner.caches.lock());
        Ok(())
    }

    fn metric_names(&self, prefix: Option<&str>) -> Result<Vec<String>, DatastoreError> {
        self.block_on(rows::metric_names(&self.inner, prefix))
    }

    fn tag_names(&self) -> Result<Vec<String>, DatastoreError> {
        self.block_on(rows::tags(&self.inner, true))
    }

    fn tag_values(&self) -> Result<Vec<String>, DatastoreError> {
        self.block_on(rows::tags(&self.inner, false))
    }

    fn find_rows(
        &self,
        metric: &str,
        start: i64,
        end: i64,
        filter: &TagFilter,
    ) -> Result<Vec<RowKey>, DatastoreError> {
        self.block_on(rows::find_rows(
            &self.inner,
            metric,
            start,
            end,
            filter,
            false,
        ))
    }

    fn find_rows_to_read(
        &self,
        metric: &str,
        filter: &TagFilter,
        range: &ReadRange,
        read_ahead: usize,
    ) -> Result<RowsToRead, DatastoreError> {
        // The rows the key cache expects start reading now, beside the index reads that
        // confirm them: a raw query then waits for one round trip to Cassandra, not two.
        let expected = rows::expected_rows(
            &self.inner,
            metric,
            range.start,
            range.end,
            filter,
            read_ahead,
        );
        let expected_rows = expected.len();
        let mut started = HashMap::with_capacity(expected_rows);
        let ahead = ReadRange {
            rows: expected_rows,
            ..*range
        };
        for row in expected {
            let reader = self.read_points(&row, &ahead)?;
            started.insert(row, reader);
        }
        let rows = self.block_on(rows::find_rows(
            &self.inner,
            metric,
            range.start,
            range.end,
            filter,
            true,
        ))?;
        // A started row not found after all (deleted meanwhile) stops reading when dropped.
        let found: HashSet<&RowKey> = rows.iter().collect();
        started.retain(|row, _| found.contains(row));
        tracing::debug!(
            metric,
            rows = rows.len(),
            expected = expected_rows,
            started = started.len(),
            "rows to read"
        );
        Ok(RowsToRead { rows, started })
    }

    fn count_points(&self, row: &RowKey, range: &ReadRange) -> Result<u64, DatastoreError> {
        self.block_on(read::count(&self.inner, row, range))
    }

    fn counts_cost_a_read(&self) -> bool {
        true
    }

    fn read_points(
        &self,
        row: &RowKey,
        range: &ReadRange,
    ) -> Result<Box<dyn PointReader>, DatastoreError> {
        let rt = self
            .runtime
            .as_ref()
            .ok_or_else(|| engine("the store is closed"))?;
        Ok(Box::new(read::RowReader::start(
            rt.handle(),
            self.inner.clone(),
            row.clone(),
            *range,
        )))
    }

    fn delete(
        &self,
        metric: &str,
        start: i64,
        end: i64,
        filter: &TagFilter,
    ) -> Result<(), DatastoreError> {
        self.block_on(delete::delete(&self.inner, metric, start, end, filter))
    }

    fn check_health(&self) -> Result<(), DatastoreError> {
        self.block_on(async {
            schema::server_version(&self.inner.session)
                .await
                .map(|_| ())
        })
    }

    fn close(&self) -> Result<(), DatastoreError> {
        // Every write was acknowledged before `write` returned: nothing to flush.
        Ok(())
    }
}
