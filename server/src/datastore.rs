//! The storage interface: exactly what the ingest core and the query engine need.
//!
//! Calls are synchronous and may block: the server calls them from blocking threads
//! (`spawn_blocking` or its own writer thread). Backends with async drivers bridge inside.
//! The trait does not assume one stored record per point.

pub mod cassandra;
pub mod column_name;
pub mod embedded;
pub mod row_key;
pub mod tag_filter;
pub mod value_codec;

use std::collections::HashMap;
use std::sync::Arc;

use plugin_api::{DataPoint, Order};
use protocols::SeriesPoints;

pub use row_key::RowKey;
pub use tag_filter::TagFilter;

/// Shared handle to the datastore in use.
pub type DatastoreRef = Arc<dyn Datastore>;

/// A storage failure; surfaces as HTTP 500.
#[derive(Debug, thiserror::Error)]
pub enum DatastoreError {
    /// The storage engine failed.
    #[error("org.kairosdb.core.exception.DatastoreException: {0}")]
    Engine(String),
    /// Stored bytes could not be decoded.
    #[error("org.kairosdb.core.exception.DatastoreException: {0}")]
    Corrupt(String),
    /// A point cannot be stored (e.g. a string over 65535 encoded bytes).
    #[error("{0}")]
    Rejected(String),
}

/// Which points of one row to read.
#[derive(Clone, Copy, Debug)]
pub struct ReadRange {
    /// First timestamp, inclusive.
    pub start: i64,
    /// Last timestamp, inclusive.
    pub end: i64,
    /// Read order.
    pub order: Order,
    /// At most this many points (0 = no limit), counted in `order`.
    pub limit: u64,
    /// Which query reads (0: none in particular); a store may share its reads fairly by it.
    pub query: u64,
    /// Rows the query reads (0: unknown); a store may read each row of a small query in
    /// slices at once.
    pub rows: usize,
}

/// The rows of a data read, some of them perhaps already being read.
pub struct RowsToRead {
    /// The rows, as [`Datastore::find_rows`] orders them.
    pub rows: Vec<RowKey>,
    /// Readers over some of `rows` in the read's range, started while the rows were found.
    pub started: HashMap<RowKey, Box<dyn PointReader>>,
}

/// Pulls the points of one row in batches.
pub trait PointReader: Send {
    /// Appends the next batch to `out`; returns false when the row is exhausted.
    fn next_batch(&mut self, out: &mut Vec<DataPoint>) -> Result<bool, DatastoreError>;
    /// Asks for batches of about `points` (a reader may ignore it); a merge over many rows
    /// lowers it to bound what all rows buffer together.
    fn set_batch_hint(&mut self, _points: usize) {}
}

/// A time-series store.
pub trait Datastore: Send + Sync {
    /// Stores the points durably; returns only once they survive a crash.
    fn write(&self, batch: &[SeriesPoints]) -> Result<(), DatastoreError>;
    /// Metric names, sorted, optionally only those starting with `prefix`.
    fn metric_names(&self, prefix: Option<&str>) -> Result<Vec<String>, DatastoreError>;
    /// All tag names, sorted (the KairosDB 1.2 `/tagnames` call).
    fn tag_names(&self) -> Result<Vec<String>, DatastoreError>;
    /// All tag values, sorted (the KairosDB 1.2 `/tagvalues` call).
    fn tag_values(&self) -> Result<Vec<String>, DatastoreError>;
    /// Rows of `metric` that may hold points in `[start, end]` and match `filter`.
    fn find_rows(
        &self,
        metric: &str,
        start: i64,
        end: i64,
        filter: &TagFilter,
    ) -> Result<Vec<RowKey>, DatastoreError>;
    /// [`find_rows`](Datastore::find_rows) for a data read in `range`: may also list rows
    /// deleted whole elsewhere since (reading them yields no point), so a store can reuse what
    /// it found, and may start reading up to `read_ahead` of the rows it expects meanwhile.
    fn find_rows_to_read(
        &self,
        metric: &str,
        filter: &TagFilter,
        range: &ReadRange,
        _read_ahead: usize,
    ) -> Result<RowsToRead, DatastoreError> {
        Ok(RowsToRead {
            rows: self.find_rows(metric, range.start, range.end, filter)?,
            started: HashMap::new(),
        })
    }
    /// How many points of `row` fall in `range` (at most `range.limit` when set).
    fn count_points(&self, row: &RowKey, range: &ReadRange) -> Result<u64, DatastoreError>;
    /// True when counting a row costs about as much as reading it: the query engine then
    /// reads each row once and counts what it read.
    fn counts_cost_a_read(&self) -> bool {
        false
    }
    /// A reader over the points of `row` in `range`.
    fn read_points(
        &self,
        row: &RowKey,
        range: &ReadRange,
    ) -> Result<Box<dyn PointReader>, DatastoreError>;
    /// Deletes the points of `metric` in `[start, end]` matching `filter`, then the rows and
    /// the metric name that became empty.
    fn delete(
        &self,
        metric: &str,
        start: i64,
        end: i64,
        filter: &TagFilter,
    ) -> Result<(), DatastoreError>;
    /// Succeeds when the store can serve reads and writes.
    fn check_health(&self) -> Result<(), DatastoreError>;
    /// Flushes and releases resources; later calls may fail.
    fn close(&self) -> Result<(), DatastoreError>;
}
