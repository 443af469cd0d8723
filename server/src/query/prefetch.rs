//! One read per row on stores where counting a row costs as much as reading it (Cassandra: a
//! `COUNT(*)` reads the partition). The engine reads each row once, counting its points for
//! `sample_size`, keeps them in memory up to a budget (packed, `packed.rs`) and in one
//! temporary file past it, and the merge reads them back from there. Java reads once too,
//! into its query cache file (DS/KairosDatastore.java `CachedSearchResult`).

mod packed;

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::sync::Arc;

use parking_lot::Mutex;
use plugin_api::DataPoint;

use super::limits::Monitor;
use super::spill::{decode, encode};
use crate::datastore::{DatastoreError, PointReader, RowKey};
use crate::http::ApiError;
use packed::Packed;

/// Points a query keeps in memory before the rest goes to its temporary file.
pub const MEMORY_BUDGET: usize = 1 << 20;
/// Rows whose reads run at once (each reader starts fetching when opened). Enough to keep
/// Cassandra's read stage busy (32 threads by default), few enough that another query's reads
/// do not queue behind hundreds of this one's.
pub const ROWS_AT_ONCE: usize = 32;

/// Where one row's points wait.
enum Stored {
    Memory(Packed),
    File { offset: u64, count: u64 },
}

/// The rows of one metric query, read.
pub struct Prefetched {
    rows: Mutex<HashMap<RowKey, Stored>>,
    file: Option<Arc<File>>,
}

/// What [`prefetch`] found: rows with points (in the order given), their total, the points.
pub struct Fetched {
    /// Rows with at least one point in range.
    pub rows: Vec<RowKey>,
    /// Points read.
    pub sample_size: u64,
    /// The points, for [`Prefetched::reader`].
    pub points: Prefetched,
}

fn spill_err(e: std::io::Error) -> ApiError {
    ApiError::Internal(Some(format!(
        "cannot spill query rows to a temporary file: {e}"
    )))
}

/// Opens a reader over one row.
pub type OpenRow<'a> = dyn Fn(&RowKey) -> Result<Box<dyn PointReader>, DatastoreError> + 'a;

/// Reads every row of `rows`, those in `started` through their reader first (they are
/// already reading), the others through `open`; at most `budget` points kept in memory.
pub fn prefetch(
    rows: Vec<RowKey>,
    mut started: HashMap<RowKey, Box<dyn PointReader>>,
    open: &OpenRow,
    monitor: &Monitor,
    budget: usize,
) -> Result<Fetched, ApiError> {
    let mut stored = HashMap::with_capacity(rows.len());
    let mut kept = Vec::new();
    let (mut sample_size, mut in_memory) = (0u64, 0usize);
    let mut file: Option<(BufWriter<File>, u64)> = None;
    let (mut batch, mut rec) = (Vec::new(), Vec::new());
    // Started rows first, so none waits with a full buffer behind rows not yet opened.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| !started.contains_key(&rows[i]));
    // A sliding window: as each row is consumed the next one opens, so reads in flight stay
    // at ROWS_AT_ONCE instead of dropping to none between slices.
    let mut ahead: VecDeque<Box<dyn PointReader>> = VecDeque::with_capacity(ROWS_AT_ONCE);
    let mut opened = 0;
    for (n, &i) in order.iter().enumerate() {
        let row = &rows[i];
        while opened < order.len() && opened < n + ROWS_AT_ONCE {
            let next = &rows[order[opened]];
            ahead.push_back(match started.remove(next) {
                Some(reader) => reader,
                None => open(next)?,
            });
            opened += 1;
        }
        let Some(mut reader) = ahead.pop_front() else {
            break;
        };
        monitor.check_time()?;
        let mut points = Vec::new();
        let mut spilled: Option<(u64, u64)> = None;
        loop {
            batch.clear();
            let more = reader.next_batch(&mut batch)?;
            if spilled.is_none() && in_memory + points.len() + batch.len() > budget {
                // This row and every later one go to the file.
                let (w, end) = match &mut file {
                    Some(f) => f,
                    None => file.insert((
                        BufWriter::with_capacity(
                            256 << 10,
                            tempfile::tempfile().map_err(spill_err)?,
                        ),
                        0,
                    )),
                };
                // What this row holds so far goes first, and counts.
                spilled = Some((*end, points.len() as u64));
                for p in points.drain(..) {
                    *end += write_point(w, &p, &mut rec)?;
                }
            }
            match (&mut spilled, &mut file) {
                (Some((_, count)), Some((w, end))) => {
                    for p in &batch {
                        *end += write_point(w, p, &mut rec)?;
                    }
                    *count += batch.len() as u64;
                }
                _ => points.append(&mut batch),
            }
            if !more {
                break;
            }
        }
        let n = match spilled {
            Some((offset, count)) => {
                stored.insert(row.clone(), Stored::File { offset, count });
                count
            }
            None => {
                let n = points.len() as u64;
                in_memory += points.len();
                stored.insert(row.clone(), Stored::Memory(Packed::pack(points)));
                n
            }
        };
        if n > 0 {
            sample_size += n;
            monitor.check_points(sample_size)?;
            kept.push(i);
        } else {
            stored.remove(row);
        }
    }
    let file = match file {
        Some((w, _)) => Some(Arc::new(
            w.into_inner().map_err(|e| spill_err(e.into_error()))?,
        )),
        None => None,
    };
    // The rows in the order given, whatever order they were read in.
    kept.sort_unstable();
    Ok(Fetched {
        rows: kept.into_iter().map(|i| rows[i].clone()).collect(),
        sample_size,
        points: Prefetched {
            rows: Mutex::new(stored),
            file,
        },
    })
}

/// Writes one point through the scratch buffer `rec`; returns the bytes written.
fn write_point(w: &mut BufWriter<File>, p: &DataPoint, rec: &mut Vec<u8>) -> Result<u64, ApiError> {
    rec.clear();
    encode(p, rec).map_err(spill_err)?;
    w.write_all(rec).map_err(spill_err)?;
    Ok(rec.len() as u64)
}

impl Prefetched {
    /// The points of `row`, once; a row read before or never fetched yields nothing.
    pub fn reader(&self, row: &RowKey) -> Box<dyn PointReader> {
        match (self.rows.lock().remove(row), &self.file) {
            (Some(Stored::Memory(points)), _) => Box::new(MemoryReader::new(Some(points))),
            (Some(Stored::File { offset, count }), Some(file)) => Box::new(FileReader {
                file: BufReader::with_capacity(
                    64 << 10,
                    At {
                        file: file.clone(),
                        pos: offset,
                    },
                ),
                left: count,
            }),
            _ => Box::new(MemoryReader::new(None)),
        }
    }
}

/// Hands out a kept row: all of it at once, or in batches of the merge's hint, so the merge
/// does not hold every row of a group unpacked at once.
struct MemoryReader {
    points: Option<Packed>,
    at: usize,
    batch: usize,
}

impl MemoryReader {
    /// A reader handing out all of `points` in one batch until given a hint.
    fn new(points: Option<Packed>) -> Self {
        MemoryReader {
            points,
            at: 0,
            batch: usize::MAX,
        }
    }
}

impl PointReader for MemoryReader {
    fn next_batch(&mut self, out: &mut Vec<DataPoint>) -> Result<bool, DatastoreError> {
        let Some(p) = &mut self.points else {
            return Ok(false);
        };
        let n = p.unpack_some(self.at, self.batch, out);
        self.at += n;
        if self.at >= p.len() {
            self.points = None;
        }
        Ok(n > 0)
    }

    fn set_batch_hint(&mut self, points: usize) {
        self.batch = points.max(1);
    }
}

/// Reads a shared file from its own position (`pread`), so readers do not share a cursor.
struct At {
    file: Arc<File>,
    pos: u64,
}

impl Read for At {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

struct FileReader {
    file: BufReader<At>,
    left: u64,
}

/// Points a file reader hands out per batch.
const FILE_BATCH: u64 = 512;

impl PointReader for FileReader {
    fn next_batch(&mut self, out: &mut Vec<DataPoint>) -> Result<bool, DatastoreError> {
        let n = self.left.min(FILE_BATCH);
        for _ in 0..n {
            out.push(decode(&mut self.file).map_err(|e| {
                DatastoreError::Engine(format!(
                    "cannot read query rows back from a temporary file: {e}"
                ))
            })?);
        }
        self.left -= n;
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests;
