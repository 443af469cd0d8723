//! Counting a metric query's rows before they are read, on stores where a count costs less
//! than a read (the embedded store reads block headers): the total is the response's
//! `sample_size` and is checked against the point limit before any point is read.

use super::engine::Engine;
use super::limits::Monitor;
use super::parallel::cores;
use crate::datastore::{ReadRange, RowKey};
use crate::http::ApiError;

/// Rows per thread worth counting on several threads.
const PARALLEL_COUNT_ROWS: usize = 64;

/// Rows with points in range and their total (spec query-engine.md §1 step 2: a row with
/// no points in range is no row at all, so its tags do not make a group). Many rows are
/// counted on several threads, each over a contiguous share, so row order is kept.
pub(super) fn count_rows(
    engine: &Engine,
    found: Vec<RowKey>,
    range: &ReadRange,
    monitor: &Monitor,
) -> Result<(Vec<RowKey>, u64), ApiError> {
    let count = |rows: &[RowKey]| -> Result<Vec<u64>, ApiError> {
        rows.iter()
            .map(|row| {
                monitor.check_time()?;
                Ok(engine.datastore.count_points(row, range)?)
            })
            .collect()
    };
    let threads = cores().min(found.len() / PARALLEL_COUNT_ROWS).max(1);
    let counts = if threads == 1 {
        count(&found)?
    } else {
        let share = found.len().div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = found
                .chunks(share)
                .map(|rows| s.spawn(move || count(rows)))
                .collect();
            let mut counts = Vec::with_capacity(found.len());
            for h in handles {
                let part = h.join().map_err(|_| {
                    ApiError::Internal(Some("a thread counting rows panicked".into()))
                })??;
                counts.extend(part);
            }
            Ok::<_, ApiError>(counts)
        })?
    };
    let sample_size = counts.iter().sum();
    let rows = found
        .into_iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(row, _)| row)
        .collect();
    Ok((rows, sample_size))
}
