//! `--role ingest|query`: a process serves one side only and answers the other side's paths
//! with a clear 404.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use kairosdb_tests::http;
use kairosdb_tests::server::{binary_path, Server, ServerOptions};

#[test]
fn ingest_role_takes_points_and_refuses_queries() {
    let s = Server::start_with(ServerOptions {
        args: vec!["--role".into(), "ingest".into()],
        ..ServerOptions::default()
    });
    let r = s.post(
        "/api/v1/datapoints",
        r#"[{"name":"role.m","tags":{"h":"a"},"datapoints":[[1,1]]}]"#,
    );
    assert_eq!(r.status, 204, "{r:?}");
    let mut t = s.telnet();
    t.send_line("putm role.m 2 2 h=a").expect("send");
    assert!(t.version().expect("telnet answers").starts_with("KairosDB"));
    for (method, path) in [
        ("POST", "/api/v1/datapoints/query"),
        ("GET", "/api/v1/metricnames"),
        ("DELETE", "/api/v1/metric/role.m"),
    ] {
        let r = s.request(method, path, &[], b"{}");
        assert_eq!(r.status, 404, "{method} {path}: {r:?}");
        assert_eq!(
            r.errors(),
            vec!["not served here: this kairosdb-rs instance runs the ingest role"]
        );
    }
    assert_eq!(s.get("/api/v1/health/check").status, 204);
}

struct Child2(Child);

impl Drop for Child2 {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn query_role_serves_queries_without_ingest_or_telnet() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Child2(
        Command::new(binary_path())
            .args([
                "--role",
                "query",
                "--bind",
                "127.0.0.1:0",
                "--telnet",
                "127.0.0.1:0",
                "--data-dir",
            ])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start kairosdb"),
    );
    let stdout = child.0.stdout.take().expect("stdout");
    let mut http_addr: Option<SocketAddr> = None;
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("stdout line");
        lines.push(line.clone());
        if let Some(a) = line.strip_prefix("kairosdb: http listening on ") {
            http_addr = a.parse().ok();
        }
        if line == "kairosdb: ready" {
            break;
        }
    }
    let addr = http_addr.unwrap_or_else(|| panic!("no http address in {lines:?}"));
    assert!(
        !lines.iter().any(|l| l.contains("telnet listening")),
        "query role must not listen for telnet: {lines:?}"
    );
    let q = br#"{"start_absolute":0,"metrics":[{"name":"role.q"}]}"#;
    let r = http::request(addr, "POST", "/api/v1/datapoints/query", &[], q).expect("query answers");
    assert_eq!(r.status, 200, "{r:?}");
    let r = http::request(addr, "POST", "/api/v1/datapoints", &[], b"[]").expect("answers");
    assert_eq!(r.status, 404, "{r:?}");
    assert_eq!(
        r.errors(),
        vec!["not served here: this kairosdb-rs instance runs the query role"]
    );
}

#[test]
fn unknown_role_is_a_start_up_error() {
    let out = Command::new(binary_path())
        .args(["--role", "writer", "--check-config"])
        .output()
        .expect("run kairosdb");
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("kairosdb.role") && text.contains("writer"),
        "{text}"
    );
}
