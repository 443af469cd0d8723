//! Higher-level calls on a [`Server`]: ingest asserting 204, query asserting 200, wait for points.

use serde_json::Value;

use crate::json::{self, all_values};
use crate::poll::eventually;
use crate::server::Server;

impl Server {
    /// Posts `body` to `/api/v1/datapoints` and panics unless the answer is 204.
    pub fn ingest(&self, body: &Value) {
        let r = self.post_json("/api/v1/datapoints", body);
        assert_eq!(
            r.status,
            204,
            "ingest of {} failed: {r:?}",
            truncate(&body.to_string())
        );
    }

    /// Posts `body` to `/api/v1/datapoints/query`, panics unless 200, returns the JSON answer.
    pub fn query(&self, body: &Value) -> Value {
        let r = self.post_json("/api/v1/datapoints/query", body);
        assert_eq!(r.status, 200, "query {body} failed: {r:?}");
        r.json()
    }

    /// All points of `name` in `[start, end]` (all result groups concatenated).
    pub fn points(&self, name: &str, start: i64, end: i64) -> Vec<(i64, Value)> {
        all_values(&self.query(&json::query(name, start, end)))
    }

    /// Polls until `name` has exactly `count` points in `[start, end]` and returns them.
    pub fn wait_points(&self, name: &str, start: i64, end: i64, count: usize) -> Vec<(i64, Value)> {
        eventually(
            &format!("{name} to have {count} points in [{start}, {end}]"),
            || {
                let p = self.points(name, start, end);
                if p.len() == count {
                    Ok(p)
                } else {
                    Err(format!("has {} points", p.len()))
                }
            },
        )
    }

    /// Polls until the `/api/v1/datapoints/query` answer to `body` satisfies `check` and returns it.
    pub fn wait_query(&self, body: &Value, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        eventually(what, || {
            let v = self.query(body);
            if check(&v) {
                Ok(v)
            } else {
                Err(format!("last answer {}", truncate(&v.to_string())))
            }
        })
    }

    /// Names from `GET /api/v1/metricnames` (with `?prefix=` when given).
    pub fn metric_names(&self, prefix: Option<&str>) -> Vec<String> {
        let path = match prefix {
            Some(p) => format!("/api/v1/metricnames?prefix={}", crate::http::url_encode(p)),
            None => "/api/v1/metricnames".to_string(),
        };
        string_results(self, &path)
    }
}

/// The `results` string list of a `{"results":[...]}` GET endpoint; panics unless 200 with that shape.
pub fn string_results(server: &Server, path: &str) -> Vec<String> {
    let r = server.get(path);
    assert_eq!(r.status, 200, "GET {path}: {r:?}");
    let v = r.json();
    v.get("results")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("GET {path}: no results array in {v}"))
        .iter()
        .map(|s| {
            s.as_str()
                .unwrap_or_else(|| panic!("GET {path}: non-string in {v}"))
                .to_string()
        })
        .collect()
}

fn truncate(s: &str) -> String {
    if s.len() <= 500 {
        s.to_string()
    } else {
        let mut end = 500;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}... ({} bytes)", &s[..end], s.len())
    }
}
