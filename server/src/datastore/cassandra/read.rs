//! Reading the columns of one row (spec §5.4): Java's slice bounds, page by page on the
//! store's runtime with at most `simultaneous_cql_queries` pages in flight (shared fairly
//! among queries, `slots.rs`), streamed to the query engine through a bounded channel.

use std::collections::VecDeque;
use std::ops::ControlFlow;
use std::sync::Arc;

use plugin_api::{DataPoint, Order};
use scylla::response::PagingState;
use scylla::value::CqlValue;
use tokio::sync::mpsc;

use super::legacy;
use super::session::{engine, with_retry};
use super::Inner;
use crate::datastore::column_name::RowSpec;
use crate::datastore::{value_codec, DatastoreError, PointReader, ReadRange, RowKey};

/// Java `cqlQueryWithRowKeys` bounds: `[start column, end column)` as 4-byte blobs, the end
/// being the encoded column of the last admitted time plus one; `None` when the range
/// misses the row.
pub fn column_bounds(
    spec: &RowSpec,
    row_time: i64,
    start: i64,
    end: i64,
) -> Option<([u8; 4], [u8; 4])> {
    let width = spec.width_millis();
    if end < row_time || start > row_time.saturating_add(width - 1) {
        return None;
    }
    let lo = if start < row_time {
        [0; 4]
    } else {
        spec.column_name(row_time, start)
    };
    let last = if end > row_time.saturating_add(width) {
        row_time.saturating_add(width)
    } else {
        end
    };
    let hi = i32::from_be_bytes(spec.column_name(row_time, last)).wrapping_add(1);
    Some((lo, hi.to_be_bytes()))
}

/// Most slices one row is read in at once.
const MAX_SLICES: usize = 4;
/// Least time one slice covers: a shorter one holds too few points to be worth a request.
const MIN_SLICE_MS: i64 = 3_600_000;

/// Slices to read each row of `range` in: the query's share of `reads` (the page reads it
/// may have in flight) per row, at most [`MAX_SLICES`]; one when the rows are unknown or
/// for a limited read (the limit counts from one end, so later slices would be wasted).
fn slices_for(reads: usize, range: &ReadRange) -> usize {
    if range.rows == 0 || range.limit > 0 {
        return 1;
    }
    (reads / range.rows).clamp(1, MAX_SLICES)
}

/// [`column_bounds`] cut into up to `k` slices of equal time, each over at least
/// `min_ms`, in column order; none when the range misses the row.
pub fn column_slices(
    spec: &RowSpec,
    row_time: i64,
    start: i64,
    end: i64,
    k: usize,
    min_ms: i64,
) -> Vec<([u8; 4], [u8; 4])> {
    let Some((lo, hi)) = column_bounds(spec, row_time, start, end) else {
        return Vec::new();
    };
    let first = start.max(row_time);
    let last = end.min(row_time.saturating_add(spec.width_millis() - 1));
    let span = last as i128 - first as i128 + 1;
    let k = (k as i128).min(span / (min_ms.max(1) as i128)).max(1);
    let mut cuts = vec![lo];
    for i in 1..k {
        cuts.push(spec.column_name(row_time, (first as i128 + span * i / k) as i64));
    }
    cuts.push(hi);
    cuts.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Bind values of a column query or count.
pub fn bounds_values(key: Vec<u8>, lo: [u8; 4], hi: [u8; 4], limit: u64) -> Vec<CqlValue> {
    let mut v = vec![
        CqlValue::Blob(key),
        CqlValue::Blob(lo.to_vec()),
        CqlValue::Blob(hi.to_vec()),
    ];
    if limit > 0 {
        v.push(CqlValue::Int(limit.min(i32::MAX as u64) as i32));
    }
    v
}

/// Decodes one stored column of `row`.
fn decode(
    row: &RowKey,
    spec: &RowSpec,
    pre10: bool,
    column: &[u8],
    value: &[u8],
) -> Result<DataPoint, DatastoreError> {
    let column: [u8; 4] = column
        .try_into()
        .map_err(|_| DatastoreError::Corrupt(format!("column name of {} bytes", column.len())))?;
    let timestamp = spec.column_timestamp(row.row_time, column);
    let value = if pre10 {
        legacy::decode(column, value).map_err(|e| DatastoreError::Corrupt(e.to_string()))?
    } else {
        value_codec::decode(&row.data_type, value)
            .map_err(|e| DatastoreError::Corrupt(e.to_string()))?
    };
    Ok(DataPoint { timestamp, value })
}

/// Page reads one query may have in flight: `query_reads_per_node` per node the driver
/// knows, in `local_dc_name` when set, as reads go there (0: no cap but
/// `simultaneous_cql_queries`, as in Java).
fn read_cap(inner: &Inner) -> usize {
    let state = inner.session.get_cluster_state();
    let dcs = state
        .get_nodes_info()
        .iter()
        .map(|n| n.datacenter.as_deref());
    cap_for(
        inner.options.query_reads_per_node,
        inner.options.local_dc.as_deref(),
        dcs,
    )
}

/// [`read_cap`] over the nodes' datacenters.
fn cap_for<'a>(
    per_node: usize,
    local_dc: Option<&str>,
    dcs: impl Iterator<Item = Option<&'a str>>,
) -> usize {
    if per_node == 0 {
        return usize::MAX;
    }
    let nodes = dcs
        .filter(|dc| local_dc.is_none() || *dc == local_dc)
        .count();
    per_node.saturating_mul(nodes.max(1))
}

/// Fetches the pages of one row's columns in `[lo, hi)` and sends them on; stops when the
/// reader is dropped.
async fn pump(
    inner: Arc<Inner>,
    row: RowKey,
    range: ReadRange,
    (lo, hi): ([u8; 4], [u8; 4]),
    tx: mpsc::Sender<Result<Vec<DataPoint>, DatastoreError>>,
) {
    let key = row.encode();
    let pre10 = inner.legacy_keys.lock().contains(&key);
    let which = match (range.order, range.limit > 0) {
        (Order::Asc, false) => 0,
        (Order::Desc, false) => 1,
        (Order::Asc, true) => 2,
        (Order::Desc, true) => 3,
    };
    let stmt = &inner.statements.points[which];
    let values = bounds_values(key, lo, hi, range.limit);
    let cap = read_cap(&inner);
    let mut state = PagingState::start();
    loop {
        // A reader dropped while this waited (a query that failed, a row started ahead and
        // not found) needs no more pages.
        if tx.is_closed() {
            return;
        }
        let page = {
            let Some(_slot) = inner.reads.acquire(range.query, cap).await else {
                return;
            };
            with_retry(inner.options.retries, || {
                inner
                    .session
                    .execute_single_page(stmt, &values, state.clone())
            })
            .await
        };
        let (result, next) = match page {
            Ok(p) => p,
            Err(e) => {
                let _ = tx.send(Err(engine(format!("read failed: {e}")))).await;
                return;
            }
        };
        // Columns are decoded from slices of the page, not copied into two vectors each.
        let points = result.into_rows_result().map_err(engine).and_then(|rows| {
            let mut points = Vec::with_capacity(rows.rows_num());
            for r in rows.rows::<(&[u8], &[u8])>().map_err(engine)? {
                let (c, v) = r.map_err(engine)?;
                points.push(decode(&row, &inner.spec, pre10, c, v)?);
            }
            Ok(points)
        });
        let failed = points.is_err();
        if !matches!(&points, Ok(p) if p.is_empty()) && tx.send(points).await.is_err() {
            return;
        }
        if failed {
            return;
        }
        match next.into_paging_control_flow() {
            ControlFlow::Break(()) => return,
            ControlFlow::Continue(s) => state = s,
        }
    }
}

/// Streams one row's points, read ahead by tasks on the store's runtime: one per slice of
/// its columns, drained in the read's order.
pub struct RowReader {
    slices: VecDeque<mpsc::Receiver<Result<Vec<DataPoint>, DatastoreError>>>,
}

impl RowReader {
    /// Starts reading `row` in `range` on `rt`: in slices at once when the query reads
    /// fewer rows than it may have page reads in flight, so Cassandra's cores share the row.
    pub fn start(
        rt: &tokio::runtime::Handle,
        inner: Arc<Inner>,
        row: RowKey,
        range: ReadRange,
    ) -> Self {
        let reads = read_cap(&inner).min(inner.options.simultaneous_queries);
        let k = slices_for(reads, &range);
        let mut bounds = column_slices(
            &inner.spec,
            row.row_time,
            range.start,
            range.end,
            k,
            MIN_SLICE_MS,
        );
        if range.order == Order::Desc {
            bounds.reverse();
        }
        let slices = bounds
            .into_iter()
            .map(|b| {
                let (tx, rx) = mpsc::channel(1);
                rt.spawn(pump(inner.clone(), row.clone(), range, b, tx));
                rx
            })
            .collect();
        RowReader { slices }
    }
}

impl PointReader for RowReader {
    fn next_batch(&mut self, out: &mut Vec<DataPoint>) -> Result<bool, DatastoreError> {
        while let Some(rx) = self.slices.front_mut() {
            match rx.blocking_recv() {
                Some(Ok(points)) => {
                    out.extend(points);
                    return Ok(true);
                }
                Some(Err(e)) => return Err(e),
                None => {
                    self.slices.pop_front();
                }
            }
        }
        Ok(false)
    }
}

/// Points of `row` in `range` (at most `range.limit`): a server-side `COUNT(*)`.
pub async fn count(inner: &Inner, row: &RowKey, range: &ReadRange) -> Result<u64, DatastoreError> {
    let Some((lo, hi)) = column_bounds(&inner.spec, row.row_time, range.start, range.end) else {
        return Ok(0);
    };
    let values = bounds_values(row.encode(), lo, hi, 0);
    let (n,) = with_retry(inner.options.retries, || {
        inner
            .session
            .execute_unpaged(&inner.statements.count, &values)
    })
    .await
    .map_err(engine)?
    .into_rows_result()
    .map_err(engine)?
    .single_row::<(i64,)>()
    .map_err(engine)?;
    let n = n.max(0) as u64;
    Ok(if range.limit > 0 {
        n.min(range.limit)
    } else {
        n
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datastore::column_name::DEFAULT_ROW_WIDTH_MS;

    const W: i64 = DEFAULT_ROW_WIDTH_MS;

    #[test]
    fn read_cap_counts_the_nodes_reads_go_to() {
        let dcs = [Some("dc1"), Some("dc1"), Some("dc2"), None];
        assert_eq!(cap_for(4, None, dcs.into_iter()), 16);
        assert_eq!(cap_for(4, Some("dc1"), dcs.into_iter()), 8);
        // A local DC no node is in still lets a query read.
        assert_eq!(cap_for(4, Some("dc9"), dcs.into_iter()), 4);
        assert_eq!(cap_for(3, None, std::iter::empty()), 3);
        assert_eq!(cap_for(0, Some("dc1"), dcs.into_iter()), usize::MAX);
    }

    fn range(rows: usize, limit: u64) -> ReadRange {
        ReadRange {
            start: 0,
            end: 1,
            order: Order::Asc,
            limit,
            query: 0,
            rows,
        }
    }

    #[test]
    fn small_queries_read_each_row_in_slices() {
        assert_eq!(slices_for(4, &range(1, 0)), 4);
        assert_eq!(slices_for(4, &range(2, 0)), 2);
        assert_eq!(slices_for(4, &range(3, 0)), 1);
        assert_eq!(slices_for(4, &range(1000, 0)), 1);
        assert_eq!(slices_for(20, &range(1, 0)), MAX_SLICES);
        assert_eq!(slices_for(usize::MAX, &range(1, 0)), MAX_SLICES);
        // Rows unknown, or a limit counted from one end.
        assert_eq!(slices_for(4, &range(0, 0)), 1);
        assert_eq!(slices_for(4, &range(1, 10)), 1);
    }

    /// Every column of the range falls in exactly one slice, the slices in column order
    /// from the range's first bound to its last; shorter ranges get fewer slices.
    #[test]
    fn slices_cover_the_bounds_once_in_order() {
        const H: i64 = 3_600_000;
        let rt = 1_698_278_400_000;
        let specs = [
            RowSpec::default(),
            RowSpec::Seconds { width: W },
            RowSpec::Legacy { width: W },
        ];
        for spec in specs {
            let cases = [
                (rt + 5, rt + 24 * H, 4, 4),
                (rt - 10, rt + 3 * H - 1, 4, 3),
                (rt, rt + 90 * 60_000, 4, 1),
                (rt + H, rt + 3 * W, 2, 2),
                (i64::MIN, i64::MAX, 4, 4),
                (rt, rt + 24 * H, 1, 1),
            ];
            for (start, end, k, want) in cases {
                let slices = column_slices(&spec, rt, start, end, k, H);
                let bounds = column_bounds(&spec, rt, start, end).unwrap();
                assert_eq!(slices.len(), want, "{spec:?} {start} {end} {k}");
                assert_eq!(slices[0].0, bounds.0);
                assert_eq!(slices[want - 1].1, bounds.1);
                for w in slices.windows(2) {
                    assert_eq!(w[0].1, w[1].0);
                }
                for (lo, hi) in &slices {
                    assert!(lo < hi, "{spec:?}: empty slice {lo:?}..{hi:?}");
                }
                let (from, to) = (start.max(rt), end.min(rt + W - 1));
                for t in (from..=to)
                    .step_by(((to - from) / 997).max(1) as usize)
                    .chain([to])
                {
                    let col = spec.column_name(rt, t);
                    let n = slices
                        .iter()
                        .filter(|(lo, hi)| *lo <= col && col < *hi)
                        .count();
                    assert_eq!(n, 1, "{spec:?}: time {t} in {n} slices");
                }
            }
            assert!(column_slices(&spec, rt, 0, rt - 1, 4, H).is_empty());
        }
    }

    #[test]
    fn bounds_inside_and_across_rows() {
        let ms = RowSpec::default();
        let rt = 1_698_278_400_000;
        // Whole row: 0 .. W + 1.
        let (lo, hi) = column_bounds(&ms, rt, i64::MIN, i64::MAX).unwrap();
        assert_eq!((lo, hi), ([0; 4], ((W + 1) as i32).to_be_bytes()));
        // Inclusive end: the column of `end` plus one.
        let (lo, hi) = column_bounds(&ms, rt, rt + 10, rt + 20).unwrap();
        assert_eq!((i32::from_be_bytes(lo), i32::from_be_bytes(hi)), (10, 21));
        assert!(column_bounds(&ms, rt, rt + W, i64::MAX).is_none());
        assert!(column_bounds(&ms, rt, 0, rt - 1).is_none());
    }

    #[test]
    fn legacy_bounds_wrap_but_keep_unsigned_order() {
        let legacy = RowSpec::Legacy { width: W };
        let (lo, hi) = column_bounds(&legacy, 0, 0, i64::MAX).unwrap();
        assert_eq!(lo, [0; 4]);
        // (W << 1) + 1 as an unsigned 4-byte blob sorts after the last column (d = W - 1).
        assert_eq!(hi, [0xd8, 0x4b, 0x18, 0x01]);
        assert!(hi > legacy.column_name(0, W - 1));
    }

    #[test]
    fn negative_row_time() {
        let ms = RowSpec::default();
        let rt = ms.row_time(-1);
        assert_eq!(rt, -2);
        let (lo, hi) = column_bounds(&ms, rt, -10, 0).unwrap();
        assert_eq!((i32::from_be_bytes(lo), i32::from_be_bytes(hi)), (0, 3));
    }

    #[test]
    fn limit_is_bound_as_int() {
        let v = bounds_values(vec![1], [0; 4], [0, 0, 0, 1], u64::MAX);
        assert_eq!(v.last(), Some(&CqlValue::Int(i32::MAX)));
        assert_eq!(bounds_values(vec![1], [0; 4], [0; 4], 0).len(), 3);
    }
}
