//! One request sent to both servers, the comparison of the two answers, and the run's tally.

use std::net::SocketAddr;

use kairosdb_tests::http::{request, Response};
use serde_json::Value;

use crate::expected::Expected;

/// One request of the corpus.
#[derive(Clone, Debug)]
pub struct Case {
    /// Stable, readable id (`group/what`).
    pub id: String,
    /// HTTP method.
    pub method: &'static str,
    /// Path with query string.
    pub path: String,
    /// Body (empty for GET / DELETE).
    pub body: String,
    /// Set when the two servers are known to answer differently on purpose.
    pub expected: Option<&'static Expected>,
}

impl Case {
    /// A `POST path` with a JSON body.
    pub fn post(id: impl Into<String>, path: &str, body: &Value) -> Case {
        Case::raw(id, "POST", path, body.to_string())
    }

    /// A request with a body given as text (for malformed JSON).
    pub fn raw(id: impl Into<String>, method: &'static str, path: &str, body: String) -> Case {
        Case {
            id: id.into(),
            method,
            path: path.to_string(),
            body,
            expected: None,
        }
    }

    /// A `GET path`.
    pub fn get(id: impl Into<String>, path: &str) -> Case {
        Case::raw(id, "GET", path, String::new())
    }

    /// A query (`POST /api/v1/datapoints/query`).
    pub fn query(id: impl Into<String>, body: &Value) -> Case {
        Case::post(id, "/api/v1/datapoints/query", body)
    }

    /// Marks the case as a known, deliberate difference.
    pub fn expect(mut self, e: &'static Expected) -> Case {
        self.expected = Some(e);
        self
    }

    /// Sends the case to `addr`; an I/O failure becomes status 0 with the error as body.
    pub fn send(&self, addr: SocketAddr) -> Response {
        let headers: &[(&str, &str)] = if self.body.is_empty() {
            &[]
        } else {
            &[("Content-Type", "application/json")]
        };
        request(addr, self.method, &self.path, headers, self.body.as_bytes()).unwrap_or_else(|e| {
            Response {
                status: 0,
                headers: Vec::new(),
                body: format!("no HTTP answer: {e}").into_bytes(),
            }
        })
    }
}

/// Whether two answers are the same: status, and the bodies as JSON values (numbers must be
/// exactly equal, an integer never equals a float), or as text when either is not JSON.
///
/// One normalisation, no tolerance: Java merges the rows of a group ordered by timestamp, then
/// by value as a double (a string counts as 0), and breaks the remaining ties by
/// `System.identityHashCode`, which differs from run to run
/// (src/main/java/org/kairosdb/core/datastore/SortingDataPointGroup.java). So in each
/// `values` array a run of points with the same timestamp and the same double value (e.g. two
/// series' strings at one instant) is compared as a set: sorted by its JSON text on both sides.
pub fn same(java: &Response, rust: &Response) -> bool {
    if java.status != rust.status || headers(java) != headers(rust) {
        return false;
    }
    if java.body == rust.body {
        return true;
    }
    match (
        serde_json::from_slice::<Value>(&java.body),
        serde_json::from_slice::<Value>(&rust.body),
    ) {
        (Ok(mut j), Ok(mut r)) => {
            normalize_ties(&mut j);
            normalize_ties(&mut r);
            j == r
        }
        _ => false,
    }
}

/// The headers a client acts on: the media type of a body (without parameters; Jetty and hyper
/// spell the charset differently; a 204 has no body to type) and whether the CORS header is
/// present.
pub fn headers(r: &Response) -> (String, bool) {
    let media = r
        .header("content-type")
        .filter(|_| r.status != 204)
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    (media, r.header("access-control-allow-origin").is_some())
}

/// Sorts each run of equal (timestamp, double value) points of every `values` array.
fn normalize_ties(v: &mut Value) {
    match v {
        Value::Object(o) => {
            for (k, child) in o.iter_mut() {
                match (k.as_str(), child) {
                    ("values", Value::Array(points)) => sort_tie_runs(points),
                    (_, child) => normalize_ties(child),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(normalize_ties),
        _ => {}
    }
}

fn sort_tie_runs(points: &mut [Value]) {
    let key = |p: &Value| -> Option<(i64, f64)> {
        let ts = p.get(0)?.as_i64()?;
        let v = p.get(1)?;
        Some((ts, if v.is_string() { 0.0 } else { v.as_f64()? }))
    };
    let mut start = 0;
    while start < points.len() {
        let k = key(&points[start]);
        let mut end = start + 1;
        while k.is_some() && end < points.len() && key(&points[end]) == k {
            end += 1;
        }
        if end - start > 1 {
            points[start..end].sort_by_key(|p| p.to_string());
        }
        start = end;
    }
}

/// Whether the difference of `j` and `r` is the one `e` describes: with a normaliser, both
/// answers must be JSON of one status and equal once normalised; without, any difference is.
fn confined(e: &Expected, j: &Response, r: &Response) -> bool {
    let Some(normalize) = e.normalize else {
        return true;
    };
    match (
        serde_json::from_slice::<Value>(&j.body),
        serde_json::from_slice::<Value>(&r.body),
    ) {
        (Ok(mut jv), Ok(mut rv)) if j.status == r.status => {
            normalize(&mut jv);
            normalize(&mut rv);
            normalize_ties(&mut jv);
            normalize_ties(&mut rv);
            jv == rv
        }
        _ => false,
    }
}

/// What the run found.
#[derive(Default)]
pub struct Tally {
    /// Requests sent to both.
    pub compared: usize,
    /// Same answers.
    pub identical: usize,
    /// Different answers listed as expected differences.
    pub expected: Vec<(Case, Response, Response)>,
    /// Unexpected differences.
    pub different: Vec<(Case, Response, Response)>,
    /// How many answers of Java had each status.
    pub statuses: std::collections::BTreeMap<u16, usize>,
    /// Java answers that carried at least one point.
    pub with_points: usize,
    /// Ids of cases meant to be valid that Java refused (a corpus mistake, not a difference).
    pub refused: Vec<String>,
}

impl Tally {
    /// Sends `case` to both servers and records the outcome.
    pub fn run(&mut self, java: SocketAddr, rust: SocketAddr, case: Case) {
        let j = case.send(java);
        let r = case.send(rust);
        self.record(case, j, r);
    }

    /// Records the two answers to `case`.
    pub fn record(&mut self, case: Case, j: Response, r: Response) {
        self.compared += 1;
        *self.statuses.entry(j.status).or_default() += 1;
        if j.status == 200 && j.body.windows(11).any(|w| w == b"\"values\":[[") {
            self.with_points += 1;
        }
        if j.status >= 400 && !case.id.starts_with("bad-") && case.expected.is_none() {
            self.refused
                .push(format!("{} ({})", case.id, clip(&j.text(), 200)));
        }
        if same(&j, &r) {
            self.identical += 1;
        } else if case.expected.is_some_and(|e| confined(e, &j, &r)) {
            self.expected.push((case, j, r));
        } else {
            self.different.push((case, j, r));
        }
    }

    /// The one-line summary printed at the end of the run.
    pub fn summary(&self) -> String {
        format!(
            "differential: {} compared, {} identical, {} different, {} expected differences (Java statuses {:?}, {} answers with points)",
            self.compared,
            self.identical,
            self.different.len(),
            self.expected.len(),
            self.statuses,
            self.with_points
        )
    }

    /// Every difference, compactly: the request, then the two answers.
    pub fn details(&self) -> String {
        let mut out = String::new();
        for (label, list) in [("EXPECTED", &self.expected), ("DIFFERENT", &self.different)] {
            for (c, j, r) in list.iter() {
                out.push_str(&format!(
                    "--- {label} {}: {} {} {}\n",
                    c.id,
                    c.method,
                    c.path,
                    clip(&c.body, 600)
                ));
                if let Some(e) = c.expected {
                    out.push_str(&format!("    why: {} ({})\n", e.why, e.source));
                }
                out.push_str(&format!(
                    "    java {} {:?}: {}\n",
                    j.status,
                    headers(j),
                    clip(&j.text(), 700)
                ));
                out.push_str(&format!(
                    "    rust {} {:?}: {}\n",
                    r.status,
                    headers(r),
                    clip(&r.text(), 700)
                ));
            }
        }
        out
    }
}

/// At most `n` bytes of `s` (cut at a character boundary), with the full length when cut.
pub fn clip(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_string();
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &s[..end], s.len())
}
