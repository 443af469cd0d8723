//! Streams one row's points out of the `points` keyspace in batches.

use plugin_api::{DataPoint, Order};

use super::record;
use crate::datastore::column_name::RowSpec;
use crate::datastore::{DatastoreError, PointReader, ReadRange, RowKey};

/// Points per batch handed to the query engine.
const BATCH: usize = 4096;

/// Reader over a key range of one row.
pub struct RowReader {
    iter: Option<fjall::Iter>,
    row: RowKey,
    spec: RowSpec,
    range: ReadRange,
    now_ms: i64,
    emitted: u64,
}

impl RowReader {
    /// A reader that yields nothing.
    pub fn empty() -> Self {
        RowReader {
            iter: None,
            row: RowKey::new("", 0, "", &[]),
            spec: RowSpec::default(),
            range: ReadRange {
                start: 0,
                end: 0,
                order: Order::Asc,
                limit: 0,
            },
            now_ms: 0,
            emitted: 0,
        }
    }

    /// A reader over `iter`, whose keys all belong to `row`.
    pub fn new(
        iter: fjall::Iter,
        row: RowKey,
        spec: RowSpec,
        range: ReadRange,
        now_ms: i64,
    ) -> Self {
        RowReader {
            iter: Some(iter),
            row,
            spec,
            range,
            now_ms,
            emitted: 0,
        }
    }

    fn next_guard(&mut self) -> Option<fjall::Guard> {
        let iter = self.iter.as_mut()?;
        match self.range.order {
            Order::Asc => iter.next(),
            Order::Desc => iter.next_back(),
        }
    }
}

impl PointReader for RowReader {
    fn next_batch(&mut self, out: &mut Vec<DataPoint>) -> Result<bool, DatastoreError> {
        let limit = if self.range.limit == 0 {
            u64::MAX
        } else {
            self.range.limit
        };
        let mut added = 0;
        while added < BATCH && self.emitted < limit {
            let Some(guard) = self.next_guard() else {
                self.iter = None;
                return Ok(added > 0);
            };
            let (key, value) = guard
                .into_inner()
                .map_err(|e| DatastoreError::Engine(e.to_string()))?;
            let column: [u8; 4] = key
                .get(8..12)
                .and_then(|c| c.try_into().ok())
                .ok_or_else(|| DatastoreError::Corrupt("short point key".into()))?;
            let timestamp = self.spec.column_timestamp(self.row.row_time, column);
            let decoded = record::decode(&self.row.data_type, &value, self.now_ms)
                .map_err(|e| DatastoreError::Corrupt(e.to_string()))?;
            if let Some(value) = decoded {
                out.push(DataPoint { timestamp, value });
                added += 1;
                self.emitted += 1;
            }
        }
        if self.emitted >= limit {
            self.iter = None;
        }
        Ok(added > 0)
    }
}
