//! The embedded datastore: a local fjall (LSM) database, durable across restarts and crashes.
//!
//! Layout (one fjall keyspace each):
//! - `rows`: Cassandra row key bytes (shared encoding, [`super::row_key`]) → row id (u64 BE);
//! - `points`: row id (8 bytes) + Cassandra column name (4 bytes) → point record
//!   ([`record`]: expiry header + the Cassandra value encoding);
//! - `metrics`: metric name → empty;
//! - `meta`: `next_row_id` and the layout version.

mod reader;
mod record;
mod writer;

use std::collections::BTreeSet;
use std::path::Path;

use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode};
use parking_lot::Mutex;
use protocols::{java_cmp, SeriesPoints};

use super::column_name::RowSpec;
use super::{Datastore, DatastoreError, PointReader, ReadRange, RowKey, TagFilter};
use reader::RowReader;
use writer::WriteState;

/// Key in `meta` of the next free row id.
const NEXT_ROW_ID: &[u8] = b"next_row_id";

/// The embedded store.
pub struct EmbeddedStore {
    db: Database,
    rows: Keyspace,
    points: Keyspace,
    metrics: Keyspace,
    meta: Keyspace,
    spec: RowSpec,
    state: Mutex<WriteState>,
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
    /// Opens (or creates) the store in `dir`, replaying its journal after a crash.
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
        let ks = |name: &str| {
            db.keyspace(name, KeyspaceCreateOptions::default)
                .map_err(engine)
        };
        let (rows, points, metrics, meta) =
            (ks("rows")?, ks("points")?, ks("metrics")?, ks("meta")?);
        let next_id = match meta.get(NEXT_ROW_ID).map_err(engine)? {
            Some(v) => u64::from_be_bytes(
                v.as_ref()
                    .try_into()
                    .map_err(|_| DatastoreError::Corrupt("bad next_row_id".into()))?,
            ),
            None => 1,
        };
        Ok(EmbeddedStore {
            db,
            rows,
            points,
            metrics,
            meta,
            spec: RowSpec::default(),
            state: Mutex::new(WriteState::new(next_id)),
        })
    }

    /// The id of a stored row, if the row exists.
    fn row_id(&self, row: &RowKey) -> Result<Option<u64>, DatastoreError> {
        let key = row.encode();
        if let Some(id) = self.state.lock().cached_id(&key) {
            return Ok(Some(id));
        }
        Ok(self
            .rows
            .get(&key)
            .map_err(engine)?
            .and_then(|v| v.as_ref().try_into().ok().map(u64::from_be_bytes)))
    }

    /// Key range in `points` for `range` within `row`.
    fn key_bounds(&self, id: u64, row: &RowKey, range: &ReadRange) -> Option<([u8; 12], [u8; 12])> {
        let width = self.spec.width_millis();
        let first = range.start.max(row.row_time);
        let last = range.end.min(row.row_time.saturating_add(width - 1));
        if first > last {
            return None;
        }
        Some((
            point_key(id, self.spec.column_name(row.row_time, first)),
            point_key(id, self.spec.column_name(row.row_time, last)),
        ))
    }

    fn persist(&self) -> Result<(), DatastoreError> {
        self.db.persist(PersistMode::SyncData).map_err(engine)
    }
}

/// `points` key: row id then column name.
fn point_key(id: u64, column: [u8; 4]) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..8].copy_from_slice(&id.to_be_bytes());
    k[8..].copy_from_slice(&column);
    k
}

impl Datastore for EmbeddedStore {
    fn write(&self, batch: &[SeriesPoints]) -> Result<(), DatastoreError> {
        let mut state = self.state.lock();
        let mut wb = self.db.batch();
        let staged = state.stage(self, &mut wb, batch)?;
        wb.commit().map_err(engine)?;
        self.persist()?;
        state.commit(staged);
        Ok(())
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
        let mut prefix = metric.as_bytes().to_vec();
        prefix.push(0);
        let mut rows = Vec::new();
        for kv in self.rows.prefix(&prefix) {
            let key = kv.key().map_err(engine)?;
            let row = RowKey::decode(&key).map_err(|e| DatastoreError::Corrupt(e.to_string()))?;
            // A row holds timestamps in [row_time, row_time + width).
            if row.row_time > end || row.row_time.saturating_add(width) <= start {
                continue;
            }
            if filter.matches(&row.tags) {
                rows.push(row);
            }
        }
        Ok(rows)
    }

    fn count_points(&self, row: &RowKey, range: &ReadRange) -> Result<u64, DatastoreError> {
        let Some(id) = self.row_id(row)? else {
            return Ok(0);
        };
        let Some((lo, hi)) = self.key_bounds(id, row, range) else {
            return Ok(0);
        };
        let limit = if range.limit == 0 {
            u64::MAX
        } else {
            range.limit
        };
        let now = now_ms();
        let iter = self.points.range(lo..=hi);
        // Counted in read order: with a limit, expired points decide which ones count.
        let iter: Box<dyn Iterator<Item = fjall::Guard>> = match range.order {
            plugin_api::Order::Asc => Box::new(iter),
            plugin_api::Order::Desc => Box::new(iter.rev()),
        };
        let mut n = 0u64;
        for guard in iter {
            if n >= limit {
                break;
            }
            let (_, value) = guard.into_inner().map_err(engine)?;
            if record::is_live(&value, now) {
                n += 1;
            }
        }
        Ok(n)
    }

    fn read_points(
        &self,
        row: &RowKey,
        range: &ReadRange,
    ) -> Result<Box<dyn PointReader>, DatastoreError> {
        let Some(id) = self.row_id(row)? else {
            return Ok(Box::new(RowReader::empty()));
        };
        let Some((lo, hi)) = self.key_bounds(id, row, range) else {
            return Ok(Box::new(RowReader::empty()));
        };
        let iter = self.points.range(lo..=hi);
        Ok(Box::new(RowReader::new(
            iter,
            row.clone(),
            self.spec,
            *range,
            now_ms(),
        )))
    }

    fn delete(
        &self,
        metric: &str,
        start: i64,
        end: i64,
        filter: &TagFilter,
    ) -> Result<(), DatastoreError> {
        let rows = self.find_rows(metric, start, end, filter)?;
        let mut state = self.state.lock();
        let range = ReadRange {
            start,
            end,
            order: plugin_api::Order::Asc,
            limit: 0,
        };
        for row in &rows {
            let Some(id) = self.row_id_locked(&state, row)? else {
                continue;
            };
            if let Some((lo, hi)) = self.key_bounds(id, row, &range) {
                let mut wb = self.db.batch();
                for kv in self.points.range(lo..=hi) {
                    wb.remove(&self.points, kv.key().map_err(engine)?);
                    if wb.len() >= 100_000 {
                        std::mem::replace(&mut wb, self.db.batch())
                            .commit()
                            .map_err(engine)?;
                    }
                }
                wb.commit().map_err(engine)?;
            }
            if self.points.prefix(id.to_be_bytes()).next().is_none() {
                self.rows.remove(row.encode()).map_err(engine)?;
                state.forget_row(&row.encode());
            }
        }
        let mut prefix = metric.as_bytes().to_vec();
        prefix.push(0);
        if self.rows.prefix(&prefix).next().is_none() {
            self.metrics.remove(metric.as_bytes()).map_err(engine)?;
            state.forget_metric(metric);
        }
        self.persist()
    }

    fn check_health(&self) -> Result<(), DatastoreError> {
        self.meta.get(NEXT_ROW_ID).map_err(engine).map(|_| ())
    }

    fn close(&self) -> Result<(), DatastoreError> {
        self.persist()
    }
}

impl EmbeddedStore {
    fn row_id_locked(
        &self,
        state: &WriteState,
        row: &RowKey,
    ) -> Result<Option<u64>, DatastoreError> {
        let key = row.encode();
        if let Some(id) = state.cached_id(&key) {
            return Ok(Some(id));
        }
        Ok(self
            .rows
            .get(&key)
            .map_err(engine)?
            .and_then(|v| v.as_ref().try_into().ok().map(u64::from_be_bytes)))
    }

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
mod tests;
