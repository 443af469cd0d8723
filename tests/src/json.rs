//! JSON builders for ingest and query bodies, and readers for query responses.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

/// A metric name unique to this process and call: `<prefix>.<pid>.<counter>.<nanos>`.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}.{}.{n}.{nanos}", std::process::id())
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A `{"k":"v",...}` object from pairs.
pub fn tags(pairs: &[(&str, &str)]) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert((*k).to_string(), Value::String((*v).to_string()));
    }
    Value::Object(m)
}

/// One ingest metric object `{"name","tags","datapoints":[[ts,value],...]}`.
pub fn metric(name: &str, tag_pairs: &[(&str, &str)], points: &[(i64, Value)]) -> Value {
    let dps: Vec<Value> = points.iter().map(|(t, v)| json!([t, v])).collect();
    json!({"name": name, "tags": tags(tag_pairs), "datapoints": dps})
}

/// Ingest metric object with long values `value(i)` at `start + i*step` for `i in 0..count`.
pub fn metric_series(
    name: &str,
    tag_pairs: &[(&str, &str)],
    start: i64,
    step: i64,
    count: usize,
) -> Value {
    let points: Vec<(i64, Value)> = (0..count as i64)
        .map(|i| (start + i * step, json!(i)))
        .collect();
    metric(name, tag_pairs, &points)
}

/// A raw query `{"start_absolute","end_absolute","metrics":[{"name"}]}`.
pub fn query(name: &str, start: i64, end: i64) -> Value {
    json!({"start_absolute": start, "end_absolute": end, "metrics": [{"name": name}]})
}

/// `queries[q].results` of a query response; panics when missing.
pub fn results(resp: &Value, q: usize) -> Vec<Value> {
    resp.pointer(&format!("/queries/{q}/results"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_else(|| panic!("no queries[{q}].results in {resp}"))
}

/// The `values` of one result as `(timestamp, value)` pairs; panics on a malformed result.
pub fn values(result: &Value) -> Vec<(i64, Value)> {
    let arr = result
        .get("values")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("result has no values array: {result}"));
    arr.iter()
        .map(|p| {
            let ts = p
                .get(0)
                .and_then(Value::as_i64)
                .unwrap_or_else(|| panic!("bad pair {p} in {result}"));
            (ts, p.get(1).cloned().unwrap_or(Value::Null))
        })
        .collect()
}

/// All values of all results of `queries[0]`, concatenated in result order.
pub fn all_values(resp: &Value) -> Vec<(i64, Value)> {
    results(resp, 0).iter().flat_map(values).collect()
}

/// Parses JSON, panicking with the text on error.
pub fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("invalid JSON ({e}): {text}"))
}

/// Removes `//` line comments and `/* */` block comments outside JSON strings (the Java harness reads the
/// conformance files with a lenient parser).
pub fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::strip_comments;

    #[test]
    fn strips_comments_outside_strings() {
        let text = "// head\n{\"a\": \"x//y/*z*/\", /* b */ \"c\": [1, 2] // tail\n}";
        let v: serde_json::Value =
            serde_json::from_str(&strip_comments(text)).expect("valid after stripping");
        assert_eq!(v, serde_json::json!({"a": "x//y/*z*/", "c": [1, 2]}));
    }
}
