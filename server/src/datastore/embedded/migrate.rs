//! Converts a store of the first embedded layout (`points`: row id + column name → one
//! record per point) into blocks, then drops the old keyspace. Rerunnable after a crash: the
//! old keyspace goes only once every block is durable, and rewriting a block is idempotent.

use std::collections::HashMap;

use fjall::KeyspaceCreateOptions;

use super::block::{self, Cell, BLOCK_POINTS};
use super::{engine, record, EmbeddedStore};
use crate::datastore::value_codec;
use crate::datastore::{DatastoreError, RowKey};

impl EmbeddedStore {
    /// Migrates the old `points` keyspace, when there is one.
    pub(super) fn migrate_points(&self) -> Result<(), DatastoreError> {
        if !self.db.keyspace_exists("points") {
            return Ok(());
        }
        let points = self
            .db
            .keyspace("points", KeyspaceCreateOptions::default)
            .map_err(engine)?;
        let mut rows: HashMap<u64, RowKey> = HashMap::new();
        for kv in self.rows.iter() {
            let (k, v) = kv.into_inner().map_err(engine)?;
            let row = RowKey::decode(&k).map_err(|e| DatastoreError::Corrupt(e.to_string()))?;
            if let Ok(b) = v.as_ref().try_into() {
                rows.insert(u64::from_be_bytes(b), row);
            }
        }
        let mut cur: Option<u64> = None;
        let mut cells: Vec<Cell> = Vec::new();
        let mut migrated = 0u64;
        let mut wb = self.db.batch();
        for kv in points.iter() {
            let (k, v) = kv.into_inner().map_err(engine)?;
            let (Some(id), Some(column)) = (
                k.get(..8)
                    .and_then(|b| b.try_into().ok())
                    .map(u64::from_be_bytes),
                k.get(8..12).and_then(|b| <[u8; 4]>::try_from(b).ok()),
            ) else {
                return Err(DatastoreError::Corrupt("short point key".into()));
            };
            if cur != Some(id) {
                if let Some(prev) = cur {
                    self.stage_blocks(prev, &mut cells, &mut wb)?;
                }
                cur = Some(id);
            }
            let Some(row) = rows.get(&id) else {
                continue;
            };
            let (expiry, bytes) =
                record::split(&v).map_err(|e| DatastoreError::Corrupt(e.into()))?;
            let value = value_codec::decode(&row.data_type, bytes)
                .map_err(|e| DatastoreError::Corrupt(e.to_string()))?;
            let ts = self.spec.column_timestamp(row.row_time, column);
            cells.push(Cell { ts, value, expiry });
            migrated += 1;
            if wb.len() >= 10_000 {
                std::mem::replace(&mut wb, self.db.batch())
                    .commit()
                    .map_err(engine)?;
            }
        }
        if let Some(prev) = cur {
            self.stage_blocks(prev, &mut cells, &mut wb)?;
        }
        wb.commit().map_err(engine)?;
        self.persist()?;
        self.db.delete_keyspace(points).map_err(engine)?;
        self.persist()?;
        tracing::info!(
            points = migrated,
            "embedded store migrated to compressed blocks"
        );
        Ok(())
    }

    fn stage_blocks(
        &self,
        id: u64,
        cells: &mut Vec<Cell>,
        wb: &mut fjall::OwnedWriteBatch,
    ) -> Result<(), DatastoreError> {
        cells.sort_by_key(|c| c.ts);
        let mut bytes = Vec::new();
        for chunk in cells.chunks(BLOCK_POINTS) {
            bytes.clear();
            block::encode(chunk, &mut bytes).map_err(|e| DatastoreError::Corrupt(e.to_string()))?;
            wb.insert(
                &self.blocks,
                block::key(id, chunk[0].ts).to_vec(),
                bytes.clone(),
            );
        }
        cells.clear();
        Ok(())
    }
}
