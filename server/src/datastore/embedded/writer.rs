//! Write-side state of the embedded store: row ids, known metric names, and staging of a
//! batch so caches change only after the batch is durable.

use std::collections::{HashMap, HashSet};

use protocols::SeriesPoints;

use super::{engine, now_ms, point_key, record, EmbeddedStore, NEXT_ROW_ID};
use crate::datastore::value_codec;
use crate::datastore::{DatastoreError, RowKey};

/// Caches guarded by the store's write lock.
pub struct WriteState {
    ids: HashMap<Vec<u8>, u64>,
    metrics: HashSet<String>,
    next_id: u64,
}

/// What a staged batch adds to the caches once committed.
pub struct Staged {
    ids: Vec<(Vec<u8>, u64)>,
    metrics: Vec<String>,
    next_id: u64,
}

impl WriteState {
    /// State for a store whose next free row id is `next_id`.
    pub fn new(next_id: u64) -> Self {
        WriteState {
            ids: HashMap::new(),
            metrics: HashSet::new(),
            next_id,
        }
    }

    /// The cached id of an encoded row key.
    pub fn cached_id(&self, key: &[u8]) -> Option<u64> {
        self.ids.get(key).copied()
    }

    /// Drops a deleted row from the cache.
    pub fn forget_row(&mut self, key: &[u8]) {
        self.ids.remove(key);
    }

    /// Drops a deleted metric from the cache.
    pub fn forget_metric(&mut self, metric: &str) {
        self.metrics.remove(metric);
    }

    /// Adds every point of `batch` to `wb`, allocating rows and names as needed.
    pub fn stage(
        &self,
        store: &EmbeddedStore,
        wb: &mut fjall::OwnedWriteBatch,
        batch: &[SeriesPoints],
    ) -> Result<Staged, DatastoreError> {
        let mut staged = Staged {
            ids: Vec::new(),
            metrics: Vec::new(),
            next_id: self.next_id,
        };
        let mut local: HashMap<Vec<u8>, u64> = HashMap::new();
        let now = now_ms();
        let mut value = Vec::with_capacity(32);
        for series in batch {
            if series.metric.contains('\0') {
                return Err(DatastoreError::Rejected(format!(
                    "cannot store metric {:?}: the name contains NUL",
                    series.metric
                )));
            }
            let expiry =
                (series.ttl > 0).then(|| now.saturating_add(series.ttl.saturating_mul(1000)));
            // Row keys of this series by (data type, row time); most series hit one or two.
            let mut last: Option<(&'static str, i64, u64)> = None;
            for p in &series.points {
                let data_type = value_codec::data_type(&p.value);
                let row_time = store.spec.row_time(p.timestamp);
                let id = match last {
                    Some((t, rt, id)) if t == data_type && rt == row_time => id,
                    _ => {
                        let key = RowKey {
                            metric: series.metric.clone(),
                            row_time,
                            data_type: data_type.to_string(),
                            tags: series.tags.clone(),
                        }
                        .encode();
                        let id =
                            self.resolve(store, wb, &mut staged, &mut local, key, &series.metric)?;
                        last = Some((data_type, row_time, id));
                        id
                    }
                };
                value.clear();
                record::encode(&p.value, expiry, &mut value)
                    .map_err(|e| DatastoreError::Rejected(e.to_string()))?;
                wb.insert(
                    &store.points,
                    point_key(id, store.spec.column_name(row_time, p.timestamp)).to_vec(),
                    value.clone(),
                );
            }
        }
        if staged.next_id != self.next_id {
            wb.insert(
                &store.meta,
                NEXT_ROW_ID.to_vec(),
                staged.next_id.to_be_bytes().to_vec(),
            );
        }
        Ok(staged)
    }

    fn resolve(
        &self,
        store: &EmbeddedStore,
        wb: &mut fjall::OwnedWriteBatch,
        staged: &mut Staged,
        local: &mut HashMap<Vec<u8>, u64>,
        key: Vec<u8>,
        metric: &str,
    ) -> Result<u64, DatastoreError> {
        if let Some(id) = self.ids.get(&key).or_else(|| local.get(&key)) {
            return Ok(*id);
        }
        let id = match store.rows.get(&key).map_err(engine)? {
            Some(v) => u64::from_be_bytes(
                v.as_ref()
                    .try_into()
                    .map_err(|_| DatastoreError::Corrupt("bad row id".into()))?,
            ),
            None => {
                let id = staged.next_id;
                staged.next_id += 1;
                wb.insert(&store.rows, key.clone(), id.to_be_bytes().to_vec());
                if !self.metrics.contains(metric) && !staged.metrics.iter().any(|m| m == metric) {
                    wb.insert(&store.metrics, metric.as_bytes().to_vec(), Vec::new());
                    staged.metrics.push(metric.to_string());
                }
                id
            }
        };
        local.insert(key.clone(), id);
        staged.ids.push((key, id));
        Ok(id)
    }

    /// Applies a staged batch to the caches after it became durable.
    pub fn commit(&mut self, staged: Staged) {
        self.ids.extend(staged.ids);
        self.metrics.extend(staged.metrics);
        self.next_id = staged.next_id;
    }
}
