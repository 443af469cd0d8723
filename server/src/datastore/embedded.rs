//! The embedded datastore: a local fjall (LSM) database plus a write-ahead log, durable across
//! restarts and crashes.
//!
//! Layout (one fjall keyspace each):
//! - `rows`: Cassandra row key bytes (shared encoding, [`super::row_key`]) → row id (u64 BE);
//! - `blocks`: row id + first timestamp → a compressed block of up to 240 points ([`block`]);
//!   the blocks of a row never overlap in time;
//! - `flushed`: row id → seq of the newest log record whose points of the row are in blocks;
//! - `metrics`: metric name → empty;
//! - `meta`: `next_row_id`.
//!
//! A write is acknowledged once its batch is synced to the log ([`wal`]); its points then wait
//! in per-row buffers until they fill a block ([`writer`]). Reads merge blocks with a snapshot
//! of the row's buffer ([`reader`]). Opening replays the log records not yet in blocks.

mod block;
mod cells;
mod delete;
mod entry;
mod migrate;
mod reader;
mod record;
mod rowcache;
mod rowindex;
mod state;
mod wal;
mod writer;

use std::collections::BTreeSet;
use std::path::Path;

use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode, Readable};
use parking_lot::Mutex;
use protocols::{java_cmp, SeriesPoints};

use super::column_name::RowSpec;
use super::{Datastore, DatastoreError, PointReader, ReadRange, RowKey, TagFilter};
use block::Cell;
use reader::RowReader;
use state::State;

/// Key in `meta` of the next free row id.
const NEXT_ROW_ID: &[u8] = b"next_row_id";

/// The embedded store.
pub struct EmbeddedStore {
    db: Database,
    rows: Keyspace,
    blocks: Keyspace,
    flushed: Keyspace,
    metrics: Keyspace,
    meta: Keyspace,
    spec: RowSpec,
    /// Decoded row keys per metric.
    row_cache: rowcache::RowCache,
    /// The log; locked before `state` when both are needed, so readers never wait for a sync.
    wal: Mutex<Option<wal::Wal>>,
    state: Mutex<State>,
}

fn engine(e: impl std::fmt::Display) -> DatastoreError {
    DatastoreError::Engine(e.to_string())
}

/// Milliseconds since the epoch.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl EmbeddedStore {
    /// Opens (or creates) the store in `dir`, replaying its log after a crash.
    pub fn open(dir: &Path, cache_bytes: u64) -> Result<Self, DatastoreError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            engine(format!(
                "cannot create data directory {}: {e}",
                dir.display()
            ))
        })?;
        let db = Database::builder(dir)
            .cache_size(cache_bytes)
            .manual_journal_persist(true)
            .open()
            .map_err(|e| {
                engine(format!(
                    "cannot open embedded store in {}: {e}",
                    dir.display()
                ))
            })?;
        // Small memtables: blocks arrive compressed (~1.3 B/point), so 16 MiB holds minutes of
        // ingest, and memory stays bounded when millions of rows are created.
        let ks = |name: &str| {
            let mb = if name == "blocks" { 16 } else { 8 };
            db.keyspace(name, || {
                KeyspaceCreateOptions::default().max_memtable_size(mb << 20)
            })
            .map_err(engine)
        };
        let (rows, blocks, flushed, metrics, meta) = (
            ks("rows")?,
            ks("blocks")?,
            ks("flushed")?,
            ks("metrics")?,
            ks("meta")?,
        );
        let next_id = match meta.get(NEXT_ROW_ID).map_err(engine)? {
            Some(v) => u64::from_be_bytes(
                v.as_ref()
                    .try_into()
                    .map_err(|_| DatastoreError::Corrupt("bad next_row_id".into()))?,
            ),
            None => 1,
        };
        let store = EmbeddedStore {
            db,
            rows,
            blocks,
            flushed,
            metrics,
            meta,
            spec: RowSpec::default(),
            row_cache: rowcache::RowCache::default(),
            wal: Mutex::new(None),
            state: Mutex::new(State::new(next_id)),
        };
        store.migrate_points()?;
        store.replay(&dir.join("wal"))?;
        Ok(store)
    }

    /// Replays the log into the buffers and opens it for appending.
    fn replay(&self, wal_dir: &Path) -> Result<(), DatastoreError> {
        let mut guard = self.wal.lock();
        let mut st = self.state.lock();
        let mut records = 0u64;
        let mut wal = wal::Wal::open(wal_dir, |seq, payload| {
            let (now, batch) = entry::decode(payload)?;
            // Full buffers are flushed after replay; the log stays until then.
            self.apply(&mut st, &batch, now, seq, true)
                .map_err(|e| e.to_string())?;
            records += 1;
            Ok(())
        })
        .map_err(|e| DatastoreError::Corrupt(format!("write-ahead log: {e}")))?;
        st.end_replay();
        if records > 0 {
            tracing::info!(records, points = st.buffered(), "write-ahead log replayed");
            // Blocks for everything replayed; the old segments go.
            self.checkpoint(&mut wal, &mut st, None)?;
        }
        *guard = Some(wal);
        Ok(())
    }

    /// The id of a stored row, if the row exists.
    fn row_id(&self, row: &RowKey) -> Result<Option<u64>, DatastoreError> {
        let key = row.encode();
        Ok(self
            .rows
            .get(&key)
            .map_err(engine)?
            .and_then(|v| v.as_ref().try_into().ok().map(u64::from_be_bytes)))
    }

    /// Every row of `metric`, in key order.
    fn list_rows(&self, metric: &str) -> Result<Vec<RowKey>, DatastoreError> {
        let mut prefix = metric.as_bytes().to_vec();
        prefix.push(0);
        let mut rows = Vec::new();
        for kv in self.rows.prefix(&prefix) {
            let key = kv.key().map_err(engine)?;
            rows.push(RowKey::decode(&key).map_err(|e| DatastoreError::Corrupt(e.to_string()))?);
        }
        Ok(rows)
    }

    /// The part of `range` inside `row`'s time span.
    fn clamp(&self, row: &RowKey, range: &ReadRange) -> Option<(i64, i64)> {
        let width = self.spec.width_millis();
        let first = range.start.max(row.row_time);
        let last = range.end.min(row.row_time.saturating_add(width - 1));
        (first <= last).then_some((first, last))
    }

    /// The buffered points of row `id` in `[lo, hi]`, ascending.
    fn buffered(&self, id: u64, lo: i64, hi: i64) -> Vec<Cell> {
        let mut st = self.state.lock();
        let Some(buf) = st.bufs.get_mut(&id) else {
            return Vec::new();
        };
        buf.normalize();
        let from = buf.cells.ts().partition_point(|&t| t < lo);
        let to = buf.cells.ts().partition_point(|&t| t <= hi);
        buf.cells.to_cells(from, to)
    }

    /// An iterator over the blocks of row `id` that may hold points in `[lo, hi]`.
    fn block_iter(&self, id: u64, lo: i64, hi: i64) -> Result<fjall::Iter, DatastoreError> {
        // One snapshot for both look-ups: a flush rewriting blocks in between could otherwise
        // move the block holding `lo` out of the range.
        let snap = self.db.snapshot();
        let mut from = block::key(id, lo).to_vec();
        // The block holding `lo` may start before it.
        let before = block::key(id, i64::MIN).to_vec();
        if let Some(g) = snap.range(&self.blocks, before..from.clone()).next_back() {
            let (k, v) = g.into_inner().map_err(engine)?;
            let last = block::header(&v)
                .map_err(|e| DatastoreError::Corrupt(e.to_string()))?
                .last_ts;
            if last >= lo {
                from = k.to_vec();
            }
        }
        Ok(snap.range(&self.blocks, from..=block::key(id, hi).to_vec()))
    }

    fn persist(&self) -> Result<(), DatastoreError> {
        self.db.persist(PersistMode::SyncData).map_err(engine)
    }
}

impl Datastore for EmbeddedStore {
    fn write(&self, batch: &[SeriesPoints]) -> Result<(), DatastoreError> {
        state::validate(batch)?;
        let now = now_ms();
        let mut payload = Vec::with_capacity(64 + batch.len() * 64);
        entry::encode(now, batch, &mut payload);
        // Synced under the log lock only: readers keep going meanwhile.
        let mut guard = self.wal.lock();
        let wal = guard
            .as_mut()
            .ok_or_else(|| engine("the store is closed"))?;
        let seq = wal
            .append(&payload)
            .map_err(|e| engine(format!("cannot write the write-ahead log: {e}")))?;
        let mut st = self.state.lock();
        let full = self.apply(&mut st, batch, now, seq, false)?;
        let added = batch.iter().map(|s| s.points.len()).sum();
        self.maintain(wal, &mut st, full, added)
    }

    fn metric_names(&self, prefix: Option<&str>) -> Result<Vec<String>, DatastoreError> {
        let mut names = Vec::new();
        for kv in self.metrics.prefix(prefix.unwrap_or("").as_bytes()) {
            let key = kv.key().map_err(engine)?;
            names.push(String::from_utf8_lossy(&key).into_owned());
        }
        names.sort_by(|a, b| java_cmp(a, b));
        Ok(names)
    }

    fn tag_names(&self) -> Result<Vec<String>, DatastoreError> {
        self.collect_tags(|(name, _)| name)
    }

    fn tag_values(&self) -> Result<Vec<String>, DatastoreError> {
        self.collect_tags(|(_, value)| value)
    }

    fn find_rows(
        &self,
        metric: &str,
        start: i64,
        end: i64,
        filter: &TagFilter,
    ) -> Result<Vec<RowKey>, DatastoreError> {
        let width = self.spec.width_millis();
        self.row_cache.find(
            metric,
            filter,
            // A row holds timestamps in [row_time, row_time + width).
            |row| row.row_time <= end && row.row_time.saturating_add(width) > start,
            || self.list_rows(metric),
        )
    }

    fn count_points(&self, row: &RowKey, range: &ReadRange) -> Result<u64, DatastoreError> {
        if range.limit != 0 {
            // Counted in read order: with a limit, expired points decide which ones count.
            let mut r = self.read_points(row, range)?;
            let (mut n, mut buf) = (0u64, Vec::new());
            while r.next_batch(&mut buf)? {
                n += buf.len() as u64;
                buf.clear();
            }
            return Ok(n);
        }
        let (Some(id), Some((lo, hi))) = (self.row_id(row)?, self.clamp(row, range)) else {
            return Ok(0);
        };
        let buffered = self.buffered(id, lo, hi);
        let iter = self.block_iter(id, lo, hi)?;
        reader::count(iter, &row.data_type, range, now_ms(), &buffered)
    }

    fn read_points(
        &self,
        row: &RowKey,
        range: &ReadRange,
    ) -> Result<Box<dyn PointReader>, DatastoreError> {
        let (Some(id), Some((lo, hi))) = (self.row_id(row)?, self.clamp(row, range)) else {
            return Ok(Box::new(RowReader::empty()));
        };
        // Snapshot the buffer before opening the blocks: a flush in between shows its points
        // in both, never in neither.
        let buffered = self.buffered(id, lo, hi);
        let iter = self.block_iter(id, lo, hi)?;
        Ok(Box::new(RowReader::new(
            iter,
            &row.data_type,
            *range,
            now_ms(),
            buffered,
        )))
    }

    fn delete(
        &self,
        metric: &str,
        start: i64,
        end: i64,
        filter: &TagFilter,
    ) -> Result<(), DatastoreError> {
        self.delete_points(metric, start, end, filter)
    }

    fn check_health(&self) -> Result<(), DatastoreError> {
        self.meta.get(NEXT_ROW_ID).map_err(engine).map(|_| ())
    }

    fn close(&self) -> Result<(), DatastoreError> {
        let mut guard = self.wal.lock();
        let Some(wal) = guard.as_mut() else {
            return Ok(());
        };
        self.checkpoint(wal, &mut self.state.lock(), None)?;
        // Memtables to tables: the next open replays no journal, and disk use is final.
        for ks in [
            &self.blocks,
            &self.flushed,
            &self.rows,
            &self.metrics,
            &self.meta,
        ] {
            ks.rotate_memtable_and_wait().map_err(engine)?;
        }
        Ok(())
    }
}

impl EmbeddedStore {
    fn collect_tags(
        &self,
        pick: impl Fn((String, String)) -> String,
    ) -> Result<Vec<String>, DatastoreError> {
        let mut set = BTreeSet::new();
        for kv in self.rows.iter() {
            let key = kv.key().map_err(engine)?;
            let row = RowKey::decode(&key).map_err(|e| DatastoreError::Corrupt(e.to_string()))?;
            set.extend(row.tags.into_iter().map(&pick));
        }
        let mut out: Vec<String> = set.into_iter().collect();
        out.sort_by(|a, b| java_cmp(a, b));
        Ok(out)
    }
}

#[cfg(test)]
mod reader_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod wal_tests;
