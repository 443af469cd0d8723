//! What Cassandra itself accepts: the rows one kairosdb-rs ingest run writes (the `data_points`
//! columns of the same series, tags, timestamps and value types as `ingest`, plus one `row_keys`
//! row per series and row; the few time-index and name rows are left out),
//! written straight through the scylla driver with prepared statements in UNLOGGED batches,
//! no HTTP, no parsing, no caches to consult. Issue 8 compares the server's Cassandra ingest
//! rate against this figure (target: at least 80 %).
//!
//! `cassandra_raw --contact 127.0.0.1:9042 [--series 10000] [--metrics 10] [--points 2000000]
//! [--duration SECS] [--batch 200] [--concurrency 32]`: creates a scratch keyspace with the Java
//! schema, writes until the points or the seconds run out (`--order arrival`, the default: in the
//! order `ingest` sends them, so each batch spans `--batch` series; `--order partition`: each batch
//! holds consecutive points of one series, one partition, Cassandra's best case), prints `points/s` (and a
//! `result: cassandra_raw points=N secs=S rate=R` line for scripts), and drops the keyspace.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kairosdb_bench::{now_ms, run_id, SeriesSet};

use kairosdb::datastore::cassandra::cql;
use kairosdb::datastore::column_name::RowSpec;
use kairosdb::datastore::row_key::RowKey;
use kairosdb::datastore::value_codec::{pack_long, DOUBLE_TYPE, LONG_TYPE};
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::statement::batch::{Batch, BatchType};
use scylla::statement::Consistency;

/// Settings from the command line.
struct Args {
    contact: String,
    series: u64,
    metrics: u64,
    points: u64,
    duration: Duration,
    batch: usize,
    concurrency: usize,
    /// Batches of consecutive points of one series (one partition) instead of arrival order.
    by_partition: bool,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        contact: "127.0.0.1:9042".into(),
        series: 10_000,
        metrics: 10,
        points: 2_000_000,
        duration: Duration::from_secs(3600),
        batch: 200,
        concurrency: 32,
        by_partition: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let num = |v: String| v.parse::<u64>().map_err(|_| format!("bad number {v:?}"));
        match flag.as_str() {
            "--contact" => a.contact = val()?,
            "--series" => a.series = num(val()?)?,
            "--metrics" => a.metrics = num(val()?)?,
            "--points" => a.points = num(val()?)?,
            "--duration" => a.duration = Duration::from_secs(num(val()?)?),
            "--batch" => a.batch = num(val()?)? as usize,
            "--concurrency" => a.concurrency = num(val()?)? as usize,
            "--order" => {
                a.by_partition = match val()?.as_str() {
                    "arrival" => false,
                    "partition" => true,
                    other => return Err(format!("--order: arrival or partition, not {other:?}")),
                }
            }
            "--help" | "-h" => {
                println!("cassandra_raw --contact HOST:PORT [--series N] [--metrics N] [--points N] [--duration SECS] [--batch N] [--concurrency N] [--order arrival|partition]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if a.series == 0 || a.metrics == 0 || a.batch == 0 || a.concurrency == 0 {
        return Err("--series, --metrics, --batch and --concurrency must be positive".into());
    }
    Ok(a)
}

/// The stored form of one point: row key, column name and value bytes.
struct Point {
    key: Vec<u8>,
    column: Vec<u8>,
    value: Vec<u8>,
}

/// The series and timestamps of one run, as `ingest` makes them: slot `i` is series `i % series`,
/// timestamp `base + (i / series) * 1000` ms; even metrics carry longs, odd ones doubles.
struct Layout {
    set: SeriesSet,
    base: i64,
    /// `--order partition`: the points of slot block `b` (of `batch` slots) all belong to one series.
    block: Option<u64>,
}

impl Layout {
    fn new(a: &Args) -> Layout {
        let set = SeriesSet::new(&format!("bench.{}", run_id()), a.series, a.metrics);
        let per_series = a.points.div_ceil(set.count()) as i64;
        let base = (now_ms() - per_series * 1000 - 60_000) / 1000 * 1000;
        Layout {
            set,
            base,
            block: a.by_partition.then_some(a.batch as u64),
        }
    }

    /// Metric name, tags and whether series `s` carries longs.
    fn series(&self, s: u64) -> (String, Vec<(String, String)>, bool) {
        let m = self.set.metric_index(s);
        let tags = self
            .set
            .tags(s)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        (self.set.metric_name(m), tags, m % 2 == 0)
    }

    fn point(&self, spec: &RowSpec, i: u64) -> Point {
        let (s, n) = match self.block {
            None => (i % self.set.count(), i / self.set.count()),
            // Block b goes to series b % count, points (b / count) * block .. + block of it.
            Some(block) => {
                let b = i / block;
                let s = b % self.set.count();
                (s, (b / self.set.count()) * block + i % block)
            }
        };
        let (metric, tags, long) = self.series(s);
        let ts = self.base + n as i64 * 1000;
        let row_time = spec.row_time(ts);
        let data_type = if long { LONG_TYPE } else { DOUBLE_TYPE };
        let key = RowKey::new(&metric, row_time, data_type, &tags).encode();
        let mut value = Vec::with_capacity(8);
        if long {
            pack_long(((i * 7919) % 100_000) as i64, &mut value);
        } else {
            let v = ((i * 31) % 1000) as f64 + (i % 10) as f64 / 10.0;
            value.extend_from_slice(&v.to_bits().to_be_bytes());
        }
        Point {
            key,
            column: spec.column_name(row_time, ts).to_vec(),
            value,
        }
    }
}

async fn exec(s: &Session, cql_text: &str) -> Result<(), String> {
    s.query_unpaged(cql_text, ())
        .await
        .map(|_| ())
        .map_err(|e| format!("{cql_text}: {e}"))
}

async fn run(a: Args) -> Result<(), String> {
    let session = Arc::new(
        SessionBuilder::new()
            .known_node(&a.contact)
            .build()
            .await
            .map_err(|e| format!("connect to {}: {e}", a.contact))?,
    );
    let ks = format!("bench_raw_{}", std::process::id());
    exec(&session, &format!("CREATE KEYSPACE {ks} WITH REPLICATION = {{'class': 'SimpleStrategy','replication_factor' : 1}}")).await?;
    session
        .use_keyspace(&ks, false)
        .await
        .map_err(|e| e.to_string())?;
    for (_, create) in cql::CREATE_TABLES {
        exec(&session, create).await?;
    }
    let result = write(&a, session.clone()).await;
    exec(&session, &format!("DROP KEYSPACE {ks}")).await?;
    let (secs, rows, points) = result?;
    println!(
        "cassandra_raw: {points} points ({rows} index rows) in {secs:.1} s = {:.0} points/s (batch {}, {} batches in flight, order {})",
        points as f64 / secs,
        a.batch,
        a.concurrency,
        if a.by_partition { "partition" } else { "arrival" }
    );
    println!(
        "result: cassandra_raw points={points} secs={secs:.2} rate={:.0}",
        points as f64 / secs
    );
    Ok(())
}

/// Writes the index rows of every series once, then the points until `--points` or `--duration`;
/// returns (seconds, index rows, points written).
async fn write(a: &Args, session: Arc<Session>) -> Result<(f64, u64, u64), String> {
    let mut insert = session
        .prepare(cql::DATA_POINTS_INSERT)
        .await
        .map_err(|e| e.to_string())?;
    insert.set_consistency(Consistency::Quorum);
    let mut row_key = session
        .prepare(cql::ROW_KEY_INSERT)
        .await
        .map_err(|e| e.to_string())?;
    row_key.set_consistency(Consistency::Quorum);
    let spec = RowSpec::default();
    let layout = Arc::new(Layout::new(a));
    let start = Instant::now();
    let deadline = start + a.duration;
    // Index rows: one row_keys row per series and row (a run's points fall in one or two rows).
    let mut rows = 0u64;
    let last_ts = layout.base + (a.points.div_ceil(a.series) as i64) * 1000;
    let mut row_times = vec![spec.row_time(layout.base)];
    if spec.row_time(last_ts) != row_times[0] {
        row_times.push(spec.row_time(last_ts));
    }
    // Written by `concurrency` tasks, series t, t + concurrency, ...
    let mut index_tasks = Vec::new();
    for t in 0..a.concurrency as u64 {
        let (session, row_key, layout) = (session.clone(), row_key.clone(), layout.clone());
        let (row_times, step, until) = (
            row_times.clone(),
            a.concurrency as u64,
            a.series.min(a.points),
        );
        index_tasks.push(tokio::spawn(async move {
            let mut rows = 0u64;
            for s in (t..until).step_by(step as usize) {
                let (metric, tags, long) = layout.series(s);
                let data_type = if long { LONG_TYPE } else { DOUBLE_TYPE };
                let map: std::collections::HashMap<String, String> = tags.into_iter().collect();
                for rt in &row_times {
                    let rt = scylla::value::CqlTimestamp(*rt);
                    session
                        .execute_unpaged(
                            &row_key,
                            (&metric, cql::DATA_POINTS_TABLE, rt, data_type, &map, 0i32),
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                    rows += 1;
                }
            }
            Ok::<u64, String>(rows)
        }));
    }
    for t in index_tasks {
        rows += t.await.map_err(|e| e.to_string())??;
    }
    let next = Arc::new(AtomicU64::new(0));
    let written = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..a.concurrency {
        let (session, next, insert) = (session.clone(), next.clone(), insert.clone());
        let (layout, written) = (layout.clone(), written.clone());
        let (points, batch_size) = (a.points, a.batch as u64);
        tasks.push(tokio::spawn(async move {
            loop {
                let first = next.fetch_add(batch_size, Ordering::Relaxed);
                if first >= points || Instant::now() >= deadline {
                    return Ok::<(), String>(());
                }
                let last = (first + batch_size).min(points);
                let mut batch = Batch::new(BatchType::Unlogged);
                batch.set_consistency(Consistency::Quorum);
                let mut values = Vec::with_capacity((last - first) as usize);
                for i in first..last {
                    let p = layout.point(&spec, i);
                    batch.append_statement(insert.clone());
                    values.push((p.key, p.column, p.value, 0i32, kairosdb_ms()));
                }
                session
                    .batch(&batch, values)
                    .await
                    .map_err(|e| e.to_string())?;
                written.fetch_add(last - first, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    Ok((
        start.elapsed().as_secs_f64(),
        rows,
        written.load(Ordering::Relaxed),
    ))
}

/// A write timestamp in ms, as KairosDB sends it.
fn kairosdb_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("cassandra_raw: {e}");
            std::process::exit(2);
        }
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cassandra_raw: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = rt.block_on(run(a)) {
        eprintln!("cassandra_raw: {e}");
        std::process::exit(1);
    }
}
