//! What every request handler can reach.

use std::sync::Arc;

use plugin_api::Registry;
use tokio::sync::Semaphore;

use crate::config::Options;
use crate::datastore::DatastoreRef;
use crate::ingest::IngestRef;

/// Version text reported by `/api/v1/version` and telnet `version`.
pub fn version_text() -> String {
    format!("KairosDB {}", env!("CARGO_PKG_VERSION"))
}

/// Shared server state.
pub struct AppState {
    /// The configuration in force.
    pub options: Options,
    /// The datastore.
    pub datastore: DatastoreRef,
    /// The ingest core.
    pub ingest: IngestRef,
    /// Aggregators and group-bys.
    pub registry: Arc<Registry>,
    /// Metric queries that may run at once (`kairosdb.datastore.concurrentQueryThreads`).
    pub query_slots: Arc<Semaphore>,
    /// KiB that HTTP ingest bodies may hold from parsing until durable (`max_queued_mb`).
    pub ingest_room: Arc<Semaphore>,
}

impl AppState {
    /// Bundles the parts.
    pub fn new(
        options: Options,
        datastore: DatastoreRef,
        ingest: IngestRef,
        registry: Arc<Registry>,
    ) -> Self {
        let slots = options
            .query
            .concurrent_query_threads
            .clamp(1, Semaphore::MAX_PERMITS);
        let room = options.ingest.max_queued_kib();
        AppState {
            options,
            datastore,
            ingest,
            registry,
            query_slots: Arc::new(Semaphore::new(slots)),
            ingest_room: Arc::new(Semaphore::new(room)),
        }
    }
}
