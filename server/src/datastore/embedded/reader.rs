//! Streams one row's points: its blocks, merged with a snapshot of its buffer (which wins on
//! equal timestamps; an expired buffered point hides the older one like a Cassandra overwrite).

use std::collections::VecDeque;

use plugin_api::{DataPoint, Order, Value};

use super::block::{self, Cell, NEVER};
use crate::datastore::{DatastoreError, PointReader, ReadRange};

/// Points per batch handed to the query engine unless the engine asks for fewer.
const BATCH: usize = 512;

fn corrupt(e: block::BlockError) -> DatastoreError {
    DatastoreError::Corrupt(e.to_string())
}

fn live(c: &Cell, now: i64) -> bool {
    c.expiry == NEVER || c.expiry > now
}

/// Reader over the blocks of one row and its buffer snapshot.
pub struct RowReader {
    iter: Option<fjall::Iter>,
    data_type: String,
    range: ReadRange,
    now_ms: i64,
    /// Buffered points in range, in read order.
    buffered: VecDeque<Cell>,
    /// The current block's points in range, in read order, from `pos` on.
    pending: Vec<Cell>,
    pos: usize,
    emitted: u64,
    batch: usize,
}

impl RowReader {
    /// A reader that yields nothing.
    pub fn empty() -> Self {
        RowReader {
            iter: None,
            data_type: String::new(),
            range: ReadRange {
                start: 0,
                end: 0,
                order: Order::Asc,
                limit: 0,
            },
            now_ms: 0,
            buffered: VecDeque::new(),
            pending: Vec::new(),
            pos: 0,
            emitted: 0,
            batch: BATCH,
        }
    }

    /// A reader over the blocks `iter` yields and `buffered` (ascending, in range).
    pub fn new(
        iter: fjall::Iter,
        data_type: &str,
        range: ReadRange,
        now_ms: i64,
        mut buffered: Vec<Cell>,
    ) -> Self {
        if range.order == Order::Desc {
            buffered.reverse();
        }
        RowReader {
            iter: Some(iter),
            data_type: data_type.to_string(),
            range,
            now_ms,
            buffered: buffered.into(),
            pending: Vec::new(),
            pos: 0,
            emitted: 0,
            batch: BATCH,
        }
    }

    /// Decodes the next block into `pending`; false when no block is left.
    fn fill(&mut self) -> Result<bool, DatastoreError> {
        self.pending.clear();
        self.pos = 0;
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
        block::decode(&self.data_type, &value, &mut self.pending).map_err(corrupt)?;
        // Blocks are sorted: the points in range are one slice.
        let (start, end) = (self.range.start, self.range.end);
        let hi = self.pending.partition_point(|c| c.ts <= end);
        self.pending.truncate(hi);
        let lo = self.pending.partition_point(|c| c.ts < start);
        match self.range.order {
            Order::Asc => self.pos = lo,
            Order::Desc => {
                self.pending.drain(..lo);
                self.pending.reverse();
            }
        }
        Ok(true)
    }

    /// Moves the pending point at `pos` out.
    fn take_pending(&mut self) -> Cell {
        let c = std::mem::replace(
            &mut self.pending[self.pos],
            Cell {
                ts: 0,
                value: Value::Null,
                expiry: 0,
            },
        );
        self.pos += 1;
        c
    }

    /// The next point in read order, expired or not.
    fn next_cell(&mut self) -> Result<Option<Cell>, DatastoreError> {
        while self.pos == self.pending.len() && self.fill()? {}
        let before = |a: i64, b: i64, order: Order| match order {
            Order::Asc => a < b,
            Order::Desc => a > b,
        };
        Ok(match (self.pending.get(self.pos), self.buffered.front()) {
            (Some(p), Some(b)) if before(p.ts, b.ts, self.range.order) => Some(self.take_pending()),
            (Some(p), Some(b)) if p.ts == b.ts => {
                self.pos += 1;
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
        out.push(DataPoint {
            timestamp: c.ts,
            value: c.value,
        });
        self.emitted += 1;
        true
    }

    /// Pending points before the next buffered one: they need no comparison each.
    fn clear_run(&self) -> usize {
        let rest = &self.pending[self.pos..];
        match (self.buffered.front(), self.range.order) {
            (None, _) => rest.len(),
            (Some(b), Order::Asc) => rest.partition_point(|c| c.ts < b.ts),
            (Some(b), Order::Desc) => rest.partition_point(|c| c.ts > b.ts),
        }
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
            if self.pos == self.pending.len() && self.iter.is_some() {
                self.fill()?;
                continue;
            }
            let run = self.clear_run();
            if run > 0 {
                for _ in 0..run {
                    let c = self.take_pending();
                    if self.emit(c, out) {
                        added += 1;
                        if added == self.batch || self.emitted >= limit {
                            break;
                        }
                    }
                }
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
            self.pending.clear();
            self.pos = 0;
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
