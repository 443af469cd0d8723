//! Deletes (spec §6): whole rows lose their data and index entries, partly covered rows
//! lose a column range, and a whole-metric delete also drops the legacy index partition and
//! the metric name. Every tombstone carries a millisecond write timestamp.

use futures_util::stream::{self, StreamExt, TryStreamExt};
use scylla::serialize::row::SerializeRow;
use scylla::statement::prepared::PreparedStatement;
use scylla::value::CqlTimestamp;

use super::cql::{DATA_POINTS_TABLE, METRIC_NAMES_KEY};
use super::rows::find_rows;
use super::session::{engine, now_ms, with_retry};
use super::tag_index;
use super::write::tag_map;
use super::Inner;
use crate::datastore::column_name::RowSpec;
use crate::datastore::{DatastoreError, RowKey, TagFilter};

/// What a delete of `[start, end]` does to the row starting at `row_time`.
#[derive(Debug, PartialEq, Eq)]
pub enum RowAction {
    /// The range covers the row: drop it and its index entries.
    Whole,
    /// Drop the columns of this inclusive time range.
    Range(i64, i64),
}

/// Java `deleteDataPoints`' four cases.
pub fn action(spec: &RowSpec, row_time: i64, start: i64, end: i64) -> RowAction {
    let last = row_time.saturating_add(spec.width_millis() - 1);
    match (start <= row_time, end >= last) {
        (true, true) => RowAction::Whole,
        (true, false) => RowAction::Range(row_time, end),
        (false, true) => RowAction::Range(start, last),
        (false, false) => RowAction::Range(start, end),
    }
}

/// Runs one statement with a ms write timestamp at its (write) consistency.
async fn run(
    inner: &Inner,
    stmt: &PreparedStatement,
    values: impl SerializeRow,
    now: i64,
) -> Result<(), DatastoreError> {
    let mut bound = stmt.clone().bind(&values).map_err(engine)?;
    bound.set_timestamp(Some(now));
    with_retry(inner.options.retries, || {
        inner.session.execute_bound_unpaged(&bound)
    })
    .await
    .map(|_| ())
    .map_err(|e| engine(format!("delete failed: {e}")))
}

/// Deletes one row's share of the range; returns whether the whole row went.
async fn delete_row(
    inner: &Inner,
    row: &RowKey,
    start: i64,
    end: i64,
    tagged: bool,
    now: i64,
) -> Result<bool, DatastoreError> {
    let st = &inner.statements;
    let key = row.encode();
    let act = action(&inner.spec, row.row_time, start, end);
    tracing::debug!(metric = %row.metric, row_time = row.row_time, ?act, tagged, "delete row");
    match act {
        RowAction::Whole => {
            let (metric, rt) = (row.metric.as_str(), CqlTimestamp(row.row_time));
            run(inner, &st.delete_row, (&key,), now).await?;
            run(
                inner,
                &st.delete_legacy_entry,
                (metric.as_bytes(), &key),
                now,
            )
            .await?;
            let dt = row.data_type.as_str();
            if let Some(e) = tag_index::entries(&inner.options.tag_index, metric, &row.tags) {
                for pair in &e.pairs {
                    let tags = tag_map(&row.tags);
                    let values = (
                        metric,
                        DATA_POINTS_TABLE,
                        rt,
                        dt,
                        pair.as_str(),
                        e.hash,
                        tags,
                    );
                    run(inner, &st.delete_tag_index, values, now).await?;
                }
            }
            let tags = tag_map(&row.tags);
            run(
                inner,
                &st.delete_row_key,
                (metric, DATA_POINTS_TABLE, rt, dt, tags),
                now,
            )
            .await?;
            if !tagged {
                run(
                    inner,
                    &st.delete_row_time,
                    (metric, DATA_POINTS_TABLE, rt),
                    now,
                )
                .await?;
            }
            Ok(true)
        }
        RowAction::Range(s, e) => {
            let lo = inner.spec.column_name(row.row_time, s);
            let hi = inner.spec.column_name(row.row_time, e);
            run(inner, &st.delete_range, (&key, &lo[..], &hi[..]), now).await?;
            Ok(false)
        }
    }
}

/// Deletes the points of `metric` in `[start, end]` matching `filter`.
pub async fn delete(
    inner: &Inner,
    metric: &str,
    start: i64,
    end: i64,
    filter: &TagFilter,
) -> Result<(), DatastoreError> {
    let rows = find_rows(inner, metric, start, end, filter, false).await?;
    inner.key_cache.lock().forget_metric(metric);
    let now = now_ms();
    let tagged = !filter.is_empty();
    let whole: Vec<bool> = stream::iter(rows.iter())
        .map(|row| delete_row(inner, row, start, end, tagged, now))
        .buffer_unordered(inner.options.simultaneous_queries)
        .try_collect()
        .await?;
    let everything = start == i64::MIN && end == i64::MAX;
    if everything {
        let st = &inner.statements;
        run(inner, &st.delete_legacy_metric, (metric.as_bytes(),), now).await?;
        run(inner, &st.delete_name, (METRIC_NAMES_KEY, metric), now).await?;
    }
    if everything || whole.contains(&true) {
        // Java clears its row-key cache here; the (metric, row time) cache too, or a new
        // point in a deleted row would not re-create its time index entry.
        let mut caches = inner.caches.lock();
        caches.row_keys.clear();
        caches.row_times.clear();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datastore::column_name::DEFAULT_ROW_WIDTH_MS as W;

    #[test]
    fn java_cases() {
        let s = RowSpec::default();
        let rt = 10 * W;
        assert_eq!(action(&s, rt, i64::MIN, i64::MAX), RowAction::Whole);
        assert_eq!(action(&s, rt, rt, rt + W - 1), RowAction::Whole);
        assert_eq!(
            action(&s, rt, rt, rt + W - 2),
            RowAction::Range(rt, rt + W - 2)
        );
        assert_eq!(
            action(&s, rt, rt + 1, i64::MAX),
            RowAction::Range(rt + 1, rt + W - 1)
        );
        assert_eq!(
            action(&s, rt, rt + 5, rt + 9),
            RowAction::Range(rt + 5, rt + 9)
        );
        let sec = RowSpec::Seconds { width: 1_814_400 };
        // SECONDS rows are treated as width × 1000 ms wide, as in Java.
        assert_eq!(action(&sec, 0, 0, 1_814_400_000 - 1), RowAction::Whole);
    }
}
