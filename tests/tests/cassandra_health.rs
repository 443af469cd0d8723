//! Health checks and the query time limit against a real Cassandra behind a TCP relay the test
//! can stall (`--features cassandra`): a stalled network makes `Datastore-Query` fail within the
//! probe timeout, writes pile up until the ingest queue saturates (`Ingest-Queue: FAIL`), and both
//! recover when the network does; a query held up past `query_time_limit_sec` fails with Java's
//! text. Contact point: `$KAIROSDB_TEST_CASSANDRA`, else
//! 127.0.0.1:9042, else 127.0.0.1:19042 (scripts/cassandra.sh's port).
#![cfg(feature = "cassandra")]

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use kairosdb_tests::json::{metric_series, now_ms, unique_name};
use kairosdb_tests::{eventually_within, Server, ServerOptions};
use serde_json::{json, Value};

/// The Cassandra under test; fails the test when none answers.
fn contact() -> SocketAddr {
    let candidates: Vec<String> = match std::env::var("KAIROSDB_TEST_CASSANDRA") {
        Ok(v) => vec![v],
        Err(_) => vec!["127.0.0.1:9042".into(), "127.0.0.1:19042".into()],
    };
    for c in &candidates {
        if let Some(a) = c.to_socket_addrs().ok().and_then(|mut a| a.next()) {
            if TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok() {
                return a;
            }
        }
    }
    panic!(
        "no Cassandra at {}: start Cassandra with scripts/cassandra.sh start (or set KAIROSDB_TEST_CASSANDRA=host:port)",
        candidates.join(" or ")
    );
}

/// A TCP relay to Cassandra whose traffic can be held (bytes wait in the socket buffers, as on
/// a stalled network) and released.
struct Relay {
    addr: SocketAddr,
    held: Arc<AtomicBool>,
}

fn pump(mut from: TcpStream, mut to: TcpStream, held: Arc<AtomicBool>) {
    let _ = from.set_read_timeout(Some(Duration::from_millis(20)));
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if held.load(Ordering::SeqCst) {
            thread::sleep(Duration::from_millis(10));
            continue;
        }
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                // Bytes read just as the hold began wait for the release too.
                while held.load(Ordering::SeqCst) {
                    thread::sleep(Duration::from_millis(10));
                }
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}

impl Relay {
    fn start(upstream: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind relay");
        let addr = listener.local_addr().expect("relay address");
        let held = Arc::new(AtomicBool::new(false));
        let h = held.clone();
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(upstream) else {
                    continue;
                };
                let (c2, s2) = match (client.try_clone(), server.try_clone()) {
                    (Ok(c), Ok(s)) => (c, s),
                    _ => continue,
                };
                let (h1, h2) = (h.clone(), h.clone());
                thread::spawn(move || pump(client, server, h1));
                thread::spawn(move || pump(s2, c2, h2));
            }
        });
        Relay { addr, held }
    }

    fn hold(&self, on: bool) {
        self.held.store(on, Ordering::SeqCst);
    }
}

/// Drops the test's keyspace when the test ends, as the harness does for its own keyspaces.
struct DropKeyspace(String);

impl Drop for DropKeyspace {
    fn drop(&mut self) {
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/cassandra.sh");
        let _ = std::process::Command::new(script)
            .args([
                "cqlsh",
                "-e",
                &format!("DROP KEYSPACE IF EXISTS {}", self.0),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

fn status(s: &Server) -> Vec<String> {
    let r = s.get("/api/v1/health/status");
    assert_eq!(r.status, 200, "{r:?}");
    r.json()
        .as_array()
        .expect("health/status is an array")
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect()
}

/// A server on Cassandra through `relay`, in a keyspace of its own (dropped after `s`).
fn server(relay: &Relay, extra: &[(&str, &str)]) -> (Server, DropKeyspace) {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let keyspace = format!(
        "kt_health_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst),
        now_ms() % 100_000
    );
    let drop = DropKeyspace(keyspace.clone());
    let relay_addr = relay.addr.to_string();
    let mut env: Vec<(String, String)> = [
        ("KAIROSDB_DATASTORE", "cassandra"),
        ("KAIROSDB_CASSANDRA_CONTACT_POINTS", relay_addr.as_str()),
        ("KAIROSDB_CASSANDRA_KEYSPACE", keyspace.as_str()),
    ]
    .iter()
    .chain(extra)
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    env.sort();
    let s = Server::start_with(ServerOptions {
        env,
        ..ServerOptions::default()
    });
    (s, drop)
}

#[test]
fn a_query_held_up_past_the_time_limit_fails_with_javas_message() {
    let relay = Relay::start(contact());
    let (s, _drop) = server(
        &relay,
        &[("KAIROSDB_DATASTORE_CASSANDRA_QUERY_TIME_LIMIT_SEC", "1")],
    );
    let name = unique_name("limit.time");
    let t0 = now_ms() - 60_000;
    s.ingest(&json!([
        metric_series(&name, &[("h", "a")], t0, 1000, 2),
        metric_series(&name, &[("h", "b")], t0, 1000, 2),
    ]));
    let body = json!({"start_absolute": t0, "metrics": [{"name": name}]});
    assert_eq!(s.query(&body)["queries"][0]["sample_size"], 4);
    // The query's row look-up waits on the held network for 2.5 s; once it returns, the
    // monitor finds the query over its 1 s limit before reading the rows.
    relay.hold(true);
    let addr = s.http_addr();
    let text = body.to_string();
    let pending = thread::spawn(move || {
        kairosdb_tests::http::request(
            addr,
            "POST",
            "/api/v1/datapoints/query",
            &[],
            text.as_bytes(),
        )
    });
    thread::sleep(Duration::from_millis(2500));
    relay.hold(false);
    let r = pending.join().expect("query thread").expect("query");
    assert_eq!(r.status, 500, "{r:?}");
    assert_eq!(
        r.text(),
        r#"{"errors":["org.kairosdb.core.exception.DatastoreException: org.kairosdb.core.exception.DatastoreException: Query exceeded time limit of 1 seconds"]}"#
    );
    assert_eq!(s.query(&body)["queries"][0]["sample_size"], 4);
}

#[test]
fn a_stalled_cassandra_fails_the_health_check_and_saturates_the_queue() {
    let relay = Relay::start(contact());
    let (s, _drop) = server(
        &relay,
        &[
            ("KAIROSDB_HEALTH_DATASTORE_TIMEOUT_MS", "1000"),
            ("KAIROSDB_QUEUE_PROCESSOR_MAX_QUEUED_POINTS", "5"),
            ("KAIROSDB_QUEUE_PROCESSOR_HTTP_WAIT_MS", "300"),
        ],
    );
    assert_eq!(s.get("/api/v1/health/check").status, 204);
    let name = unique_name("health.stall");
    let t0 = now_ms() - 60_000;
    s.ingest(&metric_series(&name, &[("h", "a")], t0, 1000, 2));

    relay.hold(true);
    // The probe cannot finish: 500 without a body, and the datastore check named as in Java.
    let r = s.get("/api/v1/health/check");
    assert_eq!((r.status, r.body.len()), (500, 0), "{r:?}");
    let st = status(&s);
    assert!(st.contains(&"Datastore-Query: FAIL".to_string()), "{st:?}");
    assert!(st.contains(&"Ingest-Queue: OK".to_string()), "{st:?}");

    // A write of the whole 5-point budget hangs in the writer; the queue is saturated and a
    // further HTTP write is refused with 503 after http_wait_ms.
    let addr = s.http_addr();
    let body = metric_series(&name, &[("h", "b")], t0, 1000, 5).to_string();
    let pending = thread::spawn(move || {
        kairosdb_tests::http::request(addr, "POST", "/api/v1/datapoints", &[], body.as_bytes())
    });
    eventually_within(Duration::from_secs(10), "Ingest-Queue: FAIL", || {
        let st = status(&s);
        if st.contains(&"Ingest-Queue: FAIL".to_string()) {
            Ok(())
        } else {
            Err(format!("{st:?}"))
        }
    });
    let r = s.post_json(
        "/api/v1/datapoints",
        &metric_series(&name, &[("h", "c")], t0, 1000, 1),
    );
    assert_eq!(r.status, 503, "{r:?}");

    relay.hold(false);
    let r = pending
        .join()
        .expect("writer thread")
        .expect("pending write");
    assert_eq!(
        r.status, 204,
        "the held write completes once the network recovers: {r:?}"
    );
    eventually_within(Duration::from_secs(30), "healthy again", || {
        let st = status(&s);
        let code = s.get("/api/v1/health/check").status;
        if code == 204 && st.iter().all(|c| c.ends_with(": OK")) {
            Ok(())
        } else {
            Err(format!("{code} {st:?}"))
        }
    });
    let v = s.query(&json!({"start_absolute": t0, "metrics": [{"name": name}]}));
    assert_eq!(v["queries"][0]["sample_size"], Value::from(7));
}
