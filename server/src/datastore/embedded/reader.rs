//! Streams one row's points: its blocks, merged with a snapshot of its buffer (which wins on
//! equal timestamps; an expired buffered point hides the older one like a Cassandra overwrite).

use std::collections::VecDeque;

use plugin_api::{DataPoint, Order, Value};

use super::block::{self, Cell, Columns, NEVER};
use crate::datastore::{DatastoreError, PointReader, ReadRange};

/// Points per batch handed to the query engine unless the engine asks for fewer.
const BATCH: usize = 512;

fn corrupt(e: block::BlockError) -> DatastoreError {
    DatastoreError::Corrupt(e.to_string())
}

fn live(c: &Cell, now: i64) -> bool {
    c.expiry == NEVER || c.expiry > now
}

fn point(timestamp: i64, value: Value) -> DataPoint {
    DataPoint { timestamp, value }
}

/// Reader over the blocks of one row and its buffer snapshot.
pub struct RowReader {
    iter: Option<fjall::Iter>,
    data_type: String,
    range: ReadRange,
    now_ms: i64,
    /// Buffered points in range, in read order.
    buffered: VecDeque<Cell>,
    /// The current block, decoded.
    block: Columns,
    /// The current block's points in range not read yet: `lo..hi`, read from `lo` up when
    /// ascending, from `hi` down when descending.
    lo: usize,
    hi: usize,
    emitted: u64,
    batch: usize,
}

impl RowReader {
    /// A reader that yields nothing.
    pub fn empty() -> Self {
        let range = ReadRange {
            start: 0,
            end: 0,
            order: Order::Asc,
            limit: 0,
            query: 0,
            rows: 0,
        };
        RowReader::new_inner(None, "", range, 0, Vec::new())
    }

    /// A reader over the blocks `iter` yields and `buffered` (ascending, in range).
    pub fn new(
        iter: fjall::Iter,
        data_type: &str,
        range: ReadRange,
        now_ms: i64,
        buffered: Vec<Cell>,
    ) -> Self {
        RowReader::new_inner(Some(iter), data_type, range, now_ms, buffered)
    }

    fn new_inner(
        iter: Option<fjall::Iter>,
        data_type: &str,
        range: ReadRange,
        now_ms: i64,
        mut buffered: Vec<Cell>,
    ) -> Self {
        if range.order == Order::Desc {
            buffered.reverse();
        }
        RowReader {
            iter,
            data_type: data_type.to_string(),
            range,
            now_ms,
            buffered: buffered.into(),
            block: Columns::default(),
            lo: 0,
            hi: 0,
            emitted: 0,
            batch: BATCH,
        }
    }

    fn asc(&self) -> bool {
        self.range.order == Order::Asc
    }

    /// Decodes the next block; false when no block is left.
    fn fill(&mut self) -> Result<bool, DatastoreError> {
        self.lo = 0;
        self.hi = 0;
        let Some(iter) = self.iter.as_mut() else {
            return Ok(false);
        };
        let next = match self.range.order {
            Order::Asc => iter.next(),
            Order::Desc => iter.next_back(),
        };
        let Some(guard) = next else {
            self.iter = None;
            return Ok(false);
        };
        let value = guard
            .value()
            .map_err(|e| DatastoreError::Engine(e.to_string()))?;
        self.block
            .decode(&self.data_type, &value)
            .map_err(corrupt)?;
        // Blocks are sorted: the points in range are one slice.
        let ts = &self.block.ts;
        self.lo = ts.partition_point(|&t| t < self.range.start);
        self.hi = ts.partition_point(|&t| t <= self.range.end);
        if self.lo > self.hi {
            self.lo = self.hi;
        }
        Ok(true)
    }

    /// Points of the current block not read yet.
    fn pending(&self) -> usize {
        self.hi - self.lo
    }

    /// Timestamp of the next pending point.
    fn pending_ts(&self) -> Option<i64> {
        match (self.pending(), self.asc()) {
            (0, _) => None,
            (_, true) => Some(self.block.ts[self.lo]),
            (_, false) => Some(self.block.ts[self.hi - 1]),
        }
    }

    /// Moves the next pending point out.
    fn take_pending(&mut self) -> Cell {
        let i = if self.asc() {
            self.lo += 1;
            self.lo - 1
        } else {
            self.hi -= 1;
            self.hi
        };
        self.block.take_cell(i)
    }

    /// Drops the next pending point (a buffered point replaces it).
    fn skip_pending(&mut self) {
        if self.asc() {
            self.lo += 1;
        } else {
            self.hi -= 1;
        }
    }

    /// The next point in read order, expired or not.
    fn next_cell(&mut self) -> Result<Option<Cell>, DatastoreError> {
        while self.pending() == 0 && self.fill()? {}
        let before = |a: i64, b: i64, order: Order| match order {
            Order::Asc => a < b,
            Order::Desc => a > b,
        };
        Ok(match (self.pending_ts(), self.buffered.front()) {
            (Some(p), Some(b)) if before(p, b.ts, self.range.order) => Some(self.take_pending()),
            (Some(p), Some(b)) if p == b.ts => {
                self.skip_pending();
                self.buffered.pop_front()
            }
            (_, Some(_)) => self.buffered.pop_front(),
            (Some(_), None) => Some(self.take_pending()),
            (None, None) => None,
        })
    }

    /// Appends `c` to `out` unless it expired; true when it was appended.
    fn emit(&mut self, c: Cell, out: &mut Vec<DataPoint>) -> bool {
        if !live(&c, self.now_ms) {
            return false;
        }
        out.push(point(c.ts, c.value));
        self.emitted += 1;
        true
    }

    /// Pending points before the next buffered one: they need no comparison each.
    fn clear_run(&self) -> usize {
        let rest = &self.block.ts[self.lo..self.hi];
        match (self.buffered.front(), self.range.order) {
            (None, _) => rest.len(),
            (Some(b), Order::Asc) => rest.partition_point(|&t| t < b.ts),
            (Some(b), Order::Desc) => rest.len() - rest.partition_point(|&t| t <= b.ts),
        }
    }

    /// Emits up to `want` of the next `run` pending points; returns how many were appended.
    fn emit_run(&mut self, run: usize, want: usize, out: &mut Vec<DataPoint>) -> usize {
        if self.block.all_expired(self.now_ms) {
            // Nothing of the run is live: skip it whole.
            if self.asc() {
                self.lo += run;
            } else {
                self.hi -= run;
            }
            return 0;
        }
        if self.block.all_live(self.now_ms) {
            let n = run.min(want);
            let (from, to) = if self.asc() {
                self.lo += n;
                (self.lo - n, self.lo)
            } else {
                self.hi -= n;
                (self.hi, self.hi + n)
            };
            self.block.take_range(from, to, !self.asc(), point, out);
            self.emitted += n as u64;
            return n;
        }
        let mut added = 0;
        for _ in 0..run {
            if added == want {
                break;
            }
            let c = self.take_pending();
            if self.emit(c, out) {
                added += 1;
            }
        }
        added
    }
}

impl PointReader for RowReader {
    fn set_batch_hint(&mut self, points: usize) {
        self.batch = points.clamp(1, BATCH);
    }

    fn next_batch(&mut self, out: &mut Vec<DataPoint>) -> Result<bool, DatastoreError> {
        let limit = if self.range.limit == 0 {
            u64::MAX
        } else {
            self.range.limit
        };
        let mut added = 0;
        while added < self.batch && self.emitted < limit {
            if self.pending() == 0 && self.iter.is_some() {
                self.fill()?;
                continue;
            }
            let run = self.clear_run();
            if run > 0 {
                let want =
                    (self.batch - added).min((limit - self.emitted).min(BATCH as u64) as usize);
                added += self.emit_run(run, want, out);
                continue;
            }
            let Some(c) = self.next_cell()? else {
                self.iter = None;
                return Ok(added > 0);
            };
            if self.emit(c, out) {
                added += 1;
            }
        }
        if self.emitted >= limit {
            self.iter = None;
            self.buffered.clear();
            self.lo = 0;
            self.hi = 0;
        }
        Ok(added > 0)
    }
}

/// Counts the live points in `range` (no limit) of the blocks `iter` yields and `buffered`
/// (ascending, in range), decoding only blocks that are partly in range, may hold expired
/// points, or share timestamps with the buffer.
pub fn count(
    iter: fjall::Iter,
    data_type: &str,
    range: &ReadRange,
    now: i64,
    buffered: &[Cell],
) -> Result<u64, DatastoreError> {
    let mut n = buffered.iter().filter(|c| live(c, now)).count() as u64;
    let mut scratch = Vec::new();
    for guard in iter {
        let (key, value) = guard
            .into_inner()
            .map_err(|e| DatastoreError::Engine(e.to_string()))?;
        let first = block::key_ts(&key).map_err(corrupt)?;
        let h = block::header(&value).map_err(corrupt)?;
        let lo = buffered.partition_point(|c| c.ts < first);
        let touches_buffer = buffered.get(lo).is_some_and(|c| c.ts <= h.last_ts);
        if first >= range.start && h.last_ts <= range.end && h.min_expiry > now && !touches_buffer {
            n += h.n as u64;
            continue;
        }
        scratch.clear();
        block::decode(data_type, &value, &mut scratch).map_err(corrupt)?;
        n += scratch
            .iter()
            .filter(|c| c.ts >= range.start && c.ts <= range.end && live(c, now))
            .filter(|c| buffered.binary_search_by_key(&c.ts, |b| b.ts).is_err())
            .count() as u64;
    }
    Ok(n)
}
