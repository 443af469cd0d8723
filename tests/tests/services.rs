//! Separately scaled services on one real Cassandra (`--features cassandra`): two ingest-role
//! processes and one query-role process share a keyspace; several clients load both ingest
//! nodes over HTTP and telnet, one ingest node is stopped with SIGTERM under load, and every
//! point that was acknowledged must be queryable through the query node.
#![cfg(feature = "cassandra")]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use kairosdb_tests::http;
use kairosdb_tests::json::{unique_name, values};
use kairosdb_tests::telnet::TelnetClient;
use kairosdb_tests::{Server, ServerOptions};
use scylla::client::session_builder::SessionBuilder;
use serde_json::{json, Value};

const T0: i64 = 1_700_000_000_000;
const PER_BATCH: i64 = 200;

fn contact() -> String {
    std::env::var("KAIROSDB_TEST_CASSANDRA").unwrap_or_else(|_| {
        panic!("KAIROSDB_TEST_CASSANDRA is not set: start Cassandra with scripts/cassandra.sh start and export host:port from scripts/cassandra.sh env")
    })
}

/// Drops the shared keyspace when the test ends.
struct Keyspace(String);

impl Drop for Keyspace {
    fn drop(&mut self) {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async {
            if let Ok(s) = SessionBuilder::new().known_node(contact()).build().await {
                let cql = format!("DROP KEYSPACE IF EXISTS {}", self.0);
                let _ = s.query_unpaged(cql, ()).await;
            }
        });
    }
}

fn node(role: &str, keyspace: &str) -> Server {
    node_with(role, keyspace, &[])
}

/// [`node`] with more environment variables.
fn node_with(role: &str, keyspace: &str, env: &[(&str, &str)]) -> Server {
    let mut all = vec![
        ("KAIROSDB_DATASTORE".to_string(), "cassandra".to_string()),
        ("KAIROSDB_CASSANDRA_CONTACT_POINTS".into(), contact()),
        ("KAIROSDB_CASSANDRA_KEYSPACE".into(), keyspace.into()),
    ];
    all.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Server::start_with(ServerOptions {
        args: vec!["--role".into(), role.into()],
        env: all,
    })
}

/// Acknowledged points per series name: timestamp → value.
type Acked = BTreeMap<String, BTreeMap<i64, i64>>;

/// Posts batches to `addr` until `batches` are sent or `stop` is set; keeps what got a 204.
fn http_client(addr: SocketAddr, metric: String, batches: i64, stop: Arc<AtomicBool>) -> Acked {
    let mut acked = Acked::new();
    for b in 0..batches {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let points: Vec<Value> = (0..PER_BATCH)
            .map(|i| json!([T0 + b * PER_BATCH + i, b * 1000 + i]))
            .collect();
        let body = json!([{"name": metric, "tags": {"client": "http"}, "datapoints": points}]);
        match http::request(
            addr,
            "POST",
            "/api/v1/datapoints",
            &[],
            body.to_string().as_bytes(),
        ) {
            Ok(r) if r.status == 204 => {
                let m = acked.entry(metric.clone()).or_default();
                for i in 0..PER_BATCH {
                    m.insert(T0 + b * PER_BATCH + i, b * 1000 + i);
                }
            }
            // 503 under back-pressure, or the node is shutting down / gone: not acknowledged.
            Ok(r) => assert!(r.status == 503, "unexpected answer {r:?}"),
            Err(_) => break,
        }
    }
    acked
}

/// Sends `putm` lines; a `version` answer after each block proves the block was taken.
fn telnet_client(addr: SocketAddr, metric: String, blocks: i64) -> Acked {
    let mut acked = Acked::new();
    let mut t = TelnetClient::connect(addr).expect("telnet connect");
    for b in 0..blocks {
        let sent = (0..PER_BATCH).try_for_each(|i| {
            let ts = T0 + b * PER_BATCH + i;
            t.send_line(&format!(
                "putm {metric} {ts} {} client=telnet",
                b * 1000 + i
            ))
        });
        // A node stopped under load closes the connection: what it had not answered for is
        // not acknowledged.
        if sent.and_then(|_| t.version()).is_err() {
            break;
        }
        let m = acked.entry(metric.clone()).or_default();
        for i in 0..PER_BATCH {
            m.insert(T0 + b * PER_BATCH + i, b * 1000 + i);
        }
    }
    acked
}

fn stored(q: &Server, metric: &str) -> BTreeMap<i64, i64> {
    let body = json!({"start_absolute": 0, "metrics": [{"name": metric}]});
    let r = q.post_json("/api/v1/datapoints/query", &body);
    assert_eq!(r.status, 200, "{r:?}");
    let v = r.json();
    let result = &v["queries"][0]["results"][0];
    values(result)
        .into_iter()
        .map(|(t, v)| (t, v.as_i64().expect("long value")))
        .collect()
}

#[test]
fn two_ingest_nodes_and_a_query_node_share_one_keyspace() {
    let ks = Keyspace(unique_name("ksvc").replace('.', "_"));
    let a = node("ingest", &ks.0);
    let mut b = node("ingest", &ks.0);
    let q = node("query", &ks.0);

    // Each role answers what it does not serve with a 404, at once.
    let r = q.post("/api/v1/datapoints", "[]");
    assert_eq!(r.status, 404, "{r:?}");
    let r = a.post(
        "/api/v1/datapoints/query",
        r#"{"start_absolute":0,"metrics":[{"name":"x"}]}"#,
    );
    assert_eq!(r.status, 404, "{r:?}");

    let prefix = unique_name("svc");
    let stop_b = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for (i, n) in [&a, &b].into_iter().enumerate() {
        let (h, t) = (n.http_addr(), n.telnet_addr());
        let (mh, mt) = (format!("{prefix}.http{i}"), format!("{prefix}.telnet{i}"));
        // The clients of node b keep going until b is gone.
        let batches = if i == 0 { 40 } else { 10_000 };
        let stop = if i == 0 {
            Arc::new(AtomicBool::new(false))
        } else {
            stop_b.clone()
        };
        clients.push(thread::spawn(move || http_client(h, mh, batches, stop)));
        clients.push(thread::spawn(move || telnet_client(t, mt, 20)));
    }
    // Stop b with SIGTERM while its HTTP client is still sending.
    thread::sleep(Duration::from_millis(1500));
    let status = b.stop().expect("node b was running");
    stop_b.store(true, Ordering::Relaxed);
    assert!(
        status.success(),
        "SIGTERM should end node b cleanly: {status:?}"
    );

    let mut acked = Acked::new();
    for c in clients {
        acked.extend(c.join().expect("client thread"));
    }
    let b_http = format!("{prefix}.http1");
    assert!(
        acked.get(&b_http).is_some_and(|m| !m.is_empty()),
        "node b acknowledged nothing before SIGTERM; the test would prove nothing"
    );
    assert!(acked.len() >= 3, "{:?}", acked.keys().collect::<Vec<_>>());
    for (metric, points) in &acked {
        let got = stored(&q, metric);
        let missing: Vec<_> = points
            .keys()
            .filter(|t| !got.contains_key(t))
            .take(5)
            .collect();
        assert!(
            missing.is_empty(),
            "{metric}: {} acknowledged, {} stored; first missing {missing:?}",
            points.len(),
            got.len()
        );
        for (t, v) in points {
            assert_eq!(got.get(t), Some(v), "{metric} at {t}");
        }
    }
    // The query node sees the names both ingest nodes wrote.
    let names = q.metric_names(Some(&prefix));
    for m in acked.keys() {
        assert!(names.contains(m), "{m} not in {names:?}");
    }
}

/// Host tags of the series a raw query on `node` returns, with their point counts.
fn hosts(node: &Server, metric: &str, filter: Value) -> BTreeMap<String, usize> {
    let body = json!({"start_absolute": 0, "metrics": [{"name": metric, "tags": filter,
                      "group_by": [{"name": "tag", "tags": ["host"]}]}]});
    let r = node.post_json("/api/v1/datapoints/query", &body);
    assert_eq!(r.status, 200, "{r:?}");
    let v = r.json();
    let mut out = BTreeMap::new();
    for result in v["queries"][0]["results"].as_array().expect("results") {
        let n = values(result).len();
        // No row at all: one result without tags. A row read from a stale key but holding
        // no point must not show up as an empty group either.
        match result["tags"]["host"][0].as_str() {
            Some(host) => assert!(out.insert(host.to_string(), n).is_none(), "{v}"),
            None => assert_eq!(n, 0, "{v}"),
        }
    }
    out
}

fn write(node: &Server, metric: &str, host: &str, from: i64, n: i64) {
    let points: Vec<Value> = (0..n).map(|i| json!([T0 + from + i, i])).collect();
    let body = json!([{"name": metric, "tags": {"host": host}, "datapoints": points}]);
    let r = node.post_json("/api/v1/datapoints", &body);
    assert_eq!(r.status, 204, "{r:?}");
}

/// The query node reuses the row keys it read (the `row_keys` cache checked by `mtime`), and
/// starts reading the rows they name while it checks them: a series another node adds to
/// the same row time shows at once, points added to a known series too, and a series another
/// node deletes is gone at once, all right after the node that did it answered.
#[test]
fn a_query_node_sees_series_another_node_adds_or_deletes_at_once() {
    let ks = Keyspace(unique_name("kscache").replace('.', "_"));
    let w = node("all", &ks.0);
    let q = node_with(
        "query",
        &ks.0,
        &[("KAIROSDB_LOG", "info,kairosdb::datastore::cassandra=debug")],
    );
    let metric = unique_name("cache");
    write(&w, &metric, "a", 0, 10);
    let want = |pairs: &[(&str, usize)]| -> BTreeMap<String, usize> {
        pairs.iter().map(|(h, n)| (h.to_string(), *n)).collect()
    };
    // Twice: the second answer comes from the cached keys, its row read started ahead.
    for _ in 0..2 {
        assert_eq!(hosts(&q, &metric, json!({})), want(&[("a", 10)]));
    }
    let log = std::fs::read_to_string(q.log_path()).expect("query node log");
    let started: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("rows to read") && l.contains(&metric))
        .collect();
    assert_eq!(started.len(), 2, "{log}");
    assert!(
        started[0].contains("expected=0 started=0"),
        "{}",
        started[0]
    );
    assert!(
        started[1].contains("expected=1 started=1"),
        "{}",
        started[1]
    );
    // Same row time, new series, written by the other node.
    write(&w, &metric, "b", 100, 5);
    assert_eq!(hosts(&q, &metric, json!({})), want(&[("a", 10), ("b", 5)]));
    assert_eq!(hosts(&q, &metric, json!({"host": "b"})), want(&[("b", 5)]));
    // More points for a known series need no new key.
    write(&w, &metric, "a", 10, 3);
    assert_eq!(hosts(&q, &metric, json!({})), want(&[("a", 13), ("b", 5)]));
    // A whole series deleted by the other node.
    let del = json!({"start_absolute": 0, "metrics": [{"name": metric, "tags": {"host": "a"}}]});
    let r = w.post_json("/api/v1/datapoints/delete", &del);
    assert_eq!(r.status, 204, "{r:?}");
    assert_eq!(hosts(&q, &metric, json!({})), want(&[("b", 5)]));
    // The metadata call reads the index afresh.
    let tags = q.post_json(
        "/api/v1/datapoints/query/tags",
        &json!({"start_absolute": 0, "metrics": [{"name": metric}]}),
    );
    assert_eq!(tags.status, 200, "{tags:?}");
    assert_eq!(
        tags.json()["queries"][0]["results"][0]["tags"]["host"],
        json!(["b"])
    );
    // A delete through the query node itself, then a new series.
    let del_b = json!({"start_absolute": 0, "metrics": [{"name": metric, "tags": {"host": "b"}}]});
    let r = q.post_json("/api/v1/datapoints/delete", &del_b);
    assert_eq!(r.status, 204, "{r:?}");
    assert_eq!(hosts(&q, &metric, json!({})), want(&[]));
    write(&w, &metric, "c", 200, 2);
    assert_eq!(hosts(&q, &metric, json!({})), want(&[("c", 2)]));
    // The other node deletes `c` and adds `d`: the query node starts reading `c` as its cached
    // keys say, finds the partition changed, and drops that read.
    let del_c = json!({"start_absolute": 0, "metrics": [{"name": metric, "tags": {"host": "c"}}]});
    let r = w.post_json("/api/v1/datapoints/delete", &del_c);
    assert_eq!(r.status, 204, "{r:?}");
    write(&w, &metric, "d", 300, 4);
    assert_eq!(hosts(&q, &metric, json!({})), want(&[("d", 4)]));
    let log = std::fs::read_to_string(q.log_path()).expect("query node log");
    let last = log
        .lines()
        .filter(|l| l.contains("rows to read") && l.contains(&metric))
        .next_back()
        .expect("a rows-to-read line");
    assert!(
        last.contains("rows=1 expected=1 started=0"),
        "the read of c started and was dropped: {last}"
    );
}
