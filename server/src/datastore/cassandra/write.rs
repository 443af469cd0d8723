//! The write path (spec §3.6, §4): TTLs, row keys and columns, the index rows a cache miss
//! needs, then UNLOGGED batches at the write consistency with bounded concurrency; the call
//! returns only after every batch is acknowledged.

use futures_util::stream::{self, StreamExt, TryStreamExt};
use protocols::SeriesPoints;
use scylla::errors::{DbError, ExecutionError, RequestAttemptError};
use scylla::serialize::row::SerializeRow;
use scylla::statement::batch::{Batch, BatchType};
use scylla::statement::prepared::PreparedStatement;
use scylla::value::{CqlTimestamp, CqlValue};

use super::cache::SeenCache;
use super::cql::{DATA_POINTS_TABLE, METRIC_NAMES_KEY};
use super::options::CassandraOptions;
use super::session::{engine, with_retry};
use super::tag_index;
use super::Inner;
use crate::datastore::column_name::RowSpec;
use crate::datastore::{value_codec, DatastoreError, RowKey};

/// Cassandra's largest TTL, in seconds.
pub const MAX_TTL: i64 = 630_720_000;

/// Estimated bytes per batch, kept under Cassandra's default 50 KiB batch failure threshold.
const MAX_BATCH_BYTES: usize = 32 * 1024;

/// Java `BatchHandler` TTL rules 1–3: the point's TTL in seconds, or `None` to drop it.
pub fn point_ttl(event_ttl: i64, ts: i64, now: i64, o: &CassandraOptions) -> Option<i64> {
    let mut ttl = if o.force_default_ttl {
        o.datapoint_ttl
    } else {
        event_ttl
    };
    if ttl == 0 {
        ttl = o.datapoint_ttl;
    }
    if o.align_ttl {
        // Java: (int)((now - ts) / 1000), truncating toward zero.
        ttl -= now.saturating_sub(ts) / 1000;
        if ttl <= 0 || ttl >= MAX_TTL {
            return None;
        }
    }
    Some(ttl)
}

/// Java row-key TTL: 0 stays 0, otherwise the data TTL plus the row width in seconds
/// (capped at Cassandra's maximum, where Java's index batch would fail silently).
pub fn row_key_ttl(ttl: i64, spec: &RowSpec) -> i32 {
    if ttl == 0 {
        0
    } else {
        (ttl + spec.width_millis() / 1000).min(MAX_TTL) as i32
    }
}

/// Index entries already written by this process.
pub struct WriteCaches {
    /// Encoded row keys.
    pub row_keys: SeenCache<Vec<u8>>,
    /// (metric, row time) pairs with their `string_index` and `row_key_time_index` rows.
    pub row_times: SeenCache<(String, i64)>,
}

/// One `data_points` insert.
struct PointRow {
    key: usize,
    column: [u8; 4],
    value: Vec<u8>,
    ttl: i32,
}

/// Everything one `write` call sends.
#[derive(Default)]
pub struct Plan {
    keys: Vec<Vec<u8>>,
    names: Vec<String>,
    row_times: Vec<(String, i64, i32)>,
    row_keys: Vec<(RowKey, i32)>,
    /// (index into `row_keys`, `single_tag_pair`, `tag_collection_hash`).
    tag_rows: Vec<(usize, String, i32)>,
    points: Vec<PointRow>,
}

/// Turns a batch into statements; index rows only for keys the caches do not hold.
pub fn plan(
    batch: &[SeriesPoints],
    spec: &RowSpec,
    o: &CassandraOptions,
    caches: &mut WriteCaches,
    now: i64,
) -> Result<Plan, DatastoreError> {
    let mut p = Plan::default();
    let mut key_index: std::collections::HashMap<Vec<u8>, usize> = Default::default();
    let mut times_seen = std::collections::HashSet::new();
    for series in batch {
        if series.metric.contains('\0') {
            return Err(DatastoreError::Rejected(format!(
                "cannot store metric {:?}: the name contains NUL",
                series.metric
            )));
        }
        if !(0..=MAX_TTL).contains(&series.ttl) {
            return Err(DatastoreError::Rejected(format!(
                "cannot store metric {:?}: ttl {} is outside 0..={MAX_TTL} seconds",
                series.metric, series.ttl
            )));
        }
        for point in &series.points {
            let Some(ttl) = point_ttl(series.ttl, point.timestamp, now, o) else {
                tracing::warn!(metric = %series.metric, "aligned TTL is not positive; point dropped");
                continue;
            };
            let data_type = value_codec::data_type(&point.value);
            let row_time = spec.row_time(point.timestamp);
            let row = RowKey {
                metric: series.metric.clone(),
                row_time,
                data_type: data_type.to_string(),
                tags: series.tags.clone(),
            };
            let encoded = row.encode();
            let key = match key_index.get(&encoded) {
                Some(i) => *i,
                None => {
                    let rk_ttl = row_key_ttl(ttl, spec);
                    if !caches.row_keys.contains(&encoded) {
                        let time_key = (series.metric.clone(), row_time);
                        if !caches.row_times.contains(&time_key) && times_seen.insert(time_key) {
                            p.names.push(series.metric.clone());
                            p.row_times.push((series.metric.clone(), row_time, rk_ttl));
                        }
                        if let Some(e) = tag_index::entries(&o.tag_index, &row.metric, &row.tags) {
                            let at = p.row_keys.len();
                            p.tag_rows
                                .extend(e.pairs.into_iter().map(|pair| (at, pair, e.hash)));
                        }
                        p.row_keys.push((row, rk_ttl));
                    }
                    key_index.insert(encoded.clone(), p.keys.len());
                    p.keys.push(encoded);
                    p.keys.len() - 1
                }
            };
            let mut value = Vec::with_capacity(16);
            value_codec::encode(&point.value, &mut value).map_err(|e| {
                DatastoreError::Rejected(format!("metric {:?}: {e}", series.metric))
            })?;
            p.points.push(PointRow {
                key,
                column: spec.column_name(row_time, point.timestamp),
                value,
                ttl: ttl as i32,
            });
        }
    }
    // Points of one partition side by side: a batch then holds few partitions, which costs
    // Cassandra far less than one mutation per point.
    p.points.sort_by_key(|pt| (pt.key, pt.column));
    // Every statement of a write carries the same write timestamp (Java's `m_now`, in ms,
    // DS/cassandra/CQLBatch.java), so Cassandra would settle one cell written twice here by
    // comparing values. The point that came later wins instead, as on the embedded store:
    // the sort is stable, so it is the last of its run and takes the kept slot.
    p.points.dedup_by(|later, kept| {
        let same = later.key == kept.key && later.column == kept.column;
        if same {
            std::mem::swap(later, kept);
        }
        same
    });
    Ok(p)
}

impl Plan {
    /// Adds the index entries of a written plan to the caches.
    pub fn commit(self, caches: &mut WriteCaches) {
        for (row, _) in self.row_keys {
            caches.row_times.insert((row.metric.clone(), row.row_time));
            caches.row_keys.insert(row.encode());
        }
    }

    /// Number of `data_points` inserts.
    pub fn point_count(&self) -> usize {
        self.points.len()
    }
}

/// The tag map bound in Java `TreeMap` order (the row key keeps that order).
pub fn tag_map(tags: &[(String, String)]) -> CqlValue {
    CqlValue::Map(
        tags.iter()
            .map(|(k, v)| (CqlValue::Text(k.clone()), CqlValue::Text(v.clone())))
            .collect(),
    )
}

/// Splits `0..n` into batches of at most `max` statements and about [`MAX_BATCH_BYTES`].
fn chunks(n: usize, max: usize, size: impl Fn(usize) -> usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for i in 0..n {
        let s = size(i);
        if i > start && (i - start >= max || bytes + s > MAX_BATCH_BYTES) {
            out.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += s;
    }
    if start < n {
        out.push(start..n);
    }
    out
}

fn too_large(e: &ExecutionError) -> bool {
    matches!(e, ExecutionError::LastAttemptError(RequestAttemptError::DbError(DbError::Invalid, m)) if m.contains("Batch too large"))
}

fn batch_of(stmt: &PreparedStatement, n: usize, o: &CassandraOptions, now: i64) -> Batch {
    let mut b = Batch::new(BatchType::Unlogged);
    for _ in 0..n {
        b.append_statement(stmt.clone());
    }
    b.set_consistency(o.write_consistency);
    b.set_timestamp(Some(now));
    b.set_is_idempotent(true);
    b
}

/// Sends one batch, halving it while Cassandra finds it too large.
async fn send_batch<V: SerializeRow + Sync>(
    inner: &Inner,
    stmt: &PreparedStatement,
    part: &[V],
    now: i64,
) -> Result<(), DatastoreError> {
    let o = &inner.options;
    let mut pending = vec![part];
    while let Some(part) = pending.pop() {
        let b = batch_of(stmt, part.len(), o, now);
        match with_retry(o.retries, || inner.session.batch(&b, part)).await {
            Ok(_) => {}
            Err(e) if too_large(&e) && part.len() > 1 => {
                let (l, r) = part.split_at(part.len() / 2);
                pending.push(r);
                pending.push(l);
            }
            Err(e) => return Err(engine(format!("write failed: {e}"))),
        }
    }
    Ok(())
}

/// Sends `values` through `stmt` as UNLOGGED batches at the write consistency, with a ms
/// client timestamp and at most `write_concurrency` batches in flight.
async fn send<V: SerializeRow + Sync>(
    inner: &Inner,
    stmt: &PreparedStatement,
    values: &[V],
    size: impl Fn(usize) -> usize,
    now: i64,
) -> Result<(), DatastoreError> {
    let o = &inner.options;
    stream::iter(chunks(values.len(), o.write_batch_size, size))
        .map(|r| send_batch(inner, stmt, &values[r], now))
        .buffer_unordered(o.write_concurrency)
        .try_collect::<Vec<()>>()
        .await
        .map(|_| ())
}

/// Sends a plan: index rows first, then the points; `now` (ms) is every statement's write
/// timestamp and the `USING TIMESTAMP` of the points.
pub async fn execute(inner: &Inner, p: &Plan, now: i64) -> Result<(), DatastoreError> {
    let st = &inner.statements;
    let names: Vec<(&[u8], &str)> = p
        .names
        .iter()
        .map(|n| (METRIC_NAMES_KEY, n.as_str()))
        .collect();
    let times: Vec<_> = p
        .row_times
        .iter()
        .map(|(m, rt, ttl)| (m.as_str(), DATA_POINTS_TABLE, CqlTimestamp(*rt), *ttl))
        .collect();
    let keys: Vec<_> = p
        .row_keys
        .iter()
        .map(|(r, ttl)| {
            let tags = tag_map(&r.tags);
            (
                r.metric.as_str(),
                DATA_POINTS_TABLE,
                CqlTimestamp(r.row_time),
                r.data_type.as_str(),
                tags,
                *ttl,
            )
        })
        .collect();
    let tagged: Vec<_> = p
        .tag_rows
        .iter()
        .map(|(at, pair, hash)| {
            let (r, ttl) = &p.row_keys[*at];
            let tags = tag_map(&r.tags);
            (
                r.metric.as_str(),
                DATA_POINTS_TABLE,
                CqlTimestamp(r.row_time),
                r.data_type.as_str(),
                pair.as_str(),
                *hash,
                tags,
                *ttl,
            )
        })
        .collect();
    let key_size = |i: usize| {
        let r = &p.row_keys[i].0;
        r.metric.len()
            + r.tags
                .iter()
                .map(|(k, v)| k.len() + v.len() + 8)
                .sum::<usize>()
            + 64
    };
    futures_util::try_join!(
        send(
            inner,
            &st.insert_name,
            &names,
            |i| p.names[i].len() + 32,
            now
        ),
        send(
            inner,
            &st.insert_row_time,
            &times,
            |i| p.row_times[i].0.len() + 40,
            now
        ),
        send(inner, &st.insert_row_key, &keys, key_size, now),
        send(
            inner,
            &st.insert_tag_index,
            &tagged,
            |i| key_size(p.tag_rows[i].0) + p.tag_rows[i].1.len(),
            now
        ),
    )?;
    let points: Vec<_> = p
        .points
        .iter()
        .map(|pt| {
            (
                p.keys[pt.key].as_slice(),
                &pt.column[..],
                pt.value.as_slice(),
                pt.ttl,
                now,
            )
        })
        .collect();
    let point_size = |i: usize| {
        let pt = &p.points[i];
        p.keys[pt.key].len() + pt.value.len() + 24
    };
    send(inner, &st.insert_point, &points, point_size, now).await
}

#[cfg(test)]
mod tests;
