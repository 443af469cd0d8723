//! Cross-cutting HTTP behaviour of the Java server: `kairosdb.server.type` gating (spec
//! http-api.md §1.6), gzip responses (§1.7) and CORS preflights (§1.5).

use std::io::Read;

use kairosdb_tests::server::{Server, ServerOptions};

const FORBIDDEN: &str =
    "{\"errors\": [\"Forbidden: {} API methods are disabled on this KairosDB instance.\"]}";

fn forbidden(category: &str) -> String {
    FORBIDDEN.replace("{}", category)
}

#[test]
fn ingest_only_instance_refuses_query_and_delete_with_403() {
    let s = Server::start_with(ServerOptions {
        env: vec![("KAIROSDB_SERVER_TYPE".into(), "INGEST".into())],
        ..ServerOptions::default()
    });
    let r = s.post(
        "/api/v1/datapoints",
        r#"[{"name":"st.m","tags":{"h":"a"},"datapoints":[[1,1]]}]"#,
    );
    assert_eq!(r.status, 204, "{r:?}");
    for (method, path, category) in [
        ("POST", "/api/v1/datapoints/query", "QUERY"),
        ("GET", "/api/v1/datapoints/query?query=%7B%7D", "QUERY"),
        ("POST", "/api/v1/datapoints/query/tags", "QUERY"),
        ("GET", "/api/v1/metricnames", "QUERY"),
        ("OPTIONS", "/api/v1/datapoints/query", "QUERY"),
        ("POST", "/api/v1/datapoints/delete", "DELETE"),
        ("DELETE", "/api/v1/metric/st.m", "DELETE"),
    ] {
        let r = s.request(
            method,
            path,
            &[],
            b"{\"start_absolute\":0,\"metrics\":[{\"name\":\"st.m\"}]}",
        );
        assert_eq!(r.status, 403, "{method} {path}: {r:?}");
        assert_eq!(r.text(), forbidden(category), "{method} {path}");
        assert!(
            r.header("access-control-allow-origin").is_none(),
            "{method} {path}: {r:?}"
        );
    }
    // Never gated.
    assert_eq!(s.get("/api/v1/version").status, 200);
    assert_eq!(s.get("/api/v1/health/check").status, 204);
}

#[test]
fn query_and_delete_instance_refuses_ingest() {
    let s = Server::start_with(ServerOptions {
        env: vec![("KAIROSDB_SERVER_TYPE".into(), " QUERY , DELETE ".into())],
        ..ServerOptions::default()
    });
    let r = s.post(
        "/api/v1/datapoints",
        r#"[{"name":"st.m","tags":{"h":"a"},"datapoints":[[1,1]]}]"#,
    );
    assert_eq!(r.status, 403, "{r:?}");
    assert_eq!(r.text(), forbidden("INGEST"));
    let r = s.post(
        "/api/v1/datapoints/query",
        r#"{"start_absolute":0,"metrics":[{"name":"st.m"}]}"#,
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(s.delete("/api/v1/metric/st.m").status, 204);
}

#[test]
fn bad_server_type_stops_start_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = std::process::Command::new(kairosdb_tests::server::binary_path())
        .env("KAIROSDB_SERVER_TYPE", "INGEST,READ")
        .env("KAIROSDB_DATA_DIR", dir.path())
        .arg("--check-config")
        .output()
        .expect("run kairosdb");
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("KAIROSDB_SERVER_TYPE") && text.contains("READ"),
        "{text}"
    );
}

fn gunzip(bytes: &[u8]) -> String {
    let mut s = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut s)
        .expect("valid gzip body");
    s
}

#[test]
fn json_responses_are_gzipped_when_asked() {
    let s = Server::start();
    let plain = s.get("/api/v1/health/status");
    let r = s.request(
        "GET",
        "/api/v1/health/status",
        &[("Accept-Encoding", "gzip")],
        b"",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-encoding"), Some("gzip"), "{r:?}");
    assert_eq!(gunzip(&r.body), plain.text());
    let q = br#"{"start_absolute":0,"metrics":[{"name":"gz.none"}]}"#;
    let r = s.request(
        "POST",
        "/api/v1/datapoints/query",
        &[("Accept-Encoding", "deflate, gzip")],
        q,
    );
    assert_eq!(r.header("content-encoding"), Some("gzip"), "{r:?}");
    assert!(gunzip(&r.body).starts_with("{\"queries\":[{\"sample_size\":0"));
    // Not asked, or refused with q=0: plain.
    let r = s.request(
        "POST",
        "/api/v1/datapoints/query",
        &[("Accept-Encoding", "gzip;q=0")],
        q,
    );
    assert!(r.header("content-encoding").is_none(), "{r:?}");
    // Bodies under Jetty's 32-byte minimum stay plain (`/version` here is 30 bytes).
    let r = s.request(
        "GET",
        "/api/v1/version",
        &[("Accept-Encoding", "gzip")],
        b"",
    );
    assert!(r.header("content-encoding").is_none(), "{r:?}");
    // A 204 has no body to compress.
    let r = s.request(
        "POST",
        "/api/v1/datapoints",
        &[("Accept-Encoding", "gzip")],
        br#"[]"#,
    );
    assert_eq!(r.status, 204);
    assert!(r.header("content-encoding").is_none(), "{r:?}");
}

#[test]
fn cors_preflight_echoes_the_request_headers() {
    let s = Server::start();
    let r = s.request(
        "OPTIONS",
        "/api/v1/datapoints/query",
        &[
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
        b"",
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("content-type")
    );
    assert_eq!(r.header("access-control-max-age"), Some("86400"));
    // Java's misspelt header, plus the standard one.
    assert_eq!(r.header("access-control-allow_method"), Some("POST"));
    assert_eq!(r.header("access-control-allow-methods"), Some("POST"));
    assert!(r.body.is_empty());
}
