//! `use_ssl` against the real test Cassandra (`--features cassandra`), which scripts/cassandra.sh
//! starts with TLS and plain CQL on one port and a test CA whose PEM file `env` prints as
//! `CASSANDRA_TLS_CA`. Needs `KAIROSDB_TEST_CASSANDRA=host:port` and
//! `KAIROSDB_TEST_CASSANDRA_TLS_CA=<ca.pem>`.
#![cfg(feature = "cassandra")]

use kairosdb_tests::json::{metric, unique_name};
use kairosdb_tests::server::failed_start;
use kairosdb_tests::{Server, ServerOptions};
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use serde_json::json;

fn required(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: start Cassandra with scripts/cassandra.sh start and export it from scripts/cassandra.sh env (see scripts/test-all.sh)")
    })
}

fn contact() -> String {
    required("KAIROSDB_TEST_CASSANDRA")
}

fn ca_file() -> String {
    required("KAIROSDB_TEST_CASSANDRA_TLS_CA")
}

/// A plain driver session that reads `system_views.clients` and drops the keyspace at the end.
struct Plain {
    rt: tokio::runtime::Runtime,
    session: Session,
    keyspace: String,
}

impl Plain {
    fn new() -> Plain {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let session = rt
            .block_on(SessionBuilder::new().known_node(contact()).build())
            .unwrap_or_else(|e| panic!("connect to {}: {e}", contact()));
        let keyspace = unique_name("ktls").replace('.', "_");
        Plain {
            rt,
            session,
            keyspace,
        }
    }

    /// Client connections Cassandra sees, as (TLS on, protocol) pairs.
    fn clients(&self) -> Vec<(bool, Option<String>)> {
        let res = self
            .rt
            .block_on(self.session.query_unpaged(
                "SELECT ssl_enabled, ssl_protocol FROM system_views.clients",
                (),
            ))
            .expect("read system_views.clients");
        res.into_rows_result()
            .expect("rows")
            .rows::<(Option<bool>, Option<String>)>()
            .expect("typed rows")
            .map(|r| r.map(|(on, p)| (on.unwrap_or(false), p)))
            .collect::<Result<_, _>>()
            .expect("decode")
    }

    fn env(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut env = vec![
            ("KAIROSDB_DATASTORE".to_string(), "cassandra".to_string()),
            ("KAIROSDB_CASSANDRA_CONTACT_POINTS".into(), contact()),
            ("KAIROSDB_CASSANDRA_KEYSPACE".into(), self.keyspace.clone()),
            (
                "KAIROSDB_DATASTORE_CASSANDRA_WRITE_CLUSTER_USE_SSL".into(),
                "true".into(),
            ),
        ];
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        env
    }
}

impl Drop for Plain {
    fn drop(&mut self) {
        let cql = format!("DROP KEYSPACE IF EXISTS {}", self.keyspace);
        let _ = self.rt.block_on(self.session.query_unpaged(cql, ()));
    }
}

#[test]
fn use_ssl_writes_and_reads_over_tls_connections() {
    let plain = Plain::new();
    let tls_before = plain.clients().iter().filter(|c| c.0).count();
    let ca = ca_file();
    let s = Server::start_with(ServerOptions {
        env: plain.env(&[(
            "KAIROSDB_DATASTORE_CASSANDRA_WRITE_CLUSTER_SSL_CA_FILE",
            &ca,
        )]),
        ..ServerOptions::default()
    });
    let points = [
        (1_700_000_000_000, json!(1)),
        (1_700_000_001_000, json!(2.5)),
    ];
    s.ingest(&json!([metric("tls.m", &[("h", "a")], &points)]));
    assert_eq!(
        s.points("tls.m", 1_700_000_000_000, 1_700_000_002_000),
        points.to_vec()
    );
    let tls: Vec<_> = plain.clients().into_iter().filter(|c| c.0).collect();
    assert!(
        tls.len() > tls_before,
        "the server's connections should be encrypted; Cassandra sees {tls:?} (before: {tls_before})"
    );
    assert!(
        tls.iter()
            .all(|c| c.1.as_deref().is_some_and(|p| p.starts_with("TLSv1."))),
        "{tls:?}"
    );
}

#[test]
fn use_ssl_refuses_a_node_whose_certificate_is_not_trusted() {
    let plain = Plain::new();
    // The node's own certificate is not a CA: nothing it signed, nor itself, chains to a root.
    let node_pem = std::path::Path::new(&ca_file()).with_file_name("node.pem");
    let (code, text) = failed_start(&plain.env(&[(
        "KAIROSDB_DATASTORE_CASSANDRA_WRITE_CLUSTER_SSL_CA_FILE",
        node_pem.to_str().expect("utf-8 path"),
    )]));
    assert_ne!(code, Some(0), "{text}");
    assert!(text.contains("cannot connect to"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("certificate"),
        "the error should name the certificate problem: {text}"
    );
}

#[test]
fn use_ssl_with_a_missing_ca_file_names_the_file() {
    let plain = Plain::new();
    let (code, text) = failed_start(&plain.env(&[(
        "KAIROSDB_DATASTORE_CASSANDRA_WRITE_CLUSTER_SSL_CA_FILE",
        "/nonexistent/ca.pem",
    )]));
    assert_ne!(code, Some(0), "{text}");
    assert!(
        text.contains("use_ssl") && text.contains("/nonexistent/ca.pem"),
        "{text}"
    );
}
