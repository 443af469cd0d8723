//! Data survives a graceful restart and a kill -9 right after the acknowledgements.

use kairosdb_tests::http::Connection;
use kairosdb_tests::json::{metric_series, results, values};
use kairosdb_tests::{eventually, Server};
use serde_json::json;

const T0: i64 = 1_700_000_000_000;

/// Counts points of `name` over all time.
fn count(s: &Server, name: &str) -> usize {
    let q = json!({"start_absolute": 0, "metrics": [{"name": name}]});
    results(&s.query(&q), 0)
        .iter()
        .map(|r| values(r).len())
        .sum()
}

/// Polls briefly until `name` has `n` points (recovery may finish just after `ready`); panics with the last count.
fn assert_count(s: &Server, name: &str, n: usize) {
    eventually(&format!("{name} to have {n} points"), || {
        match count(s, name) {
            c if c == n => Ok(()),
            c => Err(format!("has {c}")),
        }
    });
}

#[test]
fn graceful_restart_keeps_data_and_names() {
    let mut s = Server::start();
    s.ingest(&metric_series("dur.http", &[("host", "a")], T0, 1000, 50));
    let mut t = s.telnet();
    for i in 0..20 {
        t.send_line(&format!("putm dur.telnet {} {i} host=b", T0 + i))
            .expect("send telnet line");
    }
    t.version().expect("version after lines");
    drop(t);
    s.wait_points("dur.http", T0, T0 + 100_000, 50);
    s.wait_points("dur.telnet", T0, T0 + 100, 20);

    let status = s.stop().expect("server was running");
    assert!(status.success(), "graceful shutdown exited with {status}");
    s.restart();

    assert_count(&s, "dur.http", 50);
    assert_count(&s, "dur.telnet", 20);
    assert_eq!(s.metric_names(None), vec!["dur.http", "dur.telnet"]);
    let v = s.query(&json!({"start_absolute": 0, "metrics": [{"name": "dur.http"}]}));
    assert_eq!(results(&v, 0)[0]["tags"], json!({"host": ["a"]}));

    // Restart twice more; writes after a restart are kept as well.
    s.ingest(&metric_series(
        "dur.http",
        &[("host", "a")],
        T0 + 50_000,
        1000,
        10,
    ));
    s.restart();
    s.restart();
    assert_count(&s, "dur.http", 60);
}

#[test]
fn kill9_after_http_204_keeps_every_acknowledged_point() {
    let mut s = Server::start();
    const BATCHES: i64 = 300;
    const PER_BATCH: usize = 100;
    let mut conn = Connection::connect(s.http_addr()).expect("connect");
    for b in 0..BATCHES {
        let body = metric_series(
            "dur.kill",
            &[("host", "a")],
            T0 + b * PER_BATCH as i64,
            1,
            PER_BATCH,
        )
        .to_string();
        let r = conn
            .request(
                "POST",
                "/api/v1/datapoints",
                &[("Content-Type", "application/json")],
                body.as_bytes(),
            )
            .expect("post batch");
        assert_eq!(r.status, 204, "batch {b}: {r:?}");
    }
    drop(conn);
    s.kill9();
    assert_count(&s, "dur.kill", BATCHES as usize * PER_BATCH);
    assert_eq!(s.metric_names(None), vec!["dur.kill"]);
}

#[test]
fn kill9_after_telnet_lines_read_keeps_them() {
    let mut s = Server::start();
    let mut t = s.telnet();
    const LINES: i64 = 2000;
    for i in 0..LINES {
        t.send_line(&format!("putm dur.tkill {} {i} host=a", T0 + i))
            .expect("send telnet line");
    }
    // The answer to `version` proves every earlier line has been read.
    t.version().expect("version after lines");
    s.kill9();
    assert_count(&s, "dur.tkill", LINES as usize);
}

#[test]
fn kill9_keeps_deletes() {
    let mut s = Server::start();
    s.ingest(&metric_series("dur.del", &[("host", "a")], T0, 1, 10));
    s.ingest(&metric_series("dur.gone", &[("host", "a")], T0, 1, 10));
    s.wait_points("dur.del", T0, T0 + 9, 10);
    let r = s.post_json(
        "/api/v1/datapoints/delete",
        &json!({"start_absolute": T0, "end_absolute": T0 + 4, "metrics": [{"name": "dur.del"}]}),
    );
    assert_eq!(r.status, 204, "{r:?}");
    assert_eq!(s.delete("/api/v1/metric/dur.gone").status, 204);
    s.kill9();
    assert_count(&s, "dur.del", 5);
    assert_count(&s, "dur.gone", 0);
    assert_eq!(s.metric_names(None), vec!["dur.del"]);
}
