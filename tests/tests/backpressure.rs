//! Backpressure against a really stalled datastore (`--features cassandra`): the test Cassandra
//! is frozen with SIGSTOP (`KAIROSDB_TEST_CASSANDRA_PID`, which scripts/cassandra.sh env prints
//! as CASSANDRA_PID), so the server's bounded ingest queue fills. HTTP ingest past the bound
//! answers 503 with Retry-After after `http_wait_ms`, telnet stops reading, and after SIGCONT
//! everything that was acknowledged is stored while the refused request left nothing behind.
//! Keep this file to one test: it freezes the Cassandra every other test shares.
#![cfg(feature = "cassandra")]

use std::thread;
use std::time::{Duration, Instant};

use kairosdb_tests::http;
use kairosdb_tests::json::unique_name;
use kairosdb_tests::{Server, ServerOptions};
use serde_json::{json, Value};

const T0: i64 = 1_700_000_000_000;
const BATCH: i64 = 2000;

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: start Cassandra with scripts/cassandra.sh start and export it from scripts/cassandra.sh env (see scripts/test-all.sh)")
    })
}

/// SIGSTOP on creation, SIGCONT when dropped (also when the test fails).
struct Frozen(libc::pid_t);

impl Frozen {
    fn new(pid: libc::pid_t) -> Frozen {
        // SAFETY: kill(2) on the test Cassandra's pid, which the scripts started.
        let r = unsafe { libc::kill(pid, libc::SIGSTOP) };
        assert_eq!(r, 0, "SIGSTOP to Cassandra pid {pid} failed");
        Frozen(pid)
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe {
            libc::kill(self.0, libc::SIGCONT);
        }
    }
}

fn body(metric: &str, first: i64) -> Vec<u8> {
    let points: Vec<Value> = (first..first + BATCH).map(|i| json!([T0 + i, i])).collect();
    json!([{"name": metric, "tags": {"h": "a"}, "datapoints": points}])
        .to_string()
        .into_bytes()
}

#[test]
fn a_stalled_datastore_fills_the_queue_then_503_and_paused_telnet() {
    let pid: libc::pid_t = var("KAIROSDB_TEST_CASSANDRA_PID")
        .parse()
        .expect("KAIROSDB_TEST_CASSANDRA_PID is a pid");
    let keyspace = unique_name("kbp").replace('.', "_");
    let s = Server::start_with(ServerOptions {
        env: vec![
            ("KAIROSDB_DATASTORE".into(), "cassandra".into()),
            (
                "KAIROSDB_CASSANDRA_CONTACT_POINTS".into(),
                var("KAIROSDB_TEST_CASSANDRA"),
            ),
            ("KAIROSDB_CASSANDRA_KEYSPACE".into(), keyspace.clone()),
            // Room for two batches of 2,000 points.
            (
                "KAIROSDB_QUEUE_PROCESSOR_MAX_QUEUED_POINTS".into(),
                "4000".into(),
            ),
            ("KAIROSDB_QUEUE_PROCESSOR_HTTP_WAIT_MS".into(), "300".into()),
        ],
        ..ServerOptions::default()
    });
    let m = unique_name("bp");
    let addr = s.http_addr();
    assert_eq!(
        http::request(addr, "POST", "/api/v1/datapoints", &[], &body(&m, 0))
            .expect("warm-up")
            .status,
        204
    );
    let mut telnet = s.telnet();

    let frozen = Frozen::new(pid);
    // Two batches take the whole budget and wait for the frozen Cassandra.
    let waiting: Vec<_> = [1, 2]
        .into_iter()
        .map(|b| {
            let data = body(&m, b * BATCH);
            thread::spawn(move || http::request(addr, "POST", "/api/v1/datapoints", &[], &data))
        })
        .collect();
    thread::sleep(Duration::from_millis(800));
    // The third finds no room: 503 with Retry-After once http_wait_ms has passed.
    let t = Instant::now();
    let r = http::request(
        addr,
        "POST",
        "/api/v1/datapoints",
        &[],
        &body(&m, 3 * BATCH),
    )
    .expect("third request answers");
    assert_eq!(r.status, 503, "{r:?}");
    assert!(r.header("retry-after").is_some(), "{r:?}");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    // Telnet: a line that finds no room holds the connection; `version` is not read meanwhile.
    telnet
        .send_line(&format!("putm {m}.t {} 1 h=a", T0))
        .expect("telnet line");
    telnet.send_line("version").expect("telnet version");
    let paused = telnet.read_line(Duration::from_millis(1500));
    assert!(
        paused.is_err(),
        "telnet should be paused while the queue is full, got {paused:?}"
    );
    drop(frozen);

    for w in waiting {
        let r = w.join().expect("client thread").expect("answer");
        assert_eq!(
            r.status, 204,
            "a batch that got into the queue is stored: {r:?}"
        );
    }
    let v = telnet
        .read_line(Duration::from_secs(30))
        .expect("telnet answers once Cassandra is back");
    assert!(v.starts_with("KairosDB"), "{v}");

    let q = json!({"start_absolute": 0, "metrics": [
        {"name": m, "aggregators": [{"name": "count", "sampling": {"value": 100, "unit": "years"}}]},
        {"name": format!("{m}.t")}
    ]});
    let a = s.query(&q);
    let count = a["queries"][0]["results"][0]["values"][0][1].as_i64();
    assert_eq!(
        count,
        Some(3 * BATCH),
        "warm-up + two waiting batches, none of the refused one: {a}"
    );
    assert_eq!(
        a["queries"][1]["results"][0]["values"],
        json!([[T0, 1]]),
        "{a}"
    );
    drop(s);
    drop_keyspace(&keyspace);
}

fn drop_keyspace(keyspace: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let session = scylla::client::session_builder::SessionBuilder::new()
            .known_node(var("KAIROSDB_TEST_CASSANDRA"))
            .build()
            .await
            .expect("connect to Cassandra");
        let cql = format!("DROP KEYSPACE IF EXISTS {keyspace}");
        session.query_unpaged(cql, ()).await.expect("drop keyspace");
    });
}
