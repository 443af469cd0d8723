//! What Cassandra itself accepts: the rows one kairosdb-rs ingest run writes (the `data_points`
//! columns, plus one `row_keys` row per series; the few time-index and name rows are left out),
//! written straight through the scylla driver with prepared statements in UNLOGGED batches,
//! no HTTP, no parsing, no caches to consult. Issue 8 compares the server's Cassandra ingest
//! rate against this figure (target: at least 80 %).
//!
//! `cassandra_raw --contact 127.0.0.1:9042 [--series 10000] [--metrics 10] [--points 2000000]
//! [--batch 200] [--concurrency 32]`: creates a scratch keyspace with the Java schema, writes,
//! prints `points/s`, and drops the keyspace.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

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
    batch: usize,
    concurrency: usize,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        contact: "127.0.0.1:9042".into(),
        series: 10_000,
        metrics: 10,
        points: 2_000_000,
        batch: 200,
        concurrency: 32,
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
            "--batch" => a.batch = num(val()?)? as usize,
            "--concurrency" => a.concurrency = num(val()?)? as usize,
            "--help" | "-h" => {
                println!("cassandra_raw --contact HOST:PORT [--series N] [--metrics N] [--points N] [--batch N] [--concurrency N]");
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

const T0: i64 = 1_700_000_000_000;

fn series_of(a: &Args, s: u64) -> (String, Vec<(String, String)>, bool) {
    let metric = s % a.metrics;
    let tags = vec![
        ("host".to_string(), format!("host{s}")),
        ("dc".to_string(), format!("dc{}", s % 4)),
    ];
    (format!("bench.raw.m{metric}"), tags, metric % 2 == 0)
}

fn point(a: &Args, spec: &RowSpec, i: u64) -> Point {
    let s = i % a.series;
    let n = i / a.series;
    let (metric, tags, long) = series_of(a, s);
    let ts = T0 + n as i64 * 10_000;
    let row_time = spec.row_time(ts);
    let data_type = if long { LONG_TYPE } else { DOUBLE_TYPE };
    let key = RowKey::new(&metric, row_time, data_type, &tags).encode();
    let mut value = Vec::with_capacity(8);
    if long {
        pack_long(n as i64, &mut value);
    } else {
        value.extend_from_slice(&(n as f64 * 0.5).to_bits().to_be_bytes());
    }
    Point {
        key,
        column: spec.column_name(row_time, ts).to_vec(),
        value,
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
    let (secs, rows) = result?;
    println!(
        "cassandra_raw: {} points ({} index rows) in {secs:.1} s = {:.0} points/s (batch {}, {} batches in flight)",
        a.points,
        rows,
        a.points as f64 / secs,
        a.batch,
        a.concurrency
    );
    Ok(())
}

/// Writes the index rows of every series once, then all the points; returns (seconds, index rows).
async fn write(a: &Args, session: Arc<Session>) -> Result<(f64, u64), String> {
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
    let start = Instant::now();
    // Index rows: one row_keys row per series (all points of a run fall in one or two rows).
    let mut rows = 0u64;
    for s in 0..a.series.min(a.points) {
        let (metric, tags, long) = series_of(a, s);
        let data_type = if long { LONG_TYPE } else { DOUBLE_TYPE };
        let map: std::collections::HashMap<String, String> = tags.into_iter().collect();
        let rt = scylla::value::CqlTimestamp(spec.row_time(T0));
        session
            .execute_unpaged(
                &row_key,
                (metric, cql::DATA_POINTS_TABLE, rt, data_type, map, 0i32),
            )
            .await
            .map_err(|e| e.to_string())?;
        rows += 1;
    }
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..a.concurrency {
        let (session, next, insert) = (session.clone(), next.clone(), insert.clone());
        let (points, batch_size) = (a.points, a.batch as u64);
        let args = Args {
            contact: String::new(),
            ..*a
        };
        tasks.push(tokio::spawn(async move {
            loop {
                let first = next.fetch_add(batch_size, Ordering::Relaxed);
                if first >= points {
                    return Ok::<(), String>(());
                }
                let last = (first + batch_size).min(points);
                let mut batch = Batch::new(BatchType::Unlogged);
                batch.set_consistency(Consistency::Quorum);
                let mut values = Vec::with_capacity((last - first) as usize);
                for i in first..last {
                    let p = point(&args, &spec, i);
                    batch.append_statement(insert.clone());
                    values.push((p.key, p.column, p.value, 0i32, kairosdb_ms()));
                }
                session
                    .batch(&batch, values)
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }));
    }
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    Ok((start.elapsed().as_secs_f64(), rows))
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
