//! Runs parsed queries against the datastore and writes the org.json-style response.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use plugin_api::{AggregateError, DataPoint, GroupBy, GroupInfo};
use protocols::json::format::{push_point, push_quoted};
use protocols::json::query::{MetricQuery, Query};

use super::count::count_rows;
use super::groups::{group_rows, RowGroup};
use super::hash_order::hash_ordered_tags;
use super::limits::{MetricStat, Monitor, QueryLimits};
use super::merge::Merger;
use super::output::{Output, ResultOut};
use super::parallel;
use super::pipeline::Pipeline;
use super::prefetch;
use super::spill::SpillSet;
use crate::datastore::{DatastoreRef, PointReader, ReadRange, RowKey, RowsToRead, TagFilter};
use crate::http::ApiError;

/// Points pulled from the merge per step.
const BATCH: usize = 4096;
/// Points a metric query reads before its groups are worth running on several threads.
const PARALLEL_POINTS: u64 = 200_000;

/// What the engine needs from the server.
#[derive(Clone)]
pub struct Engine {
    /// The datastore to read.
    pub datastore: DatastoreRef,
    /// Tag-filter regex marker (`kairosdb.queries.regex_prefix`).
    pub regex_prefix: String,
    /// Data-point and time limits of each metric query.
    pub limits: QueryLimits,
    /// Where each metric query's statistics go, when someone reports them.
    pub stats: Option<std::sync::Arc<parking_lot::Mutex<Vec<MetricStat>>>>,
}

fn agg_err(e: AggregateError) -> ApiError {
    match e {
        AggregateError::Failed(m) => ApiError::Internal(m),
    }
}

impl Engine {
    fn filter(&self, m: &MetricQuery) -> Result<TagFilter, ApiError> {
        TagFilter::new(&m.tags, &self.regex_prefix).map_err(|e| ApiError::Internal(Some(e.0)))
    }

    /// The rows `m` selects.
    fn rows(&self, m: &MetricQuery) -> Result<Vec<RowKey>, ApiError> {
        let rows = self
            .datastore
            .find_rows(&m.name, m.start, m.end, &self.filter(m)?)?;
        super::limits::check_row_keys(self.limits, rows.len())?;
        Ok(rows)
    }

    /// The rows `m` selects to read in `range`, the first ones perhaps already being read.
    fn rows_to_read(&self, m: &MetricQuery, range: &ReadRange) -> Result<RowsToRead, ApiError> {
        let found = self.datastore.find_rows_to_read(
            &m.name,
            &self.filter(m)?,
            range,
            prefetch::ROWS_AT_ONCE,
        )?;
        super::limits::check_row_keys(self.limits, found.rows.len())?;
        Ok(found)
    }
}

/// Numbers each metric query's reads, so a store can share its read slots fairly.
static NEXT_QUERY: AtomicU64 = AtomicU64::new(1);

fn range(m: &MetricQuery) -> ReadRange {
    ReadRange {
        start: m.start,
        end: m.end,
        order: m.order,
        limit: m.limit.max(0) as u64,
        query: NEXT_QUERY.fetch_add(1, Ordering::Relaxed),
        rows: 0,
    }
}

/// Runs `/api/v1/datapoints/query` and writes `{"queries":[...]}`.
pub fn run_query(engine: &Engine, query: &Query, out: &mut Output) -> Result<(), ApiError> {
    out.buf().extend_from_slice(b"{\"queries\":[");
    for (i, m) in query.metrics.iter().enumerate() {
        if i > 0 {
            out.buf().push(b',');
        }
        let span = tracing::debug_span!("metric_query", metric = %m.name);
        let _enter = span.enter();
        run_metric(engine, m, out)?;
    }
    out.buf().extend_from_slice(b"]}");
    Ok(())
}

fn run_metric(engine: &Engine, m: &MetricQuery, out: &mut Output) -> Result<(), ApiError> {
    let monitor = Monitor::start(engine.limits);
    let mut range = range(m);
    let found = engine.rows_to_read(m, &range)?;
    range.rows = found.rows.len();
    let (rows, sample_size, fetched) = if engine.datastore.counts_cost_a_read() {
        let open = |row: &RowKey| engine.datastore.read_points(row, &range);
        let f = prefetch::prefetch(
            found.rows,
            found.started,
            &open,
            &monitor,
            prefetch::MEMORY_BUDGET,
        )?;
        (f.rows, f.sample_size, Some(f.points))
    } else {
        let (rows, n) = count_rows(engine, found.rows, &range, &monitor)?;
        (rows, n, None)
    };
    let source = RowSource {
        engine,
        range,
        fetched: fetched.as_ref(),
    };
    // Counted before any point is read, so an oversized query fails with a 500 as in Java.
    monitor.check_points(sample_size)?;
    tracing::debug!(
        rows = rows.len(),
        sample_size,
        elapsed_ms = monitor.elapsed_ms(),
        "rows found"
    );
    let mut stat = MetricStat {
        name: m.name.clone(),
        sample_size,
        rows: rows.len() as u64,
        datastore_ms: monitor.elapsed_ms(),
        total_ms: 0,
    };
    // `sample_size` is a Java int.
    let header = format!("{{\"sample_size\":{},\"results\":[", sample_size as i32);
    out.buf().extend_from_slice(header.as_bytes());
    let tag_names = m
        .group_bys
        .iter()
        .find_map(|g| g.tag_names())
        .map(|n| n.to_vec());
    let others: Vec<&dyn GroupBy> = m
        .group_bys
        .iter()
        .filter(|g| g.tag_names().is_none())
        .map(|g| g.as_ref())
        .collect();
    let mut first = true;
    let groups = group_rows(rows, tag_names.as_deref());
    if !others.is_empty() {
        for group in &groups {
            write_regrouped(&source, m, group, &others, &monitor, &mut first, out)?;
        }
    } else {
        let threads = group_threads(groups.len(), sample_size);
        let work = |group: &RowGroup, out: &mut dyn ResultOut| {
            write_group(&source, m, group, &monitor, &mut true, out)
        };
        if threads > 1 {
            parallel::run_groups(&groups, threads, out, &mut first, &work)?;
        } else {
            for group in &groups {
                write_group(&source, m, group, &monitor, &mut first, out)?;
            }
        }
    }
    out.buf().extend_from_slice(b"]}");
    stat.total_ms = monitor.elapsed_ms();
    if let Some(stats) = &engine.stats {
        stats.lock().push(stat);
    }
    Ok(())
}

/// Where a metric query's row readers come from: the store, or what was read ahead.
struct RowSource<'a> {
    engine: &'a Engine,
    range: ReadRange,
    fetched: Option<&'a prefetch::Prefetched>,
}

impl RowSource<'_> {
    fn open(&self, group: &RowGroup) -> Result<Vec<Box<dyn PointReader>>, ApiError> {
        group
            .rows
            .iter()
            .map(|r| match self.fetched {
                Some(f) => Ok(f.reader(r)),
                None => self
                    .engine
                    .datastore
                    .read_points(r, &self.range)
                    .map_err(ApiError::from),
            })
            .collect()
    }
}

/// Threads for a metric query's groups: one for small queries, where starting threads
/// costs more than it saves, else one per core.
fn group_threads(groups: usize, sample_size: u64) -> usize {
    if groups < 2 || sample_size < PARALLEL_POINTS {
        return 1;
    }
    parallel::cores().min(groups)
}

/// Merges one group's rows and writes its result.
fn write_group(
    source: &RowSource,
    m: &MetricQuery,
    group: &RowGroup,
    monitor: &Monitor,
    first: &mut bool,
    out: &mut dyn ResultOut,
) -> Result<(), ApiError> {
    let tags = group.tags();
    let mut merger = Merger::new(source.open(group)?, m.order);
    write_result(
        m,
        &group.entries(),
        &tags,
        group.group_type,
        first,
        out,
        &mut |buf| {
            timed(monitor)?;
            merger
                .next_batch(buf, BATCH)
                .map_err(|e| AggregateError::msg(e.to_string()))
        },
    )
}

/// The time limit as a read failure, so it surfaces with the monitor's message.
fn timed(monitor: &Monitor) -> Result<(), AggregateError> {
    monitor.check_time().map_err(|e| match e {
        ApiError::Internal(m) => AggregateError::Failed(m),
        other => AggregateError::msg(format!("{other:?}")),
    })
}

/// Splits a group by time/value/bin group-bys, in order of first appearance (GB/Grouper.java).
fn write_regrouped(
    source: &RowSource,
    m: &MetricQuery,
    group: &RowGroup,
    others: &[&dyn GroupBy],
    monitor: &Monitor,
    first: &mut bool,
    out: &mut dyn ResultOut,
) -> Result<(), ApiError> {
    let spill_err = |e: std::io::Error| {
        ApiError::Internal(Some(format!(
            "cannot spill query groups to a temporary file: {e}"
        )))
    };
    let mut merger = Merger::new(source.open(group)?, m.order);
    let mut groups = SpillSet::default();
    let mut keys: Vec<Vec<i64>> = Vec::new();
    let mut index: HashMap<Vec<i64>, usize> = HashMap::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut ids: Vec<Vec<i64>> = vec![Vec::new(); others.len()];
    loop {
        batch.clear();
        monitor.check_time()?;
        let more = merger.next_batch(&mut batch, BATCH)?;
        for (g, ids) in others.iter().zip(ids.iter_mut()) {
            ids.clear();
            g.group_ids(&batch, ids).map_err(agg_err)?;
        }
        for (i, p) in batch.drain(..).enumerate() {
            let key: Vec<i64> = ids
                .iter()
                .map(|v| v.get(i).copied().unwrap_or(-1))
                .collect();
            let slot = match index.get(&key) {
                Some(slot) => *slot,
                None => {
                    let slot = groups.add_group();
                    index.insert(key.clone(), slot);
                    keys.push(key);
                    slot
                }
            };
            groups.push(slot, p).map_err(spill_err)?;
        }
        if !more {
            break;
        }
    }
    let tags = hash_ordered_tags(group.tags());
    for (key, reader) in keys.into_iter().zip(groups.into_readers()) {
        let mut reader = reader.map_err(spill_err)?;
        let mut entries: Vec<String> = others
            .iter()
            .zip(&key)
            .map(|(g, id)| g.result_json(*id))
            .collect();
        entries.extend(group.entries());
        write_result(
            m,
            &entries,
            &tags,
            group.group_type,
            first,
            out,
            &mut |buf| {
                reader
                    .next_batch(buf, BATCH)
                    .map_err(|e| AggregateError::msg(e.to_string()))
            },
        )?;
    }
    Ok(())
}

/// Writes one entry of `results`, pulling points from `next` (which appends a batch and
/// returns false when done).
fn write_result(
    m: &MetricQuery,
    entries: &[String],
    tags: &[(String, Vec<String>)],
    group_type: Option<&str>,
    first: &mut bool,
    out: &mut dyn ResultOut,
    next: &mut dyn FnMut(&mut Vec<DataPoint>) -> Result<bool, AggregateError>,
) -> Result<(), ApiError> {
    let info = GroupInfo {
        metric: m.name.clone(),
        group_type: group_type.unwrap_or("number").to_string(),
        tags: tags.to_vec(),
    };
    let mut pipeline =
        Pipeline::new(m.limit, &m.aggregators, group_type, &info).map_err(agg_err)?;
    let buf = out.buf();
    if !std::mem::take(first) {
        buf.push(b',');
    }
    buf.extend_from_slice(b"{\"name\":");
    push_quoted(buf, &m.name);
    if let Some(alias) = &m.alias {
        buf.extend_from_slice(b",\"alias\":");
        push_quoted(buf, alias);
    }
    if !entries.is_empty() {
        buf.extend_from_slice(b",\"group_by\":[");
        buf.extend_from_slice(entries.join(",").as_bytes());
        buf.push(b']');
    }
    if !m.exclude_tags {
        buf.extend_from_slice(b",\"tags\":");
        push_tags(buf, tags);
    }
    buf.extend_from_slice(b",\"values\":[");
    let mut first_point = true;
    let mut sink = |pts: &[DataPoint]| -> Result<(), AggregateError> {
        for p in pts {
            let buf = out.buf();
            if !std::mem::take(&mut first_point) {
                buf.push(b',');
            }
            push_point(buf, p).map_err(AggregateError::msg)?;
        }
        out.maybe_flush()
            .map_err(|_| AggregateError::msg("client disconnected"))
    };
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        batch.clear();
        let more = next(&mut batch).map_err(agg_err)?;
        if !batch.is_empty() {
            pipeline.push(&batch, &mut sink).map_err(agg_err)?;
        }
        if !more || pipeline.saturated() {
            break;
        }
    }
    pipeline.finish(&mut sink).map_err(agg_err)?;
    out.buf().extend_from_slice(b"]}");
    Ok(())
}

/// `{"name":["v1","v2"],...}`.
fn push_tags(buf: &mut Vec<u8>, tags: &[(String, Vec<String>)]) {
    buf.push(b'{');
    for (i, (name, values)) in tags.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        push_quoted(buf, name);
        buf.extend_from_slice(b":[");
        for (j, v) in values.iter().enumerate() {
            if j > 0 {
                buf.push(b',');
            }
            push_quoted(buf, v);
        }
        buf.push(b']');
    }
    buf.push(b'}');
}

/// Runs `/api/v1/datapoints/query/tags`: one result per metric with the matching rows' tags.
pub fn run_tags(engine: &Engine, query: &Query, out: &mut Output) -> Result<(), ApiError> {
    out.buf().extend_from_slice(b"{\"queries\":[");
    for (i, m) in query.metrics.iter().enumerate() {
        let rows = engine.rows(m)?;
        let group = RowGroup {
            group_type: None,
            tag_entry: None,
            rows,
        };
        let buf = out.buf();
        if i > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(b"{\"results\":[{\"name\":");
        push_quoted(buf, &m.name);
        buf.extend_from_slice(b",\"tags\":");
        push_tags(buf, &group.tags());
        buf.extend_from_slice(b",\"values\":[]}]}");
    }
    out.buf().extend_from_slice(b"]}");
    Ok(())
}

/// Deletes what each metric of the query selects.
pub fn run_delete(engine: &Engine, query: &Query) -> Result<(), ApiError> {
    for m in &query.metrics {
        let filter = engine.filter(m)?;
        engine.datastore.delete(&m.name, m.start, m.end, &filter)?;
    }
    Ok(())
}
