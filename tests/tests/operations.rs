//! Operations features over the real binary, on the suite's datastore: query limits with
//! Java's error text, the health endpoints, the slow-query log and self-reporting of
//! `kairosdb.*` metrics (spec http-api.md §2.13, §4.8, §7.2).

use std::time::Duration;

use kairosdb_tests::json::{metric_series, now_ms, query, unique_name};
use kairosdb_tests::{eventually_within, Server, ServerOptions};
use serde_json::{json, Value};

fn server(env: &[(&str, &str)]) -> Server {
    Server::start_with(ServerOptions {
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..ServerOptions::default()
    })
}

/// Every result group of `metric` with its tags, via a `group_by` on `tag`.
fn grouped(s: &Server, metric: &str, tag: &str, start: i64) -> Vec<(Value, Vec<Value>)> {
    let body = json!({
        "start_absolute": start,
        "metrics": [{"name": metric, "group_by": [{"name": "tag", "tags": [tag]}]}]
    });
    let v = s.query(&body);
    v.pointer("/queries/0/results")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let values = r["values"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|p| p[1].clone())
                .collect();
            (r["tags"].clone(), values)
        })
        .collect()
}

fn sum(values: &[Value]) -> i64 {
    values.iter().filter_map(Value::as_i64).sum()
}

#[test]
fn query_limit_fails_with_javas_message() {
    let s = server(&[("KAIROSDB_DATASTORE_CASSANDRA_QUERY_LIMIT", "5")]);
    let name = unique_name("ops.limit");
    let t0 = now_ms() - 60_000;
    s.ingest(&json!([
        metric_series(&name, &[("h", "a")], t0, 1000, 4),
        metric_series(&name, &[("h", "b")], t0, 1000, 4),
    ]));
    // 8 points in range: over the limit of 5, before anything is written out.
    let r = s.post_json("/api/v1/datapoints/query", &query(&name, t0, t0 + 10_000));
    assert_eq!(r.status, 500, "{r:?}");
    assert_eq!(
        r.text(),
        r#"{"errors":["org.kairosdb.core.exception.DatastoreException: org.kairosdb.core.exception.DatastoreException: Query exceeded limit of 5 data points"]}"#
    );
    // One row (4 points) is within the limit; so is the whole metric with a per-row limit.
    let one = json!({"start_absolute": t0, "end_absolute": t0 + 10_000,
        "metrics": [{"name": name, "tags": {"h": ["a"]}}]});
    assert_eq!(s.query(&one)["queries"][0]["sample_size"], 4);
    let limited = json!({"start_absolute": t0, "end_absolute": t0 + 10_000,
        "metrics": [{"name": name, "limit": 2}]});
    assert_eq!(s.query(&limited)["queries"][0]["sample_size"], 4);
}

#[test]
fn row_key_limit_fails_queries_and_tag_queries() {
    let s = server(&[("KAIROSDB_QUERIES_MAX_ROW_KEYS", "2")]);
    let name = unique_name("ops.rows");
    let t0 = now_ms() - 60_000;
    s.ingest(&json!([
        metric_series(&name, &[("h", "a")], t0, 1000, 1),
        metric_series(&name, &[("h", "b")], t0, 1000, 1),
        metric_series(&name, &[("h", "c")], t0, 1000, 1),
    ]));
    let all = query(&name, t0, t0 + 10_000);
    let expected = r#"{"errors":["org.kairosdb.core.exception.DatastoreException: org.kairosdb.core.exception.DatastoreException: Query exceeded limit of 2 row keys"]}"#;
    for path in ["/api/v1/datapoints/query", "/api/v1/datapoints/query/tags"] {
        let r = s.post_json(path, &all);
        assert_eq!((r.status, r.text()), (500, expected.to_string()), "{path}");
    }
    let two = json!({"start_absolute": t0, "end_absolute": t0 + 10_000,
        "metrics": [{"name": name, "tags": {"h": ["a", "b"]}}]});
    assert_eq!(s.query(&two)["queries"][0]["sample_size"], 2);
}

#[test]
fn health_lists_three_checks_and_answers_the_configured_code() {
    let s = server(&[("KAIROSDB_HEALTH_HEALTHYRESPONSECODE", "200")]);
    let r = s.get("/api/v1/health/check");
    assert_eq!((r.status, r.body.len()), (200, 0), "{r:?}");
    let r = s.get("/api/v1/health/status");
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.json(),
        json!([
            "JVM-Thread-Deadlock: OK",
            "Datastore-Query: OK",
            "Ingest-Queue: OK"
        ])
    );
}

#[test]
fn slow_queries_are_stored_as_javas_log_metrics() {
    let s = server(&[
        ("KAIROSDB_LOG_QUERIES_ENABLE", "true"),
        ("KAIROSDB_LOG_QUERIES_GREATER_THAN", "0"),
        ("KAIROSDB_HOSTNAME", "ops-node"),
    ]);
    let name = unique_name("ops.slow");
    let t0 = now_ms() - 60_000;
    s.ingest(&metric_series(&name, &[("h", "a")], t0, 1000, 3));
    let text = query(&name, t0, t0 + 10_000).to_string();
    assert_eq!(s.post("/api/v1/datapoints/query", &text).status, 200);
    // A query that fails to parse is logged too, with status=failed.
    let bad = r#"{"start_absolute":1,"metrics":[{"name":"x","aggregators":[{"name":"nope"}]}]}"#;
    assert_eq!(s.post("/api/v1/datapoints/query", bad).status, 400);
    let groups = eventually_within(Duration::from_secs(20), "logged queries", || {
        let g = grouped(&s, "kairosdb.log.query.json", "status", t0);
        let all: Vec<&Value> = g.iter().flat_map(|(_, v)| v).collect();
        if all.iter().any(|v| v.as_str() == Some(text.as_str()))
            && all.iter().any(|v| v.as_str() == Some(bad))
        {
            Ok(g)
        } else {
            Err(format!("{g:?}"))
        }
    });
    for (tags, values) in &groups {
        assert_eq!(tags["host"], json!(["ops-node"]), "{tags}");
        let status = tags["status"][0].as_str().unwrap_or("");
        let expected = if status == "failed" {
            bad
        } else {
            text.as_str()
        };
        assert!(values.iter().any(|v| v == expected), "{status}: {values:?}");
    }
    let remote = grouped(&s, "kairosdb.log.query.remote_address", "status", t0);
    assert!(
        remote.iter().flat_map(|(_, v)| v).all(|v| v == "127.0.0.1"),
        "{remote:?}"
    );
    // Self-reporting is off in this server: only the two log metrics exist.
    assert_eq!(
        s.metric_names(Some("kairosdb.")),
        vec![
            "kairosdb.log.query.json",
            "kairosdb.log.query.remote_address"
        ]
    );
}

#[test]
fn queries_under_the_threshold_are_not_logged() {
    let s = server(&[("KAIROSDB_LOG_QUERIES_ENABLE", "true")]);
    let name = unique_name("ops.fast");
    let t0 = now_ms() - 60_000;
    s.ingest(&metric_series(&name, &[("h", "a")], t0, 1000, 3));
    s.query(&query(&name, t0, t0 + 10_000));
    std::thread::sleep(Duration::from_millis(500));
    assert!(s.metric_names(Some("kairosdb.")).is_empty());
}

#[test]
fn reporter_writes_kairosdb_metrics_on_its_schedule() {
    let s = server(&[
        (
            "KAIROSDB_SERVICE_REPORTER",
            "org.kairosdb.core.reporting.MetricReportingModule",
        ),
        // Every second, through the Quartz cron path.
        ("KAIROSDB_REPORTER_SCHEDULE", "* * * * * ?"),
        ("KAIROSDB_HOSTNAME", "ops-node"),
    ]);
    let name = unique_name("ops.rep");
    let t0 = now_ms() - 60_000;
    s.ingest(&metric_series(&name, &[("h", "a")], t0, 1000, 3));
    let mut telnet = s.telnet();
    telnet
        .send_line(&format!("put {name} {} 7 h=b", t0 + 5000))
        .expect("telnet put");
    s.wait_points(&name, t0, t0 + 10_000, 4);
    let wait = |what: &str, check: &dyn Fn() -> Result<(), String>| {
        eventually_within(Duration::from_secs(30), what, check)
    };
    wait("kairosdb.http.ingest_count of 3", &|| {
        let g = grouped(&s, "kairosdb.http.ingest_count", "host", t0);
        match g.as_slice() {
            [(tags, v)] if tags["host"] == json!(["ops-node"]) && sum(v) == 3 => Ok(()),
            _ => Err(format!("{g:?}")),
        }
    });
    wait("kairosdb.metric_counters of 4 for the metric", &|| {
        let g = grouped(&s, "kairosdb.metric_counters", "metric_name", t0);
        let mine: Vec<_> = g
            .iter()
            .filter(|(t, _)| t["metric_name"] == json!([name.clone()]))
            .collect();
        // DataPointsMonitor skips the server's own metrics.
        let own = g.iter().any(|(t, _)| {
            t["metric_name"][0]
                .as_str()
                .is_some_and(|n| n.starts_with("kairosdb"))
        });
        match mine.as_slice() {
            [(_, v)] if sum(v) == 4 && !own => Ok(()),
            _ => Err(format!("{g:?}")),
        }
    });
    wait("telnet put counted", &|| {
        let g = grouped(&s, "kairosdb.protocol.telnet_request_count", "method", t0);
        let put: i64 = g
            .iter()
            .filter(|(t, _)| t["method"] == json!(["put"]))
            .map(|(_, v)| sum(v))
            .sum();
        if put == 1 {
            Ok(())
        } else {
            Err(format!("{g:?}"))
        }
    });
    wait("http requests counted by resource", &|| {
        let g = grouped(&s, "kairosdb.protocol.http_request_count", "method", t0);
        let count = |m: &str| -> i64 {
            g.iter()
                .filter(|(t, _)| t["method"] == json!([m]))
                .map(|(_, v)| sum(v))
                .sum()
        };
        if count("datapoints") == 1 && count("query") >= 1 {
            Ok(())
        } else {
            Err(format!("{g:?}"))
        }
    });
    wait("per-query statistics", &|| {
        let g = grouped(
            &s,
            "kairosdb.datastore.query_sample_size",
            "metric_name",
            t0,
        );
        let mine: Vec<i64> = g
            .iter()
            .filter(|(t, _)| t["metric_name"] == json!([name.clone()]))
            .flat_map(|(_, v)| v.iter().filter_map(Value::as_i64))
            .collect();
        if mine.contains(&4) {
            Ok(())
        } else {
            Err(format!("{g:?}"))
        }
    });
    let threads = grouped(&s, "kairosdb.jvm.thread_count", "host", t0);
    assert!(
        threads
            .iter()
            .flat_map(|(_, v)| v)
            .all(|v| v.as_i64().is_some_and(|n| n > 0)),
        "{threads:?}"
    );
    let names = s.metric_names(Some("kairosdb."));
    for expected in [
        "kairosdb.datastore.query_row_count",
        "kairosdb.datastore.query_time",
        "kairosdb.http.ingest_time",
        "kairosdb.http.query_time",
        "kairosdb.http.request_time",
        "kairosdb.jvm.thread_count",
        "kairosdb.jvm.total_memory",
        "kairosdb.queue.memory_queue.size",
        "kairosdb.queue.process_count",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} not in {names:?}"
        );
    }
}

#[test]
fn a_bad_reporter_schedule_stops_start_up_with_the_key() {
    let out = std::process::Command::new(kairosdb_tests::server::binary_path())
        .arg("--check-config")
        .env("KAIROSDB_REPORTER_SCHEDULE", "0 0 0 L * ?")
        .output()
        .expect("run kairosdb --check-config");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("KAIROSDB_REPORTER_SCHEDULE") && err.contains("not supported"),
        "{err}"
    );
}

#[test]
fn aggregate_stats_reports_min_max_avg_count_sum_instead() {
    let s = server(&[
        (
            "KAIROSDB_SERVICE_REPORTER",
            "org.kairosdb.core.reporting.MetricReportingModule",
        ),
        ("KAIROSDB_REPORTER_PERIOD_MS", "300"),
        ("KAIROSDB_QUERIES_AGGREGATE_STATS", "true"),
        ("KAIROSDB_LOG_QUERIES_ENABLE", "true"),
        ("KAIROSDB_LOG_QUERIES_GREATER_THAN", "0"),
        ("KAIROSDB_HOSTNAME", "ops-node"),
    ]);
    let name = unique_name("ops.agg");
    let t0 = now_ms() - 60_000;
    s.ingest(&metric_series(&name, &[("h", "a")], t0, 1000, 3));
    for _ in 0..3 {
        s.query(&query(&name, t0, t0 + 10_000));
    }
    eventually_within(Duration::from_secs(30), "query statistics", || {
        let count = grouped(&s, "kairosdb.datastore.query_sample_size.count", "host", t0);
        let max = grouped(&s, "kairosdb.datastore.query_sample_size.max", "host", t0);
        match (count.as_slice(), max.as_slice()) {
            ([(tags, c)], [(_, m)])
                if tags["host"] == json!(["ops-node"])
                    && sum(c) >= 3
                    && m.iter().any(|v| v == 3) =>
            {
                Ok(())
            }
            _ => Err(format!("count {count:?} max {max:?}")),
        }
    });
    let names = s.metric_names(Some("kairosdb."));
    for suffix in ["min", "max", "avg", "count", "sum"] {
        let n = format!("kairosdb.http.request_time.{suffix}");
        assert!(names.contains(&n), "{n} not in {names:?}");
    }
    // The raw per-query points and the slow-query log's string points are not written.
    for absent in [
        "kairosdb.datastore.query_sample_size",
        "kairosdb.http.request_time",
        "kairosdb.log.query.json",
    ] {
        assert!(!names.iter().any(|n| n == absent), "{absent} in {names:?}");
    }
}

/// The `THP_enabled` line of a process's `/proc/PID/status`.
#[cfg(target_os = "linux")]
fn thp_enabled(s: &Server) -> String {
    let pid = s.pid().expect("server is running");
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("THP_enabled:"))
        .map(|v| v.trim().to_string())
        .expect("this kernel reports THP_enabled in /proc/PID/status (Linux 5.0+)")
}

#[test]
#[cfg(target_os = "linux")]
fn transparent_huge_pages_are_off_unless_mimalloc_is_told_otherwise() {
    // Off by default: whole 2 MB pages per touched arena region doubled RSS at light load.
    let s = server(&[]);
    assert_eq!(thp_enabled(&s), "0", "the server should opt out of THP");
    drop(s);
    // MIMALLOC_ALLOW_THP leaves the choice to mimalloc and the kernel.
    let s = server(&[("MIMALLOC_ALLOW_THP", "1")]);
    assert_eq!(
        thp_enabled(&s),
        "1",
        "MIMALLOC_ALLOW_THP=1 should keep THP on"
    );
}

/// mimalloc's `purge_delay` as it reports it with `MIMALLOC_VERBOSE=1`.
fn purge_delay(s: &Server) -> String {
    let log = std::fs::read_to_string(s.log_path()).expect("server log");
    log.lines()
        .find_map(|l| l.trim().strip_prefix("option 'purge_delay':"))
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| panic!("mimalloc printed no purge_delay option:\n{log}"))
}

#[test]
#[cfg(target_os = "linux")]
fn freed_memory_goes_back_after_10_ms_unless_mimalloc_is_told_otherwise() {
    // mimalloc 3 keeps freed memory for 1,000 ms: a second of full-speed request buffers.
    let s = server(&[("MIMALLOC_VERBOSE", "1")]);
    assert_eq!(purge_delay(&s), "10");
    drop(s);
    let s = server(&[("MIMALLOC_VERBOSE", "1"), ("MIMALLOC_PURGE_DELAY", "250")]);
    assert_eq!(
        purge_delay(&s),
        "250",
        "an operator's MIMALLOC_PURGE_DELAY wins"
    );
}
