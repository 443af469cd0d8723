//! Name listings, version and health endpoints (§2.1, §2.8, §2.13, tagnames/tagvalues extension).

use kairosdb_tests::json::metric;
use kairosdb_tests::{string_results, Server};
use serde_json::json;

const T0: i64 = 1_700_000_000_000;

fn ingest_names(s: &Server) {
    s.ingest(&json!([
        metric(
            "sys.cpu",
            &[("host", "b"), ("dc", "east")],
            &[(T0, json!(1))]
        ),
        metric("sys.mem", &[("host", "a")], &[(T0, json!(1))]),
        metric(
            "app.requests",
            &[("route", "/x"), ("host", "a")],
            &[(T0, json!(1))]
        ),
        metric("Sys.upper", &[("zone", "z1")], &[(T0, json!(1))]),
    ]));
}

#[test]
fn metricnames_sorted_with_and_without_prefix() {
    let s = Server::start();
    ingest_names(&s);
    let all = kairosdb_tests::eventually("four metric names", || {
        let n = s.metric_names(None);
        if n.len() == 4 {
            Ok(n)
        } else {
            Err(format!("{n:?}"))
        }
    });
    // Java String order: upper case sorts before lower case.
    assert_eq!(all, vec!["Sys.upper", "app.requests", "sys.cpu", "sys.mem"]);
    assert_eq!(s.metric_names(Some("sys.")), vec!["sys.cpu", "sys.mem"]);
    assert_eq!(s.metric_names(Some("sys.c")), vec!["sys.cpu"]);
    assert_eq!(s.metric_names(Some("nothing")), Vec::<String>::new());
    // §2.8: the prefix is case-sensitive; an empty prefix means no filter.
    assert_eq!(s.metric_names(Some("Sys")), vec!["Sys.upper"]);
    assert_eq!(string_results(&s, "/api/v1/metricnames?prefix="), all);

    let r = s.get("/api/v1/metricnames?prefix=sys.");
    assert_eq!(r.text(), r#"{"results":["sys.cpu","sys.mem"]}"#);
    assert!(
        r.header("Content-Type")
            .unwrap_or("")
            .starts_with("application/json"),
        "{r:?}"
    );
}

#[test]
fn metricnames_empty_store() {
    let s = Server::start();
    let r = s.get("/api/v1/metricnames");
    assert_eq!((r.status, r.text()), (200, r#"{"results":[]}"#.to_string()));
}

#[test]
fn tagnames_and_tagvalues_extension() {
    let s = Server::start();
    ingest_names(&s);
    let names = kairosdb_tests::eventually("tag names", || {
        let n = string_results(&s, "/api/v1/tagnames");
        if n.len() == 4 {
            Ok(n)
        } else {
            Err(format!("{n:?}"))
        }
    });
    assert_eq!(names, vec!["dc", "host", "route", "zone"]);
    let values = string_results(&s, "/api/v1/tagvalues");
    assert_eq!(values, vec!["/x", "a", "b", "east", "z1"]);
}

#[test]
fn version_exact_shape() {
    let s = Server::start();
    let r = s.get("/api/v1/version");
    assert_eq!(r.status, 200, "{r:?}");
    let body = r.text();
    // §2.1: string concatenation with a space after the colon and a trailing newline.
    assert!(body.starts_with(r#"{"version": "KairosDB "#), "{body:?}");
    assert!(body.ends_with("\"}\n"), "{body:?}");
    assert_eq!(body.matches('\n').count(), 1, "{body:?}");
    assert!(
        r.json()["version"]
            .as_str()
            .is_some_and(|v| v.len() > "KairosDB ".len()),
        "{body:?}"
    );
    assert!(
        r.header("Content-Type")
            .unwrap_or("")
            .starts_with("application/json"),
        "{r:?}"
    );
    assert_eq!(r.header("Access-Control-Allow-Origin"), Some("*"), "{r:?}");
}

#[test]
fn health_check_and_status() {
    let s = Server::start();
    let r = s.get("/api/v1/health/check");
    assert_eq!(r.status, 204, "{r:?}");
    assert!(r.body.is_empty());
    let r = s.get("/api/v1/health/status");
    assert_eq!(r.status, 200, "{r:?}");
    let v = r.json();
    let list: Vec<&str> = v
        .as_array()
        .expect("health/status is an array")
        .iter()
        .filter_map(|e| e.as_str())
        .collect();
    assert!(!list.is_empty(), "{v}");
    assert!(list.iter().all(|e| e.ends_with(": OK")), "{v}");
    // §8: the datastore probe is reported under the Java name because scripts grep for it.
    assert!(list.contains(&"Datastore-Query: OK"), "{v}");
}

#[test]
fn unknown_paths_and_methods() {
    let s = Server::start();
    assert_eq!(s.get("/api/v1/nope").status, 404);
    let r = s.request("PUT", "/api/v1/version", &[], b"");
    assert!(r.status == 405 || r.status == 404, "{r:?}");
    // §1.1: a trailing slash is accepted.
    assert_eq!(s.get("/api/v1/version/").status, 200);
}
