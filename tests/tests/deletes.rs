//! `POST /api/v1/datapoints/delete` and `DELETE /api/v1/metric/{name}` (§2.6, §2.7).

use kairosdb_tests::json::{metric, metric_series, now_ms, query, results, values};
use kairosdb_tests::{eventually, Server};
use serde_json::{json, Value};

const T0: i64 = 1_700_000_000_000;

fn tagged(s: &Server, name: &str, host: &str) -> Vec<i64> {
    let q = json!({"start_absolute": 0, "metrics": [{"name": name, "tags": {"host": host}}]});
    results(&s.query(&q), 0)
        .iter()
        .flat_map(values)
        .map(|(t, _)| t)
        .collect()
}

#[test]
fn delete_by_range_and_tags_removes_exactly_those_points() {
    let s = Server::start();
    s.ingest(&json!([
        metric_series("d.range", &[("host", "a")], T0, 1, 10),
        metric_series("d.range", &[("host", "b")], T0, 1, 10),
        metric_series("d.other", &[("host", "a")], T0, 1, 10),
    ]));
    s.wait_points("d.range", T0, T0 + 9, 20);
    s.wait_points("d.other", T0, T0 + 9, 10);

    let r = s.post_json(
        "/api/v1/datapoints/delete",
        &json!({"start_absolute": T0 + 3, "end_absolute": T0 + 5, "metrics": [{"name": "d.range", "tags": {"host": "a"}}]}),
    );
    assert_eq!(r.status, 204, "{r:?}");
    eventually("host=a to lose 3 points", || {
        let a = tagged(&s, "d.range", "a");
        if a == vec![T0, T0 + 1, T0 + 2, T0 + 6, T0 + 7, T0 + 8, T0 + 9] {
            Ok(())
        } else {
            Err(format!("{a:?}"))
        }
    });
    assert_eq!(
        tagged(&s, "d.range", "b"),
        (0..10).map(|i| T0 + i).collect::<Vec<_>>()
    );
    assert_eq!(s.points("d.other", T0, T0 + 9).len(), 10);
    // The metric still has points, so it stays listed.
    assert!(s.metric_names(None).contains(&"d.range".to_string()));
}

#[test]
fn delete_without_end_removes_future_points() {
    let s = Server::start();
    let now = now_ms();
    let future = now + 7 * 86_400_000;
    s.ingest(&metric(
        "d.future",
        &[("host", "a")],
        &[(now - 1000, json!(1)), (future, json!(2))],
    ));
    s.wait_points("d.future", now - 1000, future, 2);
    // §2.6: the end defaults to unbounded, not now.
    let r = s.post_json(
        "/api/v1/datapoints/delete",
        &json!({"start_absolute": now - 500, "metrics": [{"name": "d.future"}]}),
    );
    assert_eq!(r.status, 204, "{r:?}");
    s.wait_points("d.future", now - 1000, future, 1);
}

#[test]
fn delete_metric_removes_it_from_metricnames() {
    let s = Server::start();
    s.ingest(&json!([
        metric_series("d.whole", &[("host", "a")], T0, 1000, 5),
        metric_series("d.whole", &[("host", "b")], -5000, 1000, 3),
        metric_series("d.keep", &[("host", "a")], T0, 1000, 5),
    ]));
    s.wait_points("d.whole", -10_000, T0 + 10_000, 8);
    s.wait_points("d.keep", T0, T0 + 10_000, 5);

    let r = s.delete("/api/v1/metric/d.whole");
    assert_eq!(r.status, 204, "{r:?}");
    eventually("d.whole to disappear from metricnames", || {
        let n = s.metric_names(None);
        if n == vec!["d.keep".to_string()] {
            Ok(())
        } else {
            Err(format!("{n:?}"))
        }
    });
    let v = s.query(&query("d.whole", i64::MIN / 2, i64::MAX / 2));
    assert_eq!(
        results(&v, 0),
        vec![json!({"name": "d.whole", "tags": {}, "values": []})],
        "{v}"
    );
    assert_eq!(s.points("d.keep", T0, T0 + 10_000).len(), 5);

    // Unknown metric: still 204.
    assert_eq!(s.delete("/api/v1/metric/d.never").status, 204);
    // The path segment is URL-decoded.
    s.ingest(&metric("d.with space", &[("host", "a")], &[(T0, json!(1))]));
    s.wait_points("d.with space", T0, T0, 1);
    assert_eq!(s.delete("/api/v1/metric/d.with%20space").status, 204);
    s.wait_points("d.with space", T0, T0, 0);
}

#[test]
fn deleted_metric_can_be_written_again() {
    let s = Server::start();
    s.ingest(&metric_series("d.again", &[("host", "a")], T0, 1, 3));
    s.wait_points("d.again", T0, T0 + 10, 3);
    assert_eq!(s.delete("/api/v1/metric/d.again").status, 204);
    s.wait_points("d.again", T0, T0 + 10, 0);
    s.ingest(&metric("d.again", &[("host", "b")], &[(T0 + 5, json!(9))]));
    let p = s.wait_points("d.again", T0, T0 + 10, 1);
    assert_eq!(p, vec![(T0 + 5, Value::from(9))]);
    assert!(s.metric_names(None).contains(&"d.again".to_string()));
}

#[test]
fn delete_validates_the_query() {
    let s = Server::start();
    let r = s.post(
        "/api/v1/datapoints/delete",
        r#"{"start_absolute":1,"metrics":[{"name":""}]}"#,
    );
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(r.errors(), vec!["query.metric[0].name may not be empty"]);
    // Deleting a metric that does not exist is still 204.
    let r = s.post(
        "/api/v1/datapoints/delete",
        r#"{"start_absolute":1,"metrics":[{"name":"d.none"}]}"#,
    );
    assert_eq!(r.status, 204, "{r:?}");
}
