//! Reading the columns of one row (spec §5.4): in the slices `bounds.rs` cuts, page by page
//! on the store's runtime with at most `simultaneous_cql_queries` pages in flight (shared
//! fairly among queries, `slots.rs`), streamed to the query engine through bounded channels.

use std::collections::VecDeque;
use std::ops::ControlFlow;
use std::sync::Arc;

use plugin_api::{DataPoint, Order};
use scylla::response::PagingState;
use tokio::sync::mpsc;

use super::bounds::{bounds_values, column_bounds, column_slices, slices_for, MIN_SLICE_MS};
use super::legacy;
use super::session::{engine, with_retry};
use super::Inner;
use crate::datastore::column_name::RowSpec;
use crate::datastore::{value_codec, DatastoreError, PointReader, ReadRange, RowKey};

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

/// Fetches the pages of one row's columns in `[lo, hi)`, with at most `cap` page reads of
/// the query in flight, and sends them on; stops when the reader is dropped.
async fn pump(
    inner: Arc<Inner>,
    row: RowKey,
    range: ReadRange,
    (lo, hi): ([u8; 4], [u8; 4]),
    cap: usize,
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
        let cap = read_cap(&inner);
        let k = slices_for(cap.min(inner.options.simultaneous_queries), &range);
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
                rt.spawn(pump(inner.clone(), row.clone(), range, b, cap, tx));
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
}
