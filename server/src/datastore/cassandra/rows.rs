//! Finding row keys (spec §5.2, §5.3): the legacy `row_key_index`, then
//! `row_key_time_index` → `row_keys`, filtered by the shared [`TagFilter`] and de-duplicated;
//! metric names from `string_index` (§5.5); tag names and values for the 1.2 endpoints.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use std::ops::ControlFlow;

use futures_util::stream::{self, StreamExt, TryStreamExt};
use protocols::java_cmp;
use scylla::deserialize::row::DeserializeRow;
use scylla::response::PagingState;
use scylla::serialize::row::SerializeRow;
use scylla::statement::prepared::PreparedStatement;
use scylla::value::{CqlTimestamp, CqlTimeuuid};

use super::cql::{DATA_POINTS_TABLE, METRIC_NAMES_KEY, TAG_NAMES_KEY, TAG_VALUES_KEY};
use super::key_cache::CachedKey;
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

/// One `row_keys` row: row time, data type (absent on a partition holding only its static
/// `mtime`), tags, `TTL(value)`.
type KeyRow = (
    CqlTimestamp,
    Option<String>,
    Option<BTreeMap<String, String>>,
    Option<i32>,
);

/// Rows of `metric` for `[start, end]` matching `filter`: legacy index entries first, then
/// `row_keys` in row-time order; the legacy ones of type `kairos_legacy` are remembered as
/// holding pre-1.0 values. With `to_read` (a data query) the `row_keys` partitions may come
/// from the [`KeyCache`](super::key_cache::KeyCache).
pub async fn find_rows(
    inner: &Inner,
    metric: &str,
    start: i64,
    end: i64,
    filter: &TagFilter,
    to_read: bool,
) -> Result<Vec<RowKey>, DatastoreError> {
    let spec = inner.spec;
    let st = &inner.statements;
    let started = Instant::now();
    // The legacy index and the row times are independent: ask for both at once.
    let legacy = async {
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
        Ok::<_, DatastoreError>(found)
    };
    let times = all_rows::<(CqlTimestamp,), _>(
        inner,
        &st.row_times,
        (
            metric.to_string(),
            DATA_POINTS_TABLE,
            CqlTimestamp(spec.row_time(start)),
            CqlTimestamp(end),
        ),
    );
    // The partitions cached for this range get their `mtime` checked meanwhile.
    let (cached, known) = {
        let cache = inner.key_cache.lock();
        if to_read && cache.enabled() {
            let from = spec.row_time(start);
            let young = cache.young(metric, from, end, Instant::now());
            (true, young.into_iter().map(|(rt, _)| rt).collect())
        } else {
            (false, Vec::new())
        }
    };
    let checks = stream::iter(known)
        .map(|rt| async move { Ok::<_, DatastoreError>((rt, mtime(inner, metric, rt).await?)) })
        .buffer_unordered(inner.options.simultaneous_queries)
        .try_collect::<HashMap<i64, Option<CqlTimeuuid>>>();
    let (mut found, times, mtimes) = futures_util::future::try_join3(legacy, times, checks).await?;
    let per_time: Vec<Arc<Vec<CachedKey>>> = stream::iter(times)
        .map(|(rt,)| keys_at(inner, metric, rt, cached, mtimes.get(&rt.0).copied()))
        .buffered(inner.options.simultaneous_queries)
        .try_collect()
        .await?;
    let now = Instant::now();
    let mut seen = HashSet::new();
    found.retain(|r| filter.matches(&r.tags) && seen.insert(r.clone()));
    for key in per_time.iter().flat_map(|k| k.iter()) {
        if key.alive(now) && filter.matches(&key.row.tags) && !seen.contains(&key.row) {
            seen.insert(key.row.clone());
            found.push(key.row.clone());
        }
    }
    tracing::debug!(
        metric,
        rows = found.len(),
        row_times = per_time.len(),
        cached,
        elapsed_us = started.elapsed().as_micros() as u64,
        "row keys found"
    );
    Ok(found)
}

/// Up to `limit` rows [`find_rows`] will likely return for a data read: alive keys of the
/// cached partitions matching `filter`. Legacy-typed rows are left out, as how to decode
/// them is known only once the legacy index has been read.
pub fn expected_rows(
    inner: &Inner,
    metric: &str,
    start: i64,
    end: i64,
    filter: &TagFilter,
    limit: usize,
) -> Vec<RowKey> {
    let now = Instant::now();
    let young = {
        let cache = inner.key_cache.lock();
        if limit == 0 || !cache.enabled() {
            return Vec::new();
        }
        cache.young(metric, inner.spec.row_time(start), end, now)
    };
    // Keys are unique: a partition's by its clustering key, partitions by their row time.
    young
        .iter()
        .flat_map(|(_, keys)| keys.iter())
        .filter(|k| k.alive(now) && k.row.data_type != LEGACY_TYPE && filter.matches(&k.row.tags))
        .take(limit)
        .map(|k| k.row.clone())
        .collect()
}

/// The static `mtime` of the `row_keys` partition of (`metric`, `rt`).
async fn mtime(
    inner: &Inner,
    metric: &str,
    rt: i64,
) -> Result<Option<CqlTimeuuid>, DatastoreError> {
    let partition = (metric.to_string(), DATA_POINTS_TABLE, CqlTimestamp(rt));
    let rows: Vec<(Option<CqlTimeuuid>,)> =
        all_rows(inner, &inner.statements.row_keys_mtime, partition).await?;
    Ok(rows.into_iter().next().and_then(|r| r.0))
}

/// The keys of one `row_keys` partition: from the cache when `cached` and its `mtime`
/// (`checked`, or read now) is unchanged, else read (the `mtime` first, so a key added
/// meanwhile changes it again).
async fn keys_at(
    inner: &Inner,
    metric: &str,
    rt: CqlTimestamp,
    cached: bool,
    checked: Option<Option<CqlTimeuuid>>,
) -> Result<Arc<Vec<CachedKey>>, DatastoreError> {
    let st = &inner.statements;
    let partition = (metric.to_string(), DATA_POINTS_TABLE, rt);
    let mtime = if cached {
        let mtime = match checked {
            Some(m) => m,
            None => mtime(inner, metric, rt.0).await?,
        };
        let now = Instant::now();
        if let Some(keys) = inner.key_cache.lock().get(metric, rt.0, mtime, now) {
            return Ok(keys);
        }
        Some((mtime, now))
    } else {
        None
    };
    let rows: Vec<KeyRow> = all_rows(inner, &st.row_keys, partition).await?;
    let read_at = Instant::now();
    let keys: Arc<Vec<CachedKey>> = Arc::new(
        rows.into_iter()
            .filter_map(|(rt, data_type, tags, ttl)| {
                let data_type = data_type?;
                let tags: Vec<(String, String)> = tags.unwrap_or_default().into_iter().collect();
                Some(CachedKey {
                    row: RowKey::new(metric, rt.0, &data_type, &tags),
                    expires: ttl
                        .filter(|t| *t > 0)
                        .map(|t| read_at + Duration::from_secs(t as u64)),
                })
            })
            .collect(),
    );
    if let Some((mtime, seen_at)) = mtime {
        inner
            .key_cache
            .lock()
            .put(metric, rt.0, mtime, keys.clone(), seen_at);
    }
    Ok(keys)
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
        for row in find_rows(inner, &metric, i64::MIN, i64::MAX, &TagFilter::all(), false).await? {
            set.extend(row.tags.into_iter().map(|(n, v)| if names { n } else { v }));
        }
    }
    let mut out: Vec<String> = set.into_iter().collect();
    out.sort_by(|a, b| java_cmp(a, b));
    Ok(out)
}
