//! Ingest load generator: many series over HTTP JSON batches and telnet connections, reports points/second,
//! then checks that every acknowledged point can be queried.

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use kairosdb_bench::{
    count_points, now_ms, request_retrying, run_id, CountMethod, Flags, Latencies, SeriesSet,
};
use kairosdb_tests::TelnetClient;

const USAGE: &str = "usage: ingest [--http HOST:PORT] [--telnet HOST:PORT] [options]

  --http ADDR            HTTP listener (default 127.0.0.1:8080; loopback only)
  --telnet ADDR          telnet listener (default 127.0.0.1:4242; loopback only)
  --mode M               http | telnet | both (default both)
  --series N             number of series (default 10000), spread over --metrics names (default 10)
  --batch N              points per HTTP request (default 1000)
  --concurrency N        HTTP client threads (default 4)
  --telnet-connections N telnet connections (default 2)
  --telnet-chunk N       lines per telnet write; a `version` round trip confirms every 10 chunks (default 1000)
  --gzip                 send HTTP bodies with Content-Encoding: gzip
  --points N             stop after this many points (default 2000000)
  --duration SECS        stop after this many seconds (default 60)
  --rate N               offer at most N points/s in all (default 0: as fast as acknowledged); with it,
                         two servers can be compared doing the same work, e.g. for memory
  --values V             random (default) | gauge: smooth per-series values (doubles with two decimals,
                         longs that move by small steps), what regular gauges compress like
  --no-verify            skip the final count check
  --verify-timeout SECS  how long the count check may wait for points to become visible (default 60)

Besides the human-readable report, the totals are repeated on `result: ingest ... rate=N` and
`result: verify ok=true|false secs=S visible_rate=N` lines for scripts.

Each point of series s gets timestamp base + k*1000 ms, so runs never overwrite each other's points
(metric names carry a run id: bench.<id>.<metric>).";

/// Shared state of one run.
struct Run {
    series: SeriesSet,
    /// `--values gauge`: smooth per-series values instead of pseudo-random ones.
    gauge: bool,
    base_ts: i64,
    max_points: u64,
    /// `--rate`: slot k may not be sent before `started + k / rate` seconds.
    rate: Option<f64>,
    started: Instant,
    deadline: Instant,
    next_slot: AtomicU64,
    stop: AtomicBool,
    /// Acknowledged points per metric index.
    acked: Vec<AtomicU64>,
    acked_http: AtomicU64,
    acked_telnet: AtomicU64,
    failed: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Run {
    /// Claims up to `n` point slots; `None` when the run is over.
    fn claim(&self, n: u64) -> Option<std::ops::Range<u64>> {
        if self.stop.load(Ordering::Relaxed) || Instant::now() >= self.deadline {
            return None;
        }
        let start = self.next_slot.fetch_add(n, Ordering::Relaxed);
        if start >= self.max_points {
            return None;
        }
        if let Some(rate) = self.rate {
            let due = self.started + Duration::from_secs_f64(start as f64 / rate);
            if due >= self.deadline {
                return None;
            }
            let now = Instant::now();
            if due > now {
                thread::sleep(due - now);
            }
        }
        Some(start..(start + n).min(self.max_points))
    }

    /// Series index, timestamp and value text of slot `k`.
    fn point(&self, k: u64) -> (u64, i64, String) {
        let s = k % self.series.count();
        let seq = (k / self.series.count()) as i64;
        let ts = self.base_ts + seq * 1000;
        // Even metrics carry longs, odd ones doubles.
        let long = self.series.metric_index(s) % 2 == 0;
        let value = if self.gauge {
            let x = (seq as f64 * 0.01 + s as f64).sin();
            if long {
                format!("{}", 1000 + (x * 50.0).round() as i64)
            } else {
                format!("{:.2}", (x * 2000.0).round() / 100.0 + 50.0)
            }
        } else if long {
            format!("{}", (k * 7919) % 100_000)
        } else {
            format!("{}.{}", (k * 31) % 1000, k % 10)
        };
        (s, ts, value)
    }

    fn ack(&self, per_metric: &[u64]) {
        for (m, n) in per_metric.iter().enumerate() {
            if *n > 0 {
                self.acked[m].fetch_add(*n, Ordering::Relaxed);
            }
        }
    }

    fn fail(&self, points: u64, why: String) {
        self.failed.fetch_add(points, Ordering::Relaxed);
        let mut first = self.first_error.lock().unwrap_or_else(|p| p.into_inner());
        if first.is_none() {
            *first = Some(why);
        }
    }
}

/// Builds one JSON array body for the slots, one metric object per series in the batch.
fn http_body(run: &Run, slots: std::ops::Range<u64>, per_metric: &mut [u64]) -> String {
    let mut by_series: std::collections::BTreeMap<u64, Vec<(i64, String)>> = Default::default();
    for k in slots {
        let (s, ts, v) = run.point(k);
        per_metric[run.series.metric_index(s) as usize] += 1;
        by_series.entry(s).or_default().push((ts, v));
    }
    let mut body = String::from("[");
    for (i, (s, points)) in by_series.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        let name = run.series.metric_name(run.series.metric_index(*s));
        let _ = write!(body, r#"{{"name":"{name}","tags":{{"#);
        for (j, (k, v)) in run.series.tags(*s).iter().enumerate() {
            let _ = write!(body, r#"{}"{k}":"{v}""#, if j > 0 { "," } else { "" });
        }
        body.push_str(r#"},"datapoints":["#);
        for (j, (ts, v)) in points.iter().enumerate() {
            let _ = write!(body, "{}[{ts},{v}]", if j > 0 { "," } else { "" });
        }
        body.push_str("]}");
    }
    body.push(']');
    body
}

fn http_worker(run: &Run, addr: SocketAddr, batch: u64, gzip: bool) -> Latencies {
    let mut lat = Latencies::default();
    let mut conn = None;
    let metrics = run.series.metric_names().len();
    while let Some(slots) = run.claim(batch) {
        let n = slots.end - slots.start;
        let mut per_metric = vec![0u64; metrics];
        let body = http_body(run, slots, &mut per_metric);
        let (bytes, headers): (Vec<u8>, &[(&str, &str)]) = if gzip {
            (
                kairosdb_tests::http::gzip(body.as_bytes()),
                &[
                    ("Content-Type", "application/json"),
                    ("Content-Encoding", "gzip"),
                ],
            )
        } else {
            (body.into_bytes(), &[("Content-Type", "application/json")])
        };
        let t = Instant::now();
        match request_retrying(
            &mut conn,
            addr,
            "POST",
            "/api/v1/datapoints",
            headers,
            &bytes,
        ) {
            Ok(r) if r.status == 204 => {
                lat.push(t.elapsed());
                run.ack(&per_metric);
                run.acked_http.fetch_add(n, Ordering::Relaxed);
            }
            Ok(r) => run.fail(
                n,
                format!(
                    "HTTP {}: {}",
                    r.status,
                    r.text().chars().take(300).collect::<String>()
                ),
            ),
            Err(e) => {
                run.fail(n, format!("HTTP: {e}"));
                thread::sleep(Duration::from_millis(100));
            }
        }
    }
    lat
}

fn telnet_worker(run: &Run, addr: SocketAddr, chunk: u64) {
    let mut client = match TelnetClient::connect(addr) {
        Ok(c) => c,
        Err(e) => {
            run.fail(0, format!("telnet connect {addr}: {e}"));
            return;
        }
    };
    let metrics = run.series.metric_names().len();
    // Points written but not yet confirmed by a `version` answer.
    let mut pending = vec![0u64; metrics];
    let mut pending_total = 0u64;
    let mut chunks = 0u64;
    let mut buf = String::new();
    let confirm = |client: &mut TelnetClient, pending: &mut Vec<u64>, total: &mut u64| -> bool {
        match client.version() {
            Ok(_) => {
                run.ack(pending);
                run.acked_telnet.fetch_add(*total, Ordering::Relaxed);
                pending.iter_mut().for_each(|p| *p = 0);
                *total = 0;
                true
            }
            Err(e) => {
                run.fail(*total, format!("telnet version: {e}"));
                false
            }
        }
    };
    while let Some(slots) = run.claim(chunk) {
        buf.clear();
        for k in slots {
            let (s, ts, v) = run.point(k);
            let m = run.series.metric_index(s);
            let _ = write!(buf, "putm {} {ts} {v}", run.series.metric_name(m));
            for (k, v) in run.series.tags(s) {
                let _ = write!(buf, " {k}={v}");
            }
            buf.push('\n');
            pending[m as usize] += 1;
            pending_total += 1;
        }
        if let Err(e) = client.send_raw(buf.as_bytes()) {
            run.fail(pending_total, format!("telnet write: {e}"));
            return;
        }
        chunks += 1;
        if chunks % 10 == 0 && !confirm(&mut client, &mut pending, &mut pending_total) {
            return;
        }
    }
    if pending_total > 0 {
        confirm(&mut client, &mut pending, &mut pending_total);
    }
}

fn main() {
    let flags = Flags::parse(USAGE);
    let http = flags.loopback_addr("http", "127.0.0.1:8080");
    let telnet = flags.loopback_addr("telnet", "127.0.0.1:4242");
    let mode = flags.string("mode", "both");
    let (use_http, use_telnet) = match mode.as_str() {
        "http" => (true, false),
        "telnet" => (false, true),
        "both" => (true, true),
        other => flags.fail(&format!("--mode: unknown mode {other:?}")),
    };
    let series = flags.u64("series", 10_000);
    let batch = flags.u64("batch", 1000).max(1);
    let concurrency = flags.u64("concurrency", 4).max(1);
    let telnet_conns = flags.u64("telnet-connections", 2).max(1);
    let chunk = flags.u64("telnet-chunk", 1000).max(1);
    let max_points = flags.u64("points", 2_000_000);
    let duration = flags.secs("duration", 60.0);
    let gzip = flags.bool("gzip");
    let rate = Some(flags.u64("rate", 0) as f64).filter(|r| *r > 0.0);

    let id = run_id();
    let set = SeriesSet::new(&format!("bench.{id}"), series, flags.u64("metrics", 10));
    let metric_count = set.metric_names().len();
    // Start far enough back that every point of the run lies in the past.
    let points_per_series = max_points.div_ceil(set.count()) as i64;
    let base_ts = (now_ms() - points_per_series * 1000 - 60_000) / 1000 * 1000;
    let gauge = match flags.string("values", "random").as_str() {
        "random" => false,
        "gauge" => true,
        other => flags.fail(&format!("--values: unknown kind {other:?}")),
    };
    let run = Arc::new(Run {
        gauge,
        series: set,
        base_ts,
        max_points,
        rate,
        started: Instant::now(),
        deadline: Instant::now() + duration,
        next_slot: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        acked: (0..metric_count).map(|_| AtomicU64::new(0)).collect(),
        acked_http: AtomicU64::new(0),
        acked_telnet: AtomicU64::new(0),
        failed: AtomicU64::new(0),
        first_error: Mutex::new(None),
    });
    println!(
        "ingest: run {id}: {series} series over {metric_count} metrics (bench.{id}.*), mode {mode}, up to {max_points} points or {:.0} s{}",
        duration.as_secs_f64(),
        rate.map(|r| format!(", offered at {r:.0} points/s")).unwrap_or_default()
    );
    if use_http {
        println!(
            "  http {http}: {concurrency} threads, {batch} points/request{}",
            if gzip { ", gzip" } else { "" }
        );
    }
    if use_telnet {
        println!("  telnet {telnet}: {telnet_conns} connections, {chunk} lines/write");
    }

    let started = Instant::now();
    let mut http_handles = Vec::new();
    let mut telnet_handles = Vec::new();
    if use_http {
        for _ in 0..concurrency {
            let run = Arc::clone(&run);
            http_handles.push(thread::spawn(move || http_worker(&run, http, batch, gzip)));
        }
    }
    if use_telnet {
        for _ in 0..telnet_conns {
            let run = Arc::clone(&run);
            telnet_handles.push(thread::spawn(move || telnet_worker(&run, telnet, chunk)));
        }
    }

    // Progress every 5 s until every worker is done.
    let mut last = (Instant::now(), 0u64);
    while !(http_handles.iter().all(|h| h.is_finished())
        && telnet_handles.iter().all(|h| h.is_finished()))
    {
        thread::sleep(Duration::from_millis(200));
        if last.0.elapsed() >= Duration::from_secs(5) {
            let now_acked =
                run.acked_http.load(Ordering::Relaxed) + run.acked_telnet.load(Ordering::Relaxed);
            let rate = (now_acked - last.1) as f64 / last.0.elapsed().as_secs_f64();
            println!(
                "  {:6.1} s  {now_acked:>10} points acknowledged  {rate:>10.0} points/s",
                started.elapsed().as_secs_f64()
            );
            let _ = std::io::stdout().flush();
            last = (Instant::now(), now_acked);
        }
        if started.elapsed() > duration + Duration::from_secs(300) {
            eprintln!("ingest: workers still running 300 s after the deadline; giving up");
            run.stop.store(true, Ordering::Relaxed);
            std::process::exit(1);
        }
    }
    let mut lat = Latencies::default();
    for h in http_handles {
        if let Ok(l) = h.join() {
            lat.merge(&l);
        }
    }
    for h in telnet_handles {
        let _ = h.join();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let acked_http = run.acked_http.load(Ordering::Relaxed);
    let acked_telnet = run.acked_telnet.load(Ordering::Relaxed);
    let total = acked_http + acked_telnet;
    println!();
    println!(
        "ingest: {total} points acknowledged in {elapsed:.2} s = {:.0} points/s",
        total as f64 / elapsed
    );
    if use_http {
        println!(
            "  http:   {acked_http:>10} points  {:>10.0} points/s  {} requests  {}",
            acked_http as f64 / elapsed,
            lat.len(),
            lat.summary()
        );
    }
    if use_telnet {
        println!(
            "  telnet: {acked_telnet:>10} points  {:>10.0} points/s",
            acked_telnet as f64 / elapsed
        );
    }
    let failed = run.failed.load(Ordering::Relaxed);
    if failed > 0 {
        let first = run
            .first_error
            .lock()
            .map(|e| e.clone())
            .unwrap_or_default();
        println!(
            "  failed: {failed} points not acknowledged; first error: {}",
            first.unwrap_or_default()
        );
    }

    println!(
        "result: ingest points={total} secs={elapsed:.2} rate={:.0} http_rate={:.0} telnet_rate={:.0} failed={failed}",
        total as f64 / elapsed,
        acked_http as f64 / elapsed,
        acked_telnet as f64 / elapsed
    );
    if flags.bool("no-verify") {
        return;
    }
    let verify_timeout = flags.secs("verify-timeout", 60.0);
    let end_ts = base_ts + points_per_series * 1000;
    println!(
        "verify: counting points per metric (waiting up to {:.0} s)",
        verify_timeout.as_secs_f64()
    );
    let verify_start = Instant::now();
    let mut ok = true;
    for m in 0..metric_count {
        let name = run.series.metric_name(m as u64);
        let want = run.acked[m].load(Ordering::Relaxed);
        let t = Instant::now();
        let result = loop {
            match count_points(http, &name, base_ts, end_ts) {
                Ok((n, method)) if n >= want || verify_start.elapsed() >= verify_timeout => {
                    break Ok((n, method))
                }
                Ok(_) => thread::sleep(Duration::from_millis(200)),
                Err(e) if verify_start.elapsed() >= verify_timeout => break Err(e),
                Err(_) => thread::sleep(Duration::from_millis(200)),
            }
        };
        match result {
            Ok((n, method)) => {
                let how = if method == CountMethod::Aggregator {
                    "count aggregator"
                } else {
                    "raw values"
                };
                let verdict = if n >= want { "ok" } else { "MISSING" };
                println!(
                    "  {name}: acknowledged {want}, found {n} ({how}, {:.0} ms) {verdict}",
                    t.elapsed().as_secs_f64() * 1000.0
                );
                ok &= n >= want;
            }
            Err(e) => {
                println!("  {name}: acknowledged {want}, count failed: {e}");
                ok = false;
            }
        }
    }
    // Acknowledged and queryable: a server that acknowledges from a queue and writes later pays for
    // the backlog here (the count check polls until every acknowledged point is visible).
    let visible = elapsed + verify_start.elapsed().as_secs_f64();
    println!(
        "result: verify ok={ok} secs={:.2} visible_rate={:.0}",
        verify_start.elapsed().as_secs_f64(),
        total as f64 / visible
    );
    if ok {
        println!("verify: every acknowledged point is queryable");
    } else {
        println!("verify: FAILED");
        std::process::exit(1);
    }
}
