//! Cross-compatibility with a real Java KairosDB on the same Cassandra keyspace
//! (`--features java-compat`): what either side writes or deletes, the other answers
//! identically. Java: `$KAIROSDB_TEST_JAVA_URL` (default `http://127.0.0.1:18480`, as
//! `JAVA_KAIROSDB_DATASTORE=cassandra scripts/java-kairosdb.sh start` runs it) on keyspace
//! `$KAIROSDB_TEST_JAVA_KEYSPACE` (default `kairosdb`); Cassandra as in tests/cassandra.rs.
#![cfg(feature = "java-compat")]

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use kairosdb_tests::http::{request, Response};
use kairosdb_tests::json::unique_name;
use kairosdb_tests::{Server, ServerOptions};
use serde_json::{json, Value};

const RT: i64 = 1_698_278_400_000;
const W: i64 = 1_814_400_000;

fn reachable(addr: &str) -> Option<SocketAddr> {
    let a = addr.to_socket_addrs().ok()?.next()?;
    TcpStream::connect_timeout(&a, Duration::from_secs(2))
        .ok()
        .map(|_| a)
}

fn cassandra() -> String {
    let candidates: Vec<String> = match std::env::var("KAIROSDB_TEST_CASSANDRA") {
        Ok(v) => vec![v],
        Err(_) => vec!["127.0.0.1:9042".into(), "127.0.0.1:19042".into()],
    };
    candidates
        .iter()
        .find(|c| reachable(c).is_some())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "no Cassandra at {}: start Cassandra with scripts/cassandra.sh start",
                candidates.join(" or ")
            )
        })
}

/// The Java node's HTTP address.
fn java() -> SocketAddr {
    let url =
        std::env::var("KAIROSDB_TEST_JAVA_URL").unwrap_or_else(|_| "http://127.0.0.1:18480".into());
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    reachable(host).unwrap_or_else(|| {
        panic!("no Java KairosDB at {url}: start it with JAVA_KAIROSDB_DATASTORE=cassandra scripts/java-kairosdb.sh start (or set KAIROSDB_TEST_JAVA_URL)")
    })
}

fn java_post(path: &str, body: &Value) -> Response {
    request(
        java(),
        "POST",
        path,
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    )
    .unwrap_or_else(|e| panic!("Java KairosDB POST {path}: {e}"))
}

/// The Rust server on the Java node's keyspace.
fn rust() -> Server {
    let keyspace =
        std::env::var("KAIROSDB_TEST_JAVA_KEYSPACE").unwrap_or_else(|_| "kairosdb".into());
    Server::start_with(ServerOptions {
        env: vec![
            ("KAIROSDB_DATASTORE".into(), "cassandra".into()),
            ("KAIROSDB_CASSANDRA_CONTACT_POINTS".into(), cassandra()),
            ("KAIROSDB_CASSANDRA_KEYSPACE".into(), keyspace),
        ],
        ..ServerOptions::default()
    })
}

/// Long, double and string values, escaped tags, rows across boundaries, negative times.
fn body(name: &str) -> Value {
    let tags = json!({"host": "a", "dc": "x", "a:b": "c=d"});
    json!([
        {"name": name, "tags": tags, "datapoints": [[RT - 1, 1], [RT, -300], [RT + W, 2], [-1, 3], [-5_000_000_000i64, 4]]},
        {"name": name, "tags": tags, "datapoints": [[RT + 5, 1.5], [RT + 6, -0.25]]},
        {"name": name, "tags": {"host": "b"}, "datapoints": [[RT + 7, "hé😀"]]},
    ])
}

fn queries(name: &str) -> Vec<Value> {
    vec![
        json!({"start_absolute": -9_000_000_000i64, "end_absolute": 1_800_000_000_000i64, "metrics": [{"name": name}]}),
        json!({"start_absolute": -9_000_000_000i64, "end_absolute": 1_800_000_000_000i64, "metrics": [{"name": name, "tags": {"host": ["b"]}}]}),
        json!({"start_absolute": RT - 1, "end_absolute": RT + W, "metrics": [{"name": name, "tags": {"a:b": ["c=d"]}, "limit": 3}]}),
    ]
}

/// Both nodes answer every query with the same bytes.
fn same_answers(s: &Server, name: &str) {
    for q in queries(name) {
        let j = java_post("/api/v1/datapoints/query", &q);
        let r = s.post_json("/api/v1/datapoints/query", &q);
        assert_eq!((j.status, r.status), (200, 200), "{q}");
        assert_eq!(r.text(), j.text(), "answers differ for {q}");
        assert!(
            j.text().contains("\"values\":[["),
            "no points for {q}: {}",
            j.text()
        );
    }
}

#[test]
fn each_side_reads_what_the_other_wrote_and_deleted() {
    let from_java = unique_name("xj");
    let from_rust = unique_name("xr");
    // The Java node writes first and the Rust node joins afterwards, as in a migration: a
    // KairosDB 1.2 keyspace has no `spec` table, and only its metric names tell a joining
    // node (Java 1.3 or Rust alike) that its rows use the LEGACY column layout.
    assert_eq!(
        java_post("/api/v1/datapoints", &body(&from_java)).status,
        204
    );
    // Java acknowledges before its (asynchronous) index writes land.
    std::thread::sleep(Duration::from_secs(2));
    let s = rust();
    s.ingest(&body(&from_rust));
    same_answers(&s, &from_java);
    same_answers(&s, &from_rust);

    // Deletes: Rust inside a row of Java's metric, Java a whole row of Rust's.
    let del = |name: &str, start: i64, end: i64| json!({"start_absolute": start, "end_absolute": end, "metrics": [{"name": name}]});
    assert_eq!(
        s.post_json("/api/v1/datapoints/delete", &del(&from_java, RT, RT + 5))
            .status,
        204
    );
    assert_eq!(
        java_post(
            "/api/v1/datapoints/delete",
            &del(&from_rust, RT + W, RT + 2 * W - 1)
        )
        .status,
        204
    );
    // A Java write after the Rust delete wins (millisecond tombstones).
    let rewrite = json!([{"name": from_java, "tags": {"host": "a", "dc": "x", "a:b": "c=d"}, "datapoints": [[RT, 77]]}]);
    assert_eq!(java_post("/api/v1/datapoints", &rewrite).status, 204);
    std::thread::sleep(Duration::from_secs(1));
    same_answers(&s, &from_java);
    same_answers(&s, &from_rust);
    let q = &queries(&from_java)[0];
    let text = s.post_json("/api/v1/datapoints/query", q).text();
    assert!(
        text.contains(&format!("[{RT},77]")) && !text.contains(&format!("[{},1.5]", RT + 5)),
        "{text}"
    );
    let text = s
        .post_json("/api/v1/datapoints/query", &queries(&from_rust)[0])
        .text();
    assert!(!text.contains(&format!("[{},2]", RT + W)), "{text}");

    // A whole-metric delete by Rust: Java no longer lists or returns it.
    assert_eq!(s.delete(&format!("/api/v1/metric/{from_java}")).status, 204);
    let names = request(
        java(),
        "GET",
        &format!("/api/v1/metricnames?prefix={from_java}"),
        &[],
        b"",
    )
    .expect("metricnames")
    .text();
    assert_eq!(names, "{\"results\":[]}");
    let j = java_post("/api/v1/datapoints/query", q).text();
    assert!(j.contains("\"sample_size\":0"), "{j}");
}
