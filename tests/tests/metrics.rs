//! `/metrics` in the Prometheus text format: parses with a real exposition parser and moves
//! with the traffic the server sees.

use kairosdb_tests::Server;
use prometheus_parse::{Scrape, Value};

fn scrape(s: &Server) -> Scrape {
    let r = s.get("/metrics");
    assert_eq!(r.status, 200, "{r:?}");
    assert!(
        r.header("content-type")
            .unwrap_or("")
            .starts_with("text/plain; version=0.0.4"),
        "{r:?}"
    );
    let text = r.text();
    Scrape::parse(text.lines().map(|l| Ok(l.to_string())))
        .unwrap_or_else(|e| panic!("/metrics does not parse: {e}\n{text}"))
}

fn value(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(v)))
        .map(|s| match &s.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
            Value::Histogram(h) => h.iter().map(|b| b.count).fold(0.0, f64::max),
            Value::Summary(_) => f64::NAN,
        })
        .unwrap_or_else(|| panic!("no sample {name} {labels:?}"))
}

#[test]
fn metrics_parse_and_follow_traffic() {
    let s = Server::start();
    let before = scrape(&s);
    assert_eq!(value(&before, "kairosdb_ingest_points_total", &[]), 0.0);
    let r = s.post(
        "/api/v1/datapoints",
        r#"[{"name":"mx.m","tags":{"h":"a"},"datapoints":[[1,1],[2,2],[3,3]]}]"#,
    );
    assert_eq!(r.status, 204);
    let mut t = s.telnet();
    t.send_line("putm mx.t 1000 1 h=a").expect("send");
    t.send_line("not a command").expect("send");
    t.version().expect("version");
    let r = s.post(
        "/api/v1/datapoints/query",
        r#"{"start_absolute":0,"metrics":[{"name":"mx.m"}]}"#,
    );
    assert_eq!(r.status, 200);
    let after = scrape(&s);
    assert_eq!(value(&after, "kairosdb_ingest_points_total", &[]), 4.0);
    assert!(value(&after, "kairosdb_ingest_batches_total", &[]) >= 2.0);
    assert_eq!(
        value(
            &after,
            "kairosdb_http_requests_total",
            &[("route", "/api/v1/datapoints"), ("status", "204")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &after,
            "kairosdb_telnet_lines_total",
            &[("outcome", "accepted")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &after,
            "kairosdb_telnet_lines_total",
            &[("outcome", "rejected")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &after,
            "kairosdb_open_connections",
            &[("protocol", "telnet")]
        ),
        1.0
    );
    assert!(
        value(&after, "kairosdb_query_duration_seconds", &[]) >= 1.0,
        "one query observed"
    );
    assert!(value(&after, "process_resident_memory_bytes", &[]) > 1e6);
    assert_eq!(value(&after, "kairosdb_datastore_errors_total", &[]), 0.0);
}
