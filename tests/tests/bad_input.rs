//! Hostile and malformed input on every endpoint: the server answers with an error, never crashes, and keeps
//! earlier data intact.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use kairosdb_tests::http::Connection;
use kairosdb_tests::json::{metric, metric_series};
use kairosdb_tests::{Response, Server};
use serde_json::json;

const T0: i64 = 1_700_000_000_000;

const JSON_ENDPOINTS: [&str; 4] = [
    "/api/v1/datapoints",
    "/api/v1/datapoints/query",
    "/api/v1/datapoints/query/tags",
    "/api/v1/datapoints/delete",
];

/// Ingests a marker series that every test checks again at the end.
fn marker(s: &Server) {
    s.ingest(&metric_series("bad.marker", &[("host", "a")], T0, 1, 5));
    s.wait_points("bad.marker", T0, T0 + 4, 5);
}

/// The server is alive and the marker is intact.
fn check_intact(s: &mut Server) {
    s.assert_alive();
    assert_eq!(
        s.points("bad.marker", T0, T0 + 4).len(),
        5,
        "marker data changed"
    );
}

/// An error answer: one of `statuses` and a `{"errors":[...]}` body with at least one entry.
fn assert_error(r: &Response, statuses: &[u16], what: &str) {
    assert!(
        statuses.contains(&r.status),
        "{what}: status {} not in {statuses:?}: {r:?}",
        r.status
    );
    let v: serde_json::Value = serde_json::from_slice(&r.body)
        .unwrap_or_else(|e| panic!("{what}: body is not JSON ({e}): {r:?}"));
    let n = v
        .get("errors")
        .and_then(|e| e.as_array())
        .map(Vec::len)
        .unwrap_or(0);
    assert!(n > 0, "{what}: no errors in {r:?}");
}

#[test]
fn malformed_json_on_every_json_endpoint() {
    let mut s = Server::start();
    marker(&s);
    let bodies: &[&[u8]] = &[
        b"{",
        b"{\"name\":",
        b"[{\"name\":\"m\",]",
        b"{\"a\" \"b\"}",
        b"{\"start_absolute\":1,\"metrics\":[{\"name\":\"m\"}]",
        b"\"\\u12\"",
        b"\xff\xfe\x00garbage\x80\x81",
        b"{\"name\":\"\xff\xfe\",\"start_absolute\":",
    ];
    for path in JSON_ENDPOINTS {
        for body in bodies {
            let r = s.request("POST", path, &[("Content-Type", "application/json")], body);
            assert_error(
                &r,
                &[400, 500],
                &format!("{path} {:?}", String::from_utf8_lossy(body)),
            );
        }
    }
    check_intact(&mut s);
}

#[test]
fn deeply_nested_json_is_refused_without_crashing() {
    let mut s = Server::start();
    marker(&s);
    let deep = "[".repeat(200_000);
    for path in JSON_ENDPOINTS {
        let r = s.post(path, &deep);
        assert_error(&r, &[400, 500], path);
        let r = s.post(
            path,
            &format!("{{\"start_absolute\":1,\"metrics\":[{{\"name\":\"m\",\"tags\":{deep}"),
        );
        assert_error(&r, &[400, 500], path);
    }
    let r = s.post(
        "/api/v1/datapoints",
        &format!("{{\"name\":\"m\",\"tags\":{{\"h\":\"a\"}},\"timestamp\":1,\"value\":{deep}"),
    );
    assert_error(&r, &[400, 500], "deep value");
    check_intact(&mut s);
}

#[test]
fn wrong_types_in_ingest() {
    let mut s = Server::start();
    marker(&s);
    let r = s.post(
        "/api/v1/datapoints",
        r#"{"name":"m","tags":{"h":"a"},"timestamp":"abc","value":1}"#,
    );
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(
        r.errors(),
        vec![r#"java.lang.NumberFormatException: For input string: "abc""#]
    );
    let r = s.post(
        "/api/v1/datapoints",
        r#"{"name":"m","tags":{"h":"a"},"timestamp":1.5,"value":1}"#,
    );
    assert_error(&r, &[400], "fractional timestamp");
    for body in [
        r#"{"name":"m","tags":{"h":{"x":1}},"timestamp":1,"value":1}"#,
        r#"{"name":"m","tags":{"h":"a"},"datapoints":5}"#,
        r#"{"name":"m","tags":{"h":"a"},"datapoints":[5]}"#,
        r#"{"name":"m","tags":{"h":"a"},"datapoints":[["x",1]]}"#,
        r#"{"name":"m","tags":{"h":"a"},"datapoints":[[true,1]]}"#,
        r#"{"name":"m","tags":{"h":"a"},"datapoints":[[1,[1,2]]]}"#,
        r#"{"name":"m","tags":{"h":"a"},"datapoints":[[1,1,null]]}"#,
        r#"{"name":"m","tags":{"h":"a"},"type":"long","timestamp":1,"value":"abc"}"#,
        r#"{"name":"m","tags":{"h":"a"},"ttl":"abc","timestamp":1,"value":1}"#,
        r#"{"name":["m"],"tags":{"h":"a"},"timestamp":1,"value":1}"#,
        r#"{"name":"m","tags":["h","a"],"timestamp":1,"value":1}"#,
        r#"[5]"#,
        r#"[null]"#,
        r#"{"name":"m","tags":{"h":"a"},"timestamp":1,"value":".5.5"}"#,
    ] {
        let r = s.post("/api/v1/datapoints", body);
        assert_error(&r, &[400, 500], body);
    }
    // §3.1: numbers and booleans as names/tag values are coerced to text.
    let r = s.post(
        "/api/v1/datapoints",
        r#"{"name":5,"tags":{"h":true},"timestamp":1,"value":1}"#,
    );
    assert_eq!(r.status, 204, "{r:?}");
    check_intact(&mut s);
}

#[test]
fn wrong_types_in_queries() {
    let mut s = Server::start();
    marker(&s);
    let r = s.post(
        "/api/v1/datapoints/query",
        r#"{"start_absolute":"abc","metrics":[{"name":"m"}]}"#,
    );
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(
        r.errors(),
        vec![r#"java.lang.NumberFormatException: For input string: "abc""#]
    );
    for body in [
        r#"{"start_absolute":1,"metrics":5}"#,
        r#"{"start_absolute":1,"metrics":{"name":"m"}}"#,
        r#"{"start_absolute":1,"metrics":[{"name":"m","limit":"x"}]}"#,
        r#"{"start_absolute":1,"metrics":[{"name":"m","tags":5}]}"#,
        r#"{"start_absolute":1,"metrics":[{"name":"m","tags":{"h":{"x":1}}}]}"#,
        r#"{"start_absolute":1,"metrics":[{"name":"m","aggregators":5}]}"#,
        r#"{"start_absolute":1,"metrics":[{"name":"m","aggregators":[5]}]}"#,
        r#"{"start_absolute":1,"metrics":[{"name":"m","group_by":[{"name":null}]}]}"#,
        r#"{"start_absolute":1,"metrics":[{"name":null}]}"#,
        // Gson's JsonArray.getAsString reads a one-element array as its element; two fail.
        r#"{"start_absolute":1,"metrics":[{"name":["m","n"]}]}"#,
        r#"{"start_relative":5,"metrics":[{"name":"m"}]}"#,
        r#"{"start_relative":{"value":"x","unit":"days"},"metrics":[{"name":"m"}]}"#,
        // (A 20-digit value is not an error in Java: Gson wraps it through BigDecimal.longValue.)
        r#"{"start_relative":{"value":-1,"unit":"years"},"metrics":[{"name":"m"}]}"#,
        r#"{"start_absolute":1,"time_zone":5,"metrics":[{"name":"m"}]}"#,
        r#"{"start_absolute":1,"cache_time":"x","metrics":[{"name":"m"}]}"#,
        r#"{"start_absolute":1,"metrics":[{"name":"m","tags":{"h":"regex:("}}]}"#,
        "null",
        "5",
        "\"x\"",
    ] {
        for path in [
            "/api/v1/datapoints/query",
            "/api/v1/datapoints/query/tags",
            "/api/v1/datapoints/delete",
        ] {
            let r = s.post(path, body);
            assert_error(&r, &[400, 500], &format!("{path} {body}"));
        }
    }
    // Extreme but valid ranges must not overflow.
    for body in [
        format!(r#"{{"start_absolute":{},"end_absolute":{},"metrics":[{{"name":"bad.marker"}}]}}"#, i64::MIN, i64::MAX),
        r#"{"start_relative":{"value":2147483647,"unit":"years"},"metrics":[{"name":"bad.marker"}]}"#.to_string(),
        r#"{"start_relative":{"value":9223372036854775807,"unit":"milliseconds"},"metrics":[{"name":"bad.marker"}]}"#
            .to_string(),
    ] {
        let r = s.post("/api/v1/datapoints/query", &body);
        assert!(r.status == 200 || r.status == 400 || r.status == 500, "{body}: {r:?}");
    }
    check_intact(&mut s);
}

#[test]
fn empty_and_odd_names() {
    let mut s = Server::start();
    marker(&s);
    let r = s.post(
        "/api/v1/datapoints/query",
        r#"{"start_absolute":1,"metrics":[{"name":""}]}"#,
    );
    assert_eq!(r.status, 400, "{r:?}");
    let r = s.delete("/api/v1/metric/");
    assert!((400..500).contains(&r.status), "{r:?}");
    let r = s.delete("/api/v1/metric/%FF%FE");
    assert!(r.status == 204 || (400..500).contains(&r.status), "{r:?}");
    // Only emptiness is validated: blanks, separators and long names are fine.
    let long = "n".repeat(20_000);
    s.ingest(&json!([
        metric(" ", &[("h", "a")], &[(T0, json!(1))]),
        metric("a:b/c d", &[("k:/ x", "v=1,2")], &[(T0, json!(1))]),
    ]));
    let r = s.post_json(
        "/api/v1/datapoints",
        &metric(&long, &[("h", "a")], &[(T0, json!(1))]),
    );
    assert!(r.status == 204 || r.status == 400, "{r:?}");
    s.wait_points("a:b/c d", T0, T0, 1);
    s.wait_points(" ", T0, T0, 1);
    let r = s.get("/api/v1/metricnames?prefix=%00%FF");
    assert!(r.status == 200 || r.status == 400, "{r:?}");
    check_intact(&mut s);
}

#[test]
fn non_numeric_and_extreme_numbers() {
    let mut s = Server::start();
    marker(&s);
    for body in [
        r#"{"name":"bad.num","tags":{"h":"a"},"datapoints":[[1,1e400]]}"#,
        r#"{"name":"bad.num","tags":{"h":"a"},"datapoints":[[1,123456789012345678901234567890]]}"#,
        r#"{"name":"bad.num","tags":{"h":"a"},"datapoints":[[1e400,1]]}"#,
        r#"{"name":"bad.num","tags":{"h":"a"},"datapoints":[[99999999999999999999,1]]}"#,
        r#"{"name":"bad.num","tags":{"h":"a"},"datapoints":[[-9223372036854775808,1]]}"#,
        r#"{"name":"bad.num","tags":{"h":"a"},"datapoints":[[9223372036854775807,1]]}"#,
        r#"{"name":"bad.num","tags":{"h":"a"},"datapoints":[[1,-0.0]]}"#,
    ] {
        let r = s.post("/api/v1/datapoints", body);
        assert!(matches!(r.status, 204 | 400 | 500), "{body}: {r:?}");
    }
    let r = s.post(
        "/api/v1/datapoints/query",
        r#"{"start_absolute":-9223372036854775808,"metrics":[{"name":"bad.num"}]}"#,
    );
    assert!(matches!(r.status, 200 | 500), "{r:?}");
    check_intact(&mut s);
}

/// Megabytes of the huge-body test; `KAIROSDB_TESTS_HUGE_MB` overrides the default 50.
fn huge_mb() -> usize {
    std::env::var("KAIROSDB_TESTS_HUGE_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50)
}

#[test]
fn huge_body_is_accepted_or_refused_cleanly() {
    let mut s = Server::start();
    marker(&s);
    let target = huge_mb() * 1024 * 1024;
    let mut body = String::with_capacity(target + 1024);
    body.push('[');
    let mut ts = T0;
    let mut objects = 0;
    while body.len() < target {
        if objects > 0 {
            body.push(',');
        }
        body.push_str(&format!(
            r#"{{"name":"bad.huge","tags":{{"host":"h{}"}},"datapoints":["#,
            objects % 10
        ));
        for i in 0..10_000 {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&format!("[{ts},{}]", ts % 1000));
            ts += 1;
        }
        body.push_str("]}");
        objects += 1;
    }
    body.push(']');
    let last = ts - 1;
    let size = body.len();
    let started = std::time::Instant::now();
    let r = s.post("/api/v1/datapoints", &body);
    drop(body);
    // Visible with --nocapture: what the server did with the body and how long it took.
    println!(
        "huge body: {size} bytes, {} points -> status {} in {:?}",
        last - T0 + 1,
        r.status,
        started.elapsed()
    );
    if r.status == 204 {
        s.wait_points("bad.huge", T0, T0, 1);
        s.wait_points("bad.huge", last, last, 1);
        s.wait_points("bad.huge", T0 + 123_456, T0 + 123_456, 1);
    } else {
        assert!((400..500).contains(&r.status), "huge body: {r:?}");
        assert!(!r.body.is_empty(), "refusal without an explanation: {r:?}");
    }
    check_intact(&mut s);
}

#[test]
fn garbage_on_the_http_port() {
    let mut s = Server::start();
    marker(&s);
    let addr = s.http_addr();
    let blasts: &[&[u8]] = &[
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage-tls-hello\r\n\r\n",
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST /api/v1/datapoints HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST /api/v1/datapoints HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        b"POST /api/v1/datapoints HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"\x00\x00\x00\x00\xff\xff\xff\xff",
    ];
    for blast in blasts {
        if let Ok(mut c) = TcpStream::connect(addr) {
            let _ = c.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = c.write_all(blast);
            let mut sink = Vec::new();
            let _ = c.shutdown(std::net::Shutdown::Write);
            let _ = c.read_to_end(&mut sink);
        }
    }
    // A body shorter than its Content-Length, then the client goes away.
    if let Ok(mut c) = TcpStream::connect(addr) {
        let _ = c.write_all(b"POST /api/v1/datapoints HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n[{\"name\":\"bad.cut\"");
    }
    // A very long header and URL.
    let long = "a".repeat(256 * 1024);
    if let Ok(mut conn) = Connection::connect(addr) {
        let _ = conn.request("GET", "/api/v1/version", &[("X-Long", &long)], b"");
    }
    if let Ok(mut conn) = Connection::connect(addr) {
        let _ = conn.request(
            "GET",
            &format!("/api/v1/metricnames?prefix={long}"),
            &[],
            b"",
        );
    }
    check_intact(&mut s);
    assert_eq!(s.points("bad.cut", 0, i64::MAX / 2).len(), 0);
}

#[test]
fn binary_garbage_on_telnet_keeps_earlier_data() {
    let mut s = Server::start();
    marker(&s);
    let mut t = s.telnet();
    t.send_line("putm bad.tel 1700000000000 1 host=a")
        .expect("send");
    t.version().expect("version");
    let mut x: u32 = 0x9e37_79b9;
    let garbage: Vec<u8> = (0..256 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    let _ = t.send_raw(&garbage);
    drop(t);
    // Several connections opened and dropped at once.
    let extra: Vec<_> = (0..20).map(|_| s.telnet()).collect();
    drop(extra);
    let mut t = s.telnet();
    assert!(t
        .version()
        .expect("version after garbage")
        .starts_with("KairosDB "));
    s.wait_points("bad.tel", T0, T0, 1);
    check_intact(&mut s);
}
