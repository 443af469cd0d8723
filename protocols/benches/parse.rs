//! Throughput of the ingestion parsers on realistic input (no framework: `harness = false`).
//!
//! Run with `cargo bench -p kairosdb-protocols --bench parse`.

use std::hint::black_box;
use std::time::Instant;

use protocols::json::datapoints::parse_datapoints;
use protocols::telnet::parse_line;

/// A body like collectors send: `metrics` objects of `points` `[ts, value]` entries.
fn datapoints_body(metrics: usize, points: usize) -> String {
    let mut s = String::from("[");
    for m in 0..metrics {
        if m > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            r#"{{"name":"sys.cpu.user.{m}","tags":{{"host":"web{m:03}","dc":"east","cpu":"3"}},"datapoints":["#
        ));
        for p in 0..points {
            if p > 0 {
                s.push(',');
            }
            let ts = 1_700_000_000_000i64 + p as i64 * 1000;
            if p % 2 == 0 {
                s.push_str(&format!("[{ts},{}]", p * 7));
            } else {
                s.push_str(&format!("[{ts},{}.25]", p));
            }
        }
        s.push_str("]}");
    }
    s.push(']');
    s
}

fn report(what: &str, items: usize, secs: f64) {
    println!(
        "{what}: {items} items in {:.1} ms = {:.2} M items/s",
        secs * 1e3,
        items as f64 / secs / 1e6
    );
}

fn main() {
    let body = datapoints_body(100, 10_000);
    let rounds = 5;
    let start = Instant::now();
    let mut n = 0;
    for _ in 0..rounds {
        let out = parse_datapoints(black_box(body.as_bytes()));
        n += out.series.iter().map(|s| s.points.len()).sum::<usize>();
    }
    report("json datapoints", n, start.elapsed().as_secs_f64());

    let lines: Vec<String> = (0..200_000)
        .map(|i| {
            format!(
                "put sys.cpu.user {} {}.5 host=web{:03} dc=east cpu=3",
                1_700_000_000 + i,
                i,
                i % 100
            )
        })
        .collect();
    let start = Instant::now();
    let mut n = 0;
    for line in &lines {
        if parse_line(black_box(line.as_bytes())).is_ok() {
            n += 1;
        }
    }
    report("telnet lines", n, start.elapsed().as_secs_f64());
}
