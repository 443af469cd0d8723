//! Write side of the embedded store: row ids, per-row buffers, block flushes, checkpoints.
//!
//! An accepted batch is synced to the write-ahead log, then its points go to per-row buffers.
//! A buffer becomes blocks when it holds [`BLOCK_POINTS`] points, or at a checkpoint (the log
//! grew past [`MAX_CLOSED_SEGMENTS`] closed segments, or buffers hold [`MAX_BUFFERED`] points).
//! A flush writes the row's blocks and its flushed seq in one fjall batch; replay skips the
//! log records a row already has in blocks.

use std::collections::HashSet;

use fjall::OwnedWriteBatch;
use protocols::SeriesPoints;

use super::block::{self, Cell, BLOCK_POINTS, NEVER};
use super::state::{State, Tail};
use super::wal::Wal;
use super::{engine, EmbeddedStore, NEXT_ROW_ID};
use crate::datastore::value_codec;
use crate::datastore::{DatastoreError, RowKey};

/// Buffered points across all rows that force a checkpoint.
pub const MAX_BUFFERED: usize = 2_000_000;
/// Buffered rows that force a checkpoint (a buffer costs ~100 bytes even when nearly empty).
pub const MAX_BUFFERED_ROWS: usize = 200_000;
/// Points flushed per write, at least, while over a soft limit.
const SLICE_POINTS: usize = 50_000;
/// Closed log segments that force a checkpoint.
pub const MAX_CLOSED_SEGMENTS: usize = 2;

impl EmbeddedStore {
    /// Adds an accepted batch (log record `seq`, accepted at `now`) to the buffers; during
    /// replay, skips rows whose blocks already hold `seq`.
    pub(super) fn apply(
        &self,
        st: &mut State,
        batch: &[SeriesPoints],
        now: i64,
        seq: u64,
        replay: bool,
    ) -> Result<Vec<u64>, DatastoreError> {
        let mut full = Vec::new();
        for series in batch {
            let expiry = if series.ttl > 0 {
                now.saturating_add(series.ttl.saturating_mul(1000))
            } else {
                NEVER
            };
            let mut last: Option<(&'static str, i64, u64, bool)> = None;
            for p in &series.points {
                let data_type = value_codec::data_type(&p.value);
                let row_time = self.spec.row_time(p.timestamp);
                let (id, skip) = match last {
                    Some((t, rt, id, skip)) if t == data_type && rt == row_time => (id, skip),
                    _ => {
                        let id = self.row_of(st, series, row_time, data_type)?;
                        let skip = replay && self.flushed_seq(st, id)? >= seq;
                        last = Some((data_type, row_time, id, skip));
                        (id, skip)
                    }
                };
                if skip {
                    continue;
                }
                let buf = st.buf_for(id, seq, data_type);
                if buf.cells.ts().last().is_some_and(|&l| l >= p.timestamp) {
                    buf.sorted = false;
                }
                buf.last_seq = seq;
                buf.cells.push(p.timestamp, &p.value, expiry);
                if buf.cells.len() == BLOCK_POINTS {
                    full.push(id);
                }
                st.buffered += 1;
            }
        }
        Ok(full)
    }

    fn flushed_seq(&self, st: &mut State, id: u64) -> Result<u64, DatastoreError> {
        if let Some(s) = st.replay_flushed.get(&id) {
            return Ok(*s);
        }
        let s = match self.flushed.get(id.to_be_bytes()).map_err(engine)? {
            Some(v) => u64::from_le_bytes(
                v.as_ref()
                    .try_into()
                    .map_err(|_| DatastoreError::Corrupt("bad flushed seq".into()))?,
            ),
            None => 0,
        };
        st.replay_flushed.insert(id, s);
        Ok(s)
    }

    /// The id of the row of `series` at `row_time` for `data_type`, registering it when new.
    fn row_of(
        &self,
        st: &mut State,
        series: &SeriesPoints,
        row_time: i64,
        data_type: &'static str,
    ) -> Result<u64, DatastoreError> {
        let (h, known) = st.known_row(series, row_time, data_type);
        if let Some(id) = known {
            return Ok(id);
        }
        let row = RowKey {
            metric: series.metric.clone(),
            row_time,
            data_type: data_type.to_string(),
            tags: series.tags.clone(),
        };
        let id = self.resolve(st, row)?;
        st.remember_row(h, series, row_time, data_type, id);
        Ok(id)
    }

    /// The id of a row, registering the row (and its metric) when new.
    fn resolve(&self, st: &mut State, row: RowKey) -> Result<u64, DatastoreError> {
        let key = row.encode();
        let metric = row.metric.as_str();
        let id = match self.rows.get(&key).map_err(engine)? {
            Some(v) => u64::from_be_bytes(
                v.as_ref()
                    .try_into()
                    .map_err(|_| DatastoreError::Corrupt("bad row id".into()))?,
            ),
            None => {
                // Unsynced: the log replay registers the row again if these are lost.
                let id = st.next_id;
                st.next_id += 1;
                let mut wb = self.db.batch();
                wb.insert(&self.rows, key.clone(), id.to_be_bytes().to_vec());
                wb.insert(
                    &self.meta,
                    NEXT_ROW_ID.to_vec(),
                    st.next_id.to_be_bytes().to_vec(),
                );
                if !st.metrics.contains(metric) {
                    wb.insert(&self.metrics, metric.as_bytes().to_vec(), Vec::new());
                    st.metrics.insert(metric.to_string());
                }
                wb.commit().map_err(engine)?;
                self.row_cache.added(row);
                id
            }
        };
        Ok(id)
    }

    /// Flushes full rows and rotates the log. Past the soft limits (log segments, buffered
    /// points or rows) it flushes the oldest buffers a slice per write, so the log shrinks
    /// without stalling a request; past twice those limits it checkpoints everything at once.
    pub(super) fn maintain(
        &self,
        wal: &mut Wal,
        st: &mut State,
        full: Vec<u64>,
        added: usize,
    ) -> Result<(), DatastoreError> {
        let now = super::now_ms();
        if !full.is_empty() {
            let mut wb = self.db.batch();
            for id in full {
                self.flush_row(st, id, now, &mut wb)?;
            }
            wb.commit().map_err(engine)?;
        }
        let rotated = wal.wants_rotation();
        if rotated {
            wal.rotate().map_err(engine)?;
        }
        let over = |k: usize| {
            st.buffered > k * MAX_BUFFERED
                || st.bufs.len() > k * MAX_BUFFERED_ROWS
                || wal.closed_count() > k * MAX_CLOSED_SEGMENTS
        };
        if over(2) {
            tracing::debug!(
                buffered = st.buffered,
                rows = st.bufs.len(),
                segments = wal.closed_count(),
                "checkpoint"
            );
            return self.checkpoint(wal, st, None);
        }
        let mut flushed_old = false;
        if over(1) {
            // Twice what this write added, so the backlog shrinks.
            let budget = (2 * added).max(SLICE_POINTS);
            let mut done = 0;
            let mut wb = self.db.batch();
            while done < budget {
                let Some(&(seq, id)) = st.oldest.first() else {
                    break;
                };
                let Some(n) = st.bufs.get(&id).map(|b| b.cells.len()) else {
                    st.oldest.remove(&(seq, id));
                    continue;
                };
                done += n;
                self.flush_row(st, id, now, &mut wb)?;
            }
            wb.commit().map_err(engine)?;
            flushed_old = true;
        }
        if (rotated || flushed_old) && wal.closed_count() > 0 {
            let low = st.oldest_seq().unwrap_or(wal.next_seq());
            if wal.droppable(low) {
                self.persist()?;
                wal.drop_before(low).map_err(engine)?;
            }
        }
        Ok(())
    }

    /// Flushes every buffer holding points logged before `cutoff` (none: every buffer, after
    /// starting a new log segment), makes the blocks durable and drops the log segments they
    /// cover.
    pub(super) fn checkpoint(
        &self,
        wal: &mut Wal,
        st: &mut State,
        cutoff: Option<u64>,
    ) -> Result<(), DatastoreError> {
        let cutoff = match cutoff {
            Some(c) => c,
            None => {
                wal.rotate().map_err(engine)?;
                wal.active_start()
            }
        };
        let ids: Vec<u64> = st
            .oldest
            .iter()
            .take_while(|(seq, _)| *seq < cutoff)
            .map(|(_, id)| *id)
            .collect();
        let now = super::now_ms();
        for chunk in ids.chunks(4096) {
            let mut wb = self.db.batch();
            for id in chunk {
                self.flush_row(st, *id, now, &mut wb)?;
            }
            wb.commit().map_err(engine)?;
        }
        self.persist()?;
        wal.drop_before(cutoff).map_err(engine)
    }

    /// Moves the buffer of row `id` into blocks (merging with blocks it overlaps; its points
    /// win on equal timestamps), staged in `wb`.
    pub(super) fn flush_row(
        &self,
        st: &mut State,
        id: u64,
        now: i64,
        wb: &mut OwnedWriteBatch,
    ) -> Result<(), DatastoreError> {
        let Some(mut buf) = st.take_buf(id) else {
            return Ok(());
        };
        buf.normalize();
        let (Some(&a), Some(&b)) = (buf.cells.ts().first(), buf.cells.ts().last()) else {
            return Ok(());
        };
        let tail = match st.tails.get(&id) {
            Some(t) => *t,
            None => match self.blocks.prefix(id.to_be_bytes()).next_back() {
                Some(g) => {
                    let h = block::header(&g.value().map_err(engine)?).map_err(corrupt)?;
                    Tail {
                        last_ts: h.last_ts,
                        n: h.n,
                    }
                }
                None => Tail {
                    last_ts: i64::MIN,
                    n: 0,
                },
            },
        };
        // A small last block (left by a checkpoint) takes the new points in, so rows that
        // fill slowly still end up in full blocks.
        let absorb = tail.last_ts < a && tail.n > 0 && tail.n < BLOCK_POINTS / 2;
        let mut cells = buf.cells.into_cells();
        let mut old_keys = Vec::new();
        if tail.last_ts >= a || absorb {
            let mut old: Vec<Vec<Cell>> = Vec::new();
            let lo = block::key(id, i64::MIN).to_vec();
            let hi = block::key(id, b).to_vec();
            for g in self.blocks.range(lo..=hi).rev() {
                let (k, v) = g.into_inner().map_err(engine)?;
                if block::header(&v).map_err(corrupt)?.last_ts < a && !(absorb && old.is_empty()) {
                    break;
                }
                let mut cs = Vec::new();
                block::decode(buf.data_type, &v, &mut cs).map_err(corrupt)?;
                old.push(cs);
                old_keys.push(k);
            }
            old.reverse();
            cells = merge(old.into_iter().flatten().collect(), cells);
        }
        cells.retain(|c| c.expiry == NEVER || c.expiry > now);
        let mut new_keys = HashSet::new();
        let mut bytes = Vec::new();
        for chunk in cells.chunks(BLOCK_POINTS) {
            bytes.clear();
            block::encode(chunk, &mut bytes).map_err(corrupt)?;
            let k = block::key(id, chunk[0].ts);
            new_keys.insert(k);
            wb.insert(&self.blocks, k.to_vec(), bytes.clone());
        }
        for k in old_keys {
            if !new_keys.contains(k.as_ref()) {
                wb.remove(&self.blocks, k);
            }
        }
        wb.insert(
            &self.flushed,
            id.to_be_bytes().to_vec(),
            buf.last_seq.to_le_bytes().to_vec(),
        );
        if b >= tail.last_ts {
            let n = match cells.len() % BLOCK_POINTS {
                0 if cells.is_empty() => 0,
                0 => BLOCK_POINTS,
                r => r,
            };
            st.tails.insert(id, Tail { last_ts: b, n });
        }
        Ok(())
    }
}

/// Merges two sorted, distinct runs; `new` wins on equal timestamps.
pub fn merge(old: Vec<Cell>, new: Vec<Cell>) -> Vec<Cell> {
    let mut out = Vec::with_capacity(old.len() + new.len());
    let mut o = old.into_iter().peekable();
    let mut n = new.into_iter().peekable();
    loop {
        match (o.peek(), n.peek()) {
            (Some(x), Some(y)) if x.ts < y.ts => out.extend(o.next()),
            (Some(x), Some(y)) if x.ts == y.ts => {
                o.next();
                out.extend(n.next());
            }
            (_, Some(_)) => out.extend(n.next()),
            (Some(_), None) => out.extend(o.next()),
            (None, None) => return out,
        }
    }
}

fn corrupt(e: block::BlockError) -> DatastoreError {
    DatastoreError::Corrupt(e.to_string())
}
