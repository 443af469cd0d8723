//! Finding row keys (spec §5.2, §5.3): the legacy `row_key_index`, then
//! `row_key_time_index` → `row_keys`, filtered by the shared [`TagFilter`] and de-duplicated;
//! metric names from `string_index` (§5.5); tag names and values for the 1.2 endpoints.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use std::ops::ControlFlow;

use futures_util::stream::{self, StreamExt, TryStreamExt};
use protocols::java_cmp;
use scylla::deserialize::row::DeserializeRow;
use scylla::response::PagingState;
use scylla::serialize::row::SerializeRow;
use scylla::statement::prepared::PreparedStatement;
use scylla::value::CqlTimestamp;

use super::cql::{DATA_POINTS_TABLE, METRIC_NAMES_KEY, TAG_NAMES_KEY, TAG_VALUES_KEY};
use super::legacy;
use super::session::{engine, with_retry};
use super::Inner;
use crate::datastore::row_key::LEGACY_TYPE;
use crate::datastore::{DatastoreError, RowKey, TagFilter};

/// Reads a query page by page (each page retried on transient errors), handing every page
/// to `f` until it returns false or the result ends.
pub async fn each_page<R, V>(
    inner: &Inner,
    stmt: &PreparedStatement,
    values: &V,
    mut f: impl FnMut(Vec<R>) -> bool,
) -> Result<(), DatastoreError>
where
    R: for<'f, 'm> DeserializeRow<'f, 'm>,
    V: SerializeRow,
{
    let mut state = PagingState::start();
    loop {
        let (result, next) = with_retry(inner.options.retries, || {
            inner
                .session
                .execute_single_page(stmt, values, state.clone())
        })
        .await
        .map_err(engine)?;
        let rows = result
            .into_rows_result()
            .map_err(engine)?
            .rows::<R>()
            .map_err(engine)?
            .collect::<Result<Vec<R>, _>>()
            .map_err(engine)?;
        if !f(rows) {
            return Ok(());
        }
        match next.into_paging_control_flow() {
            ControlFlow::Break(()) => return Ok(()),
            ControlFlow::Continue(s) => state = s,
        }
    }
}

/// Every row of a paged query.
pub async fn all_rows<R, V>(
    inner: &Inner,
    stmt: &PreparedStatement,
    values: V,
) -> Result<Vec<R>, DatastoreError>
where
    R: for<'f, 'm> DeserializeRow<'f, 'm>,
    V: SerializeRow,
{
    let mut out = Vec::new();
    each_page(inner, stmt, &values, |rows| {
        out.extend(rows);
        true
    })
    .await?;
    Ok(out)
}

/// Rows of `metric` for `[start, end]` matching `filter`: legacy index entries first, then
/// `row_keys` in row-time order; the legacy ones of type `kairos_legacy` are remembered as
/// holding pre-1.0 values.
pub async fn find_rows(
    inner: &Inner,
    metric: &str,
    start: i64,
    end: i64,
    filter: &TagFilter,
) -> Result<Vec<RowKey>, DatastoreError> {
    let spec = inner.spec;
    let st = &inner.statements;
    let mut found = Vec::new();
    for (s, e) in legacy::split_ranges(start, end) {
        let values = (
            metric.as_bytes().to_vec(),
            legacy::search_key(metric, spec.row_time(s), false),
            legacy::search_key(metric, spec.row_time(e), true),
        );
        for (column,) in all_rows::<(Vec<u8>,), _>(inner, &st.legacy_index, values).await? {
            let row =
                RowKey::decode(&column).map_err(|e| DatastoreError::Corrupt(e.to_string()))?;
            if row.data_type == LEGACY_TYPE {
                inner.legacy_keys.lock().insert(column);
            }
            found.push(row);
        }
    }
    let times: Vec<(CqlTimestamp,)> = all_rows(
        inner,
        &st.row_times,
        (
            metric.to_string(),
            DATA_POINTS_TABLE,
            CqlTimestamp(spec.row_time(start)),
            CqlTimestamp(end),
        ),
    )
    .await?;
    type KeyRow = (
        CqlTimestamp,
        Option<String>,
        Option<BTreeMap<String, String>>,
        Option<i32>,
    );
    let per_time: Vec<Vec<KeyRow>> = stream::iter(times)
        .map(|(rt,)| {
            all_rows::<KeyRow, _>(
                inner,
                &st.row_keys,
                (metric.to_string(), DATA_POINTS_TABLE, rt),
            )
        })
        .buffered(inner.options.simultaneous_queries)
        .try_collect()
        .await?;
    for (rt, data_type, tags, _ttl) in per_time.into_iter().flatten() {
        // A partition holding only its static `mtime` yields a row without data type.
        let Some(data_type) = data_type else { continue };
        let tags: Vec<(String, String)> = tags.unwrap_or_default().into_iter().collect();
        found.push(RowKey::new(metric, rt.0, &data_type, &tags));
    }
    let mut seen = HashSet::new();
    Ok(found
        .into_iter()
        .filter(|r| filter.matches(&r.tags) && seen.insert(r.clone()))
        .collect())
}

/// Metric names, sorted in Java order; with a prefix, read from the prefix on and stop at
/// the first name without it (UTF-8 order keeps them together).
pub async fn metric_names(
    inner: &Inner,
    prefix: Option<&str>,
) -> Result<Vec<String>, DatastoreError> {
    let st = &inner.statements;
    let mut names: Vec<String> = match prefix.filter(|p| !p.is_empty()) {
        None => all_rows::<(String,), _>(inner, &st.names, (METRIC_NAMES_KEY,))
            .await?
            .into_iter()
            .map(|r| r.0)
            .collect(),
        Some(p) => {
            let mut out = Vec::new();
            each_page::<(String,), _>(inner, &st.names_from, &(METRIC_NAMES_KEY, p), |rows| {
                let (count, before) = (rows.len(), out.len());
                out.extend(
                    rows.into_iter()
                        .map(|r| r.0)
                        .take_while(|n| n.starts_with(p)),
                );
                // Go on only while the whole page matched.
                out.len() - before == count
            })
            .await?;
            out
        }
    };
    names.sort_by(|a, b| java_cmp(a, b));
    names.dedup();
    Ok(names)
}

/// All tag names (`names = true`) or values: the pre-1.3 `string_index` rows plus the tags
/// of every row key of every metric. Cost: one index scan per metric and one `row_keys`
/// read per (metric, row time) — the whole index, as the 1.2 calls implied.
pub async fn tags(inner: &Inner, names: bool) -> Result<Vec<String>, DatastoreError> {
    let key = if names { TAG_NAMES_KEY } else { TAG_VALUES_KEY };
    let mut set: BTreeSet<String> =
        all_rows::<(String,), _>(inner, &inner.statements.names, (key,))
            .await?
            .into_iter()
            .map(|r| r.0)
            .collect();
    for metric in metric_names(inner, None).await? {
        for row in find_rows(inner, &metric, i64::MIN, i64::MAX, &TagFilter::all()).await? {
            set.extend(row.tags.into_iter().map(|(n, v)| if names { n } else { v }));
        }
    }
    let mut out: Vec<String> = set.into_iter().collect();
    out.sort_by(|a, b| java_cmp(a, b));
    Ok(out)
}
