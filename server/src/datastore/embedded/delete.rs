//! Deletes by time range and tags: drops the blocks inside the range, rewrites the blocks it
//! cuts, then forgets the rows and metric name left empty.

use plugin_api::Order;

use super::block;
use super::{engine, EmbeddedStore};
use crate::datastore::{Datastore, DatastoreError, ReadRange, TagFilter};

fn corrupt(e: block::BlockError) -> DatastoreError {
    DatastoreError::Corrupt(e.to_string())
}

impl EmbeddedStore {
    /// Deletes the points of `metric` in `[start, end]` matching `filter`.
    pub(super) fn delete_points(
        &self,
        metric: &str,
        start: i64,
        end: i64,
        filter: &TagFilter,
    ) -> Result<(), DatastoreError> {
        let rows = self.find_rows(metric, start, end, filter)?;
        let mut guard = self.wal.lock();
        let wal = guard
            .as_mut()
            .ok_or_else(|| engine("the store is closed"))?;
        let mut st = self.state.lock();
        // Every buffered point goes to blocks and the log is emptied first: no log record may
        // predate the delete, or a replay would bring deleted points back.
        self.checkpoint(wal, &mut st, None)?;
        let range = ReadRange {
            start,
            end,
            order: Order::Asc,
            limit: 0,
            query: 0,
            rows: 0,
        };
        let mut cells = Vec::new();
        let mut bytes = Vec::new();
        for row in &rows {
            let key = row.encode();
            let id = match self.rows.get(&key).map_err(engine)? {
                Some(v) => match v.as_ref().try_into() {
                    Ok(b) => u64::from_be_bytes(b),
                    Err(_) => return Err(DatastoreError::Corrupt("bad row id".into())),
                },
                None => continue,
            };
            if let Some((lo, hi)) = self.clamp(row, &range) {
                let mut wb = self.db.batch();
                for g in self.block_iter(id, lo, hi)? {
                    let (k, v) = g.into_inner().map_err(engine)?;
                    let first = block::key_ts(&k).map_err(corrupt)?;
                    let h = block::header(&v).map_err(corrupt)?;
                    if first >= lo && h.last_ts <= hi {
                        wb.remove(&self.blocks, k);
                        continue;
                    }
                    cells.clear();
                    block::decode(&row.data_type, &v, &mut cells).map_err(corrupt)?;
                    cells.retain(|c| c.ts < lo || c.ts > hi);
                    let Some(new_first) = cells.first().map(|c| c.ts) else {
                        wb.remove(&self.blocks, k);
                        continue;
                    };
                    if new_first != first {
                        wb.remove(&self.blocks, k);
                    }
                    bytes.clear();
                    block::encode(&cells, &mut bytes).map_err(corrupt)?;
                    wb.insert(
                        &self.blocks,
                        block::key(id, new_first).to_vec(),
                        bytes.clone(),
                    );
                }
                wb.commit().map_err(engine)?;
            }
            if self.blocks.prefix(id.to_be_bytes()).next().is_none() {
                self.rows.remove(key.clone()).map_err(engine)?;
                self.flushed.remove(id.to_be_bytes()).map_err(engine)?;
                st.forget_row(id);
                self.row_cache.invalidate(metric);
            }
        }
        let mut prefix = metric.as_bytes().to_vec();
        prefix.push(0);
        if self.rows.prefix(&prefix).next().is_none() {
            self.metrics.remove(metric.as_bytes()).map_err(engine)?;
            st.forget_metric(metric);
        }
        self.persist()
    }
}
