//! Query latency generator: seeds a day of data, then runs a query mix and prints p50/p95/p99 per kind,
//! once per client thread count (`--concurrency 1,2`), and a `result:` line per kind for scripts.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use kairosdb_bench::{count_points, now_ms, request_retrying, run_id, Flags, Latencies, SeriesSet};
use serde_json::json;

const USAGE: &str = "usage: query [--http HOST:PORT] [options]

  --http ADDR           HTTP listener (default 127.0.0.1:8080; loopback only)
  --telnet ADDR         accepted for symmetry with `ingest`; unused
  --duration SECS       run the mix for this long (default 30)
  --queries N           stop after this many queries (default 100000)
  --concurrency LIST    client threads, or a comma list run one after the other on the same seed,
                        each for --duration (default 2; e.g. 1,2: sequential latency, then 2 threads)
  --mix LIST            comma list of kinds, repeated to weight them (default raw,agg,names,tags)
                          raw:   one series over the seeded span, raw points
                          agg:   all series (or the --agg-subset), avg per minute, grouped by tag dc
                          names: GET /metricnames?prefix=
                          tags:  POST /datapoints/query/tags for the metric
  --seed-series N       series seeded before the run (default 100)
  --seed-minutes N      span of the seeded data per series, in minutes (default 1440 = one day)
  --seed-interval-ms N  spacing of seeded points (default 60000; 10000 for the 10 s scenario)
  --seed-timeout SECS   how long the seeded points may take to become visible (default 60)
  --agg-subset N        tag the first N seeded series subset=in (the rest subset=out) and restrict agg
                        queries to subset=in: a fixed amount of work however many series the metric has

Seeding writes bench.q<id>.cpu.user (a new name per run) over HTTP and waits until it is queryable.
For scripts, every figure is repeated on one line:
  result: seed points=N secs=S written_secs=S done_at=UNIX_SECS (when the queries begin)
  result: kind=raw threads=T ok=N errors=E qps=Q p50_ms=.. p95_ms=.. p99_ms=.. max_ms=..";

/// What one query kind sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Raw,
    Agg,
    Names,
    Tags,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        match s {
            "raw" => Some(Kind::Raw),
            "agg" => Some(Kind::Agg),
            "names" => Some(Kind::Names),
            "tags" => Some(Kind::Tags),
            _ => None,
        }
    }

    /// The word of `--mix` (and of `result:` lines).
    fn word(self) -> &'static str {
        match self {
            Kind::Raw => "raw",
            Kind::Agg => "agg",
            Kind::Names => "names",
            Kind::Tags => "tags",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Raw => "raw 1 series",
            Kind::Agg => "avg/1min group_by dc",
            Kind::Names => "metricnames prefix",
            Kind::Tags => "query/tags",
        }
    }
}

/// The seeded data set the queries read.
struct Seed {
    metric: String,
    prefix: String,
    hosts: u64,
    /// Agg queries are restricted to `subset=in` (the first `--agg-subset` series).
    subset: bool,
    start: i64,
    end: i64,
}

/// Per-kind outcome of one worker.
#[derive(Default, Clone)]
struct KindStats {
    lat: Latencies,
    errors: u64,
    first_error: Option<String>,
}

/// What to seed: series, span, spacing, the subset size and how long to wait for visibility.
#[derive(Clone, Copy)]
struct SeedPlan {
    series: u64,
    span_minutes: u64,
    interval_ms: u64,
    subset: u64,
    timeout: Duration,
}

fn seed(http: SocketAddr, plan: &SeedPlan) -> Seed {
    let SeedPlan {
        series,
        span_minutes,
        interval_ms,
        subset,
        timeout,
    } = *plan;
    let id = run_id();
    let set = SeriesSet::new(&format!("bench.q{id}"), series, 1);
    let metric = set.metric_name(0);
    // `minutes` counts points per series from here on: one every `interval_ms`.
    let minutes = (span_minutes * 60_000 / interval_ms).max(1);
    let step = interval_ms as i64;
    let end = now_ms() / 60_000 * 60_000;
    let start = end - (minutes as i64 - 1) * step;
    println!("seed: {series} series x {minutes} points ({interval_ms} ms apart) of {metric}");
    let t = Instant::now();
    let mut conn = None;
    let per_request = 20_000u64;
    let total = series * minutes;
    let mut k = 0;
    while k < total {
        // Slot k: series k / minutes, minute k % minutes; one JSON object per series run.
        let upto = (k + per_request).min(total);
        let mut body = String::from("[");
        let mut first_obj = true;
        let mut s = k / minutes;
        while s * minutes < upto {
            let from = (s * minutes).max(k);
            let to = ((s + 1) * minutes).min(upto);
            if !first_obj {
                body.push(',');
            }
            first_obj = false;
            let _ = write!(body, r#"{{"name":"{metric}","tags":{{"#);
            for (j, (tk, tv)) in set.tags(s).iter().enumerate() {
                let _ = write!(body, r#"{}"{tk}":"{tv}""#, if j > 0 { "," } else { "" });
            }
            if subset > 0 {
                let v = if s < subset { "in" } else { "out" };
                let _ = write!(body, r#","subset":"{v}""#);
            }
            body.push_str(r#"},"datapoints":["#);
            for slot in from..to {
                let minute = (slot % minutes) as i64;
                let _ = write!(
                    body,
                    "{}[{},{}.5]",
                    if slot > from { "," } else { "" },
                    start + minute * step,
                    slot % 97
                );
            }
            body.push_str("]}");
            s += 1;
        }
        body.push(']');
        match request_retrying(
            &mut conn,
            http,
            "POST",
            "/api/v1/datapoints",
            &[],
            body.as_bytes(),
        ) {
            Ok(r) if r.status == 204 => {}
            Ok(r) => {
                eprintln!("seed: ingest answered {}: {}", r.status, r.text());
                std::process::exit(1);
            }
            Err(e) => {
                eprintln!("seed: ingest failed: {e}");
                std::process::exit(1);
            }
        }
        k = upto;
    }
    let written = t.elapsed().as_secs_f64();
    println!("seed: {total} points acknowledged in {written:.2} s");
    // Wait until the seed is visible.
    let deadline = Instant::now() + timeout;
    loop {
        match count_points(http, &metric, start, end) {
            Ok((n, _)) if n >= total => break,
            Ok((n, _)) if Instant::now() >= deadline => {
                eprintln!(
                    "seed: only {n} of {total} points visible after {:.0} s",
                    timeout.as_secs_f64()
                );
                std::process::exit(1);
            }
            Err(e) if Instant::now() >= deadline => {
                eprintln!("seed: cannot count points: {e}");
                std::process::exit(1);
            }
            _ => thread::sleep(Duration::from_millis(200)),
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!("seed: {total} points written and visible in {secs:.2} s");
    println!(
        "result: seed points={total} secs={secs:.2} written_secs={written:.2} done_at={:.3}",
        now_ms() as f64 / 1000.0
    );
    Seed {
        metric,
        prefix: format!("bench.q{id}"),
        hosts: series,
        subset: subset > 0 && subset < series,
        start,
        end,
    }
}

/// Builds the request of `kind`; `r` picks the host for raw queries.
fn build(seed: &Seed, kind: Kind, r: u64) -> (&'static str, String, String) {
    match kind {
        Kind::Raw => {
            let host = format!("host-{:05}", r % seed.hosts);
            let q = json!({"start_absolute": seed.start, "end_absolute": seed.end,
                           "metrics": [{"name": seed.metric, "tags": {"host": host}}]});
            (
                "POST",
                "/api/v1/datapoints/query".to_string(),
                q.to_string(),
            )
        }
        Kind::Agg => {
            let mut m = json!({
                "name": seed.metric,
                "group_by": [{"name": "tag", "tags": ["dc"]}],
                "aggregators": [{"name": "avg", "sampling": {"value": 1, "unit": "minutes"}}]
            });
            if seed.subset {
                m["tags"] = json!({"subset": ["in"]});
            }
            let q = json!({"start_absolute": seed.start, "end_absolute": seed.end, "metrics": [m]});
            (
                "POST",
                "/api/v1/datapoints/query".to_string(),
                q.to_string(),
            )
        }
        Kind::Names => {
            let p = kairosdb_tests::http::url_encode(&seed.prefix);
            (
                "GET",
                format!("/api/v1/metricnames?prefix={p}"),
                String::new(),
            )
        }
        Kind::Tags => {
            let q = json!({"start_absolute": seed.start, "end_absolute": seed.end, "metrics": [{"name": seed.metric}]});
            (
                "POST",
                "/api/v1/datapoints/query/tags".to_string(),
                q.to_string(),
            )
        }
    }
}

fn worker(
    http: SocketAddr,
    seed: &Seed,
    mix: &[Kind],
    counter: &AtomicU64,
    max: u64,
    deadline: Instant,
) -> Vec<KindStats> {
    let mut stats = vec![KindStats::default(); mix.len()];
    let mut conn = None;
    loop {
        let q = counter.fetch_add(1, Ordering::Relaxed);
        if q >= max || Instant::now() >= deadline {
            return stats;
        }
        let slot = (q % mix.len() as u64) as usize;
        let kind = mix[slot];
        let (method, path, body) = build(seed, kind, q.wrapping_mul(2_654_435_761));
        let t = Instant::now();
        let result = request_retrying(&mut conn, http, method, &path, &[], body.as_bytes());
        let elapsed = t.elapsed();
        let st = &mut stats[slot];
        match result {
            Ok(r) if r.status == 200 => st.lat.push(elapsed),
            Ok(r) => {
                st.errors += 1;
                st.first_error.get_or_insert_with(|| {
                    format!(
                        "HTTP {}: {}",
                        r.status,
                        r.text().chars().take(200).collect::<String>()
                    )
                });
            }
            Err(e) => {
                st.errors += 1;
                st.first_error.get_or_insert_with(|| e.to_string());
                thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// Runs the mix with `threads` client threads until `duration` or `max` queries; prints the table and one
/// `result:` line per kind. Returns the kinds of which every query failed.
fn phase(
    http: SocketAddr,
    seed: &Arc<Seed>,
    mix: &Arc<Vec<Kind>>,
    threads: u64,
    duration: Duration,
    max: u64,
) -> Vec<&'static str> {
    println!(
        "query: {threads} threads, mix {:?}, up to {max} queries or {:.0} s",
        mix.as_slice(),
        duration.as_secs_f64()
    );
    let counter = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (seed, mix, counter) = (Arc::clone(seed), Arc::clone(mix), Arc::clone(&counter));
            thread::spawn(move || worker(http, &seed, &mix, &counter, max, deadline))
        })
        .collect();
    let mut merged: Vec<(Kind, KindStats)> = Vec::new();
    for h in handles {
        let Ok(stats) = h.join() else { continue };
        for (slot, st) in stats.into_iter().enumerate() {
            let kind = mix[slot];
            match merged.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, m)) => {
                    m.lat.merge(&st.lat);
                    m.errors += st.errors;
                    if m.first_error.is_none() {
                        m.first_error = st.first_error;
                    }
                }
                None => merged.push((kind, st)),
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!();
    println!(
        "{:<22} {:>7} {:>7} {:>8}  latency of successful queries",
        "kind", "ok", "errors", "ok/s"
    );
    let mut all_failed = Vec::new();
    for (kind, st) in &merged {
        let qps = st.lat.len() as f64 / elapsed;
        let sum = st.lat.summary();
        println!(
            "{:<22} {:>7} {:>7} {qps:>8.1}  {sum}",
            kind.label(),
            st.lat.len(),
            st.errors,
        );
        if let Some(e) = &st.first_error {
            println!("  first error: {e}");
        }
        if st.lat.is_empty() && st.errors > 0 {
            all_failed.push(kind.label());
            continue;
        }
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "result: kind={} threads={threads} ok={} errors={} qps={qps:.1} p50_ms={:.2} p95_ms={:.2} p99_ms={:.2} max_ms={:.2}",
            kind.word(),
            st.lat.len(),
            st.errors,
            ms(sum.p50),
            ms(sum.p95),
            ms(sum.p99),
            ms(sum.max)
        );
    }
    println!();
    all_failed
}

fn main() {
    let flags = Flags::parse(USAGE);
    let http = flags.loopback_addr("http", "127.0.0.1:8080");
    let _ = flags.loopback_addr("telnet", "127.0.0.1:4242");
    let duration = flags.secs("duration", 30.0);
    let max = flags.u64("queries", 100_000);
    let phases: Vec<u64> = flags
        .string("concurrency", "2")
        .split(',')
        .map(|t| {
            t.trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .unwrap_or_else(|| flags.fail(&format!("--concurrency: not a thread count: {t:?}")))
        })
        .collect();
    let mix: Vec<Kind> = flags
        .string("mix", "raw,agg,names,tags")
        .split(',')
        .map(|k| {
            Kind::parse(k.trim())
                .unwrap_or_else(|| flags.fail(&format!("--mix: unknown kind {k:?}")))
        })
        .collect();
    let plan = SeedPlan {
        series: flags.u64("seed-series", 100).max(1),
        span_minutes: flags.u64("seed-minutes", 1440).max(1),
        interval_ms: flags.u64("seed-interval-ms", 60_000).max(1),
        subset: flags.u64("agg-subset", 0),
        timeout: flags.secs("seed-timeout", 60.0),
    };
    let seed = Arc::new(seed(http, &plan));
    let mix = Arc::new(mix);
    let mut failed = Vec::new();
    for threads in phases {
        failed.extend(phase(http, &seed, &mix, threads, duration, max));
    }
    if !failed.is_empty() {
        failed.dedup();
        println!("note: every query of {failed:?} failed in some phase; see the first error above");
        std::process::exit(1);
    }
}
