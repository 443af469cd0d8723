//! Differential conformance: a real Java KairosDB 1.3.0 (`$KAIROSDB_TEST_JAVA_URL`, on the test
//! Cassandra in CI) and kairosdb-rs (its own store) receive the same generated data and the same
//! generated requests; every answer must match in status, JSON structure and numbers (exactly:
//! no aggregator needs a tolerance, as kairosdb-rs adds and multiplies in Java's order). Known,
//! deliberate differences are listed in `expected.rs`. Prints
//! `differential: N compared, N identical, N different, N expected differences`.
#![cfg(feature = "java-compat")]

mod aggs;
mod compare;
mod corpus;
mod data;
mod expected;
mod invalid;
mod meta;

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use kairosdb_tests::json::unique_name;
use kairosdb_tests::Server;
use serde_json::json;

use compare::{same, Case, Tally};

/// How long Java may take to make acknowledged writes and deletes visible.
const SETTLE: Duration = Duration::from_secs(30);

/// The Java node's HTTP address; panics with how to start one.
fn java() -> SocketAddr {
    let url =
        std::env::var("KAIROSDB_TEST_JAVA_URL").unwrap_or_else(|_| "http://127.0.0.1:18480".into());
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    host.to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .filter(|a| TcpStream::connect_timeout(a, Duration::from_secs(2)).is_ok())
        .unwrap_or_else(|| {
            panic!("no Java KairosDB at {url}: start it with JAVA_KAIROSDB_DATASTORE=cassandra scripts/java-kairosdb.sh start and set KAIROSDB_TEST_JAVA_URL")
        })
}

/// Java answers 204 once a write is queued, before it is readable: polls `case` on both until
/// the answers agree (or `SETTLE` passes; the comparison afterwards then shows the difference).
fn settle(java: SocketAddr, rust: SocketAddr, case: &Case) {
    let deadline = Instant::now() + SETTLE;
    while Instant::now() < deadline {
        if same(&case.send(java), &case.send(rust)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    eprintln!("differential: {} did not settle within {SETTLE:?}", case.id);
}

/// Posts each ingest body to both servers; both must acknowledge with 204.
fn load(java: SocketAddr, rust: SocketAddr, bodies: &[serde_json::Value]) {
    for b in bodies {
        let c = Case::post("load", "/api/v1/datapoints", b);
        let (j, r) = (c.send(java), c.send(rust));
        assert_eq!(
            (j.status, r.status),
            (204, 204),
            "ingest refused: java {} rust {}",
            j.text(),
            r.text()
        );
    }
}

fn raw_all(name: &str) -> Case {
    Case::query(
        format!("settle/{name}"),
        &corpus::query(data::ALL, corpus::metric(name, json!({})), json!({})),
    )
}

#[test]
fn java_and_rust_answer_the_same() {
    let started = Instant::now();
    let java = java();
    let server = Server::start();
    let rust = server.http_addr();
    let ds = data::generate(&unique_name("dfx"));

    load(java, rust, &data::bodies(&ds.series));
    let counts = ds.expected_counts();
    for (name, _) in &counts {
        settle(java, rust, &raw_all(name));
    }
    load(java, rust, &data::bodies(&ds.overwrites));
    for s in &ds.overwrites {
        settle(java, rust, &raw_all(&s.metric));
    }
    eprintln!(
        "differential: loaded {} points in {} series ({:?})",
        counts.iter().map(|(_, n)| n).sum::<usize>(),
        ds.series.len(),
        started.elapsed()
    );

    let mut tally = Tally::default();
    let corpus = [
        corpus::raw(&ds),
        aggs::range_aggregators(&ds),
        aggs::sampling_units(&ds),
        aggs::other_aggregators(&ds),
        aggs::chains(&ds),
        aggs::hidden_members(&ds),
        corpus::group_bys(&ds),
        meta::metadata(&ds),
        invalid::queries(&ds),
    ]
    .concat();
    for case in corpus {
        tally.run(java, rust, case);
    }

    // Invalid ingests, then what each side kept of the partly valid ones.
    for case in invalid::ingest(&ds) {
        tally.run(java, rust, case);
    }
    let kept = raw_all(&ds.metric("bad"));
    settle(java, rust, &kept);
    tally.run(
        java,
        rust,
        Case {
            id: "bad-ingest/kept".into(),
            ..kept
        },
    );

    for case in meta::deletes(&ds) {
        tally.run(java, rust, case);
    }
    let reads = meta::after_deletes(&ds);
    settle(java, rust, &reads[0]);
    settle(java, rust, &reads[3]);
    settle(java, rust, &reads[4]);
    for case in reads {
        tally.run(java, rust, case);
    }

    eprint!("{}", tally.details());
    for id in &tally.refused {
        eprintln!("differential: refused by Java although meant to be valid: {id}");
    }
    println!("{} ({:?})", tally.summary(), started.elapsed());
    assert!(
        tally.different.is_empty(),
        "{} unexpected differences (listed above)",
        tally.different.len()
    );
    // A corpus case meant to be valid that Java refuses tests nothing of what it names.
    assert!(
        tally.refused.is_empty(),
        "{} cases meant to be valid were refused by Java (listed above); fix the corpus",
        tally.refused.len()
    );
}
