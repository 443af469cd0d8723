//! Third-party plugins end to end: the example cdylibs and the refusal fixtures, loaded by the
//! real binary from a plugin directory and a path list, used in real HTTP queries.
//!
//! The libraries are built next to the server binary (`scripts/test-all.sh` runs
//! `cargo build -p mad-aggregator -p modulo-group-by -p plugin-...` before the tests). To check
//! that plugins built by another compiler work, build them with it into another target
//! directory and point `KAIROSDB_PLUGIN_LIBS` at it:
//! `cargo +nightly build -p mad-aggregator ... --target-dir /tmp/nightly` then
//! `KAIROSDB_PLUGIN_LIBS=/tmp/nightly/debug cargo test -p kairosdb-tests --test plugins`.

use std::path::{Path, PathBuf};

use kairosdb_tests::json::{metric, results, unique_name, values};
use kairosdb_tests::server::binary_path;
use kairosdb_tests::{Server, ServerOptions};
use serde_json::{json, Value};

/// 2020-09-13T12:27:00Z, a minute boundary.
const BASE: i64 = 1_600_000_020_000;

/// Path of a workspace cdylib: in `$KAIROSDB_PLUGIN_LIBS` when set (e.g. plugins built by
/// another Rust compiler), else beside the server binary.
fn built_library(name: &str) -> PathBuf {
    let dir = match std::env::var_os("KAIROSDB_PLUGIN_LIBS") {
        Some(d) => PathBuf::from(d),
        None => binary_path()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    };
    let p = dir.join(format!(
        "{}{name}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    assert!(
        p.exists(),
        "{} not found: build the plugins first: cargo build -p mad-aggregator -p modulo-group-by \
         -p plugin-no-entry -p plugin-wrong-version -p plugin-clash -p plugin-faulty",
        p.display()
    );
    p
}

/// A server with the example plugins and the fixtures: `mad-aggregator`, `plugin-faulty` and
/// the three refused fixtures copied into a plugin directory; `modulo-group-by` and a missing
/// library given as paths.
fn plugin_server() -> (Server, tempfile::TempDir) {
    let dir = tempfile::Builder::new()
        .prefix("kairosdb-plugins-")
        .tempdir()
        .expect("plugin directory");
    for name in [
        "mad_aggregator",
        "plugin_faulty",
        "plugin_no_entry",
        "plugin_wrong_version",
        "plugin_clash",
    ] {
        let src = built_library(name);
        let file = src.file_name().expect("file name");
        std::fs::copy(&src, dir.path().join(file)).expect("copy plugin");
    }
    let paths = format!(
        "{},{}",
        built_library("modulo_group_by").display(),
        dir.path().join("libmissing.so").display()
    );
    let server = Server::start_with(ServerOptions {
        args: Vec::new(),
        env: vec![
            (
                "KAIROSDB_PLUGINS_DIR".into(),
                dir.path().display().to_string(),
            ),
            ("KAIROSDB_PLUGINS_PATHS".into(), paths),
        ],
    });
    (server, dir)
}

/// Minute 0: 1 1 2 2 4 6 9 (median 2, MAD 1); minute 1: 10 20 30 40 (median 25, MAD 10).
fn seed(s: &Server) -> String {
    let name = unique_name("plugins");
    let mut points: Vec<(i64, Value)> = [1, 1, 2, 2, 4, 6, 9]
        .iter()
        .enumerate()
        .map(|(i, v)| (BASE + i as i64 * 1000, json!(v)))
        .collect();
    points.extend(
        [10, 20, 30, 40]
            .iter()
            .enumerate()
            .map(|(i, v)| (BASE + 60_000 + i as i64 * 1000, json!(v))),
    );
    s.ingest(&json!([metric(&name, &[("host", "a")], &points)]));
    s.wait_points(&name, BASE, BASE + 120_000, 11);
    name
}

fn query(name: &str, extra: Value) -> Value {
    let mut m = json!({"name": name});
    if let (Some(m), Some(extra)) = (m.as_object_mut(), extra.as_object()) {
        m.extend(extra.clone());
    }
    json!({"start_absolute": BASE, "end_absolute": BASE + 120_000, "metrics": [m]})
}

fn numbers(result: &Value) -> Vec<(i64, f64)> {
    values(result)
        .into_iter()
        .map(|(t, v)| (t, v.as_f64().expect("a number")))
        .collect()
}

fn per_minute(agg: &str) -> Value {
    json!({"aggregators": [{"name": agg, "sampling": {"value": 1, "unit": "minutes"}}]})
}

#[test]
fn plugins_answer_queries_beside_builtins() {
    let (s, _dir) = plugin_server();
    let name = seed(&s);

    let r = s.query(&query(&name, per_minute("mad")));
    assert_eq!(
        numbers(&results(&r, 0)[0]),
        [(BASE, 1.0), (BASE + 60_000, 10.0)]
    );
    let scaled = json!({"aggregators": [
        {"name": "mad", "sampling": {"value": 1, "unit": "minutes"}, "scale": 1.5}]});
    let r = s.query(&query(&name, scaled));
    assert_eq!(
        numbers(&results(&r, 0)[0]),
        [(BASE, 1.5), (BASE + 60_000, 15.0)]
    );

    // The plugin mirror of `sum` answers as the built-in, aligned to minutes.
    let r = s.query(&query(&name, per_minute("plugin_sum")));
    assert_eq!(
        numbers(&results(&r, 0)[0]),
        [(BASE, 25.0), (BASE + 60_000, 100.0)]
    );
    let builtin = json!({"aggregators": [{"name": "sum", "align_sampling": true,
        "sampling": {"value": 1, "unit": "minutes"}}]});
    let b = s.query(&query(&name, builtin));
    assert_eq!(numbers(&results(&b, 0)[0]), numbers(&results(&r, 0)[0]));

    // A plugin group-by, then a plugin aggregator, then a built-in one.
    let chained = json!({
        "group_by": [{"name": "modulo", "divisor": 2}],
        "aggregators": [{"name": "plugin_sum", "sampling": {"value": 1, "unit": "minutes"}},
                        {"name": "scale", "factor": 2}]});
    let r = s.query(&query(&name, chained));
    let groups = results(&r, 0);
    assert_eq!(groups.len(), 2, "{r}");
    assert_eq!(
        groups[0]["group_by"][0],
        json!({"name": "modulo", "divisor": 2, "group": {"remainder": 1}})
    );
    assert_eq!(
        groups[0]["group_by"][1],
        json!({"name": "type", "type": "number"})
    );
    assert_eq!(numbers(&groups[0]), [(BASE, 22.0)]);
    assert_eq!(groups[1]["group_by"][0]["group"]["remainder"], json!(0));
    assert_eq!(numbers(&groups[1]), [(BASE, 28.0), (BASE + 60_000, 200.0)]);
}

fn feature_names(features: &Value, family: &str) -> Vec<String> {
    let family = features
        .as_array()
        .and_then(|f| f.iter().find(|f| f["name"] == family))
        .unwrap_or_else(|| panic!("no family {family} in {features}"));
    family["properties"]
        .as_array()
        .map(|p| {
            p.iter()
                .filter_map(|p| p["name"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn features_list_loaded_plugins_beside_builtins() {
    let (s, _dir) = plugin_server();
    let r = s.get("/api/v1/features");
    assert_eq!(r.status, 200, "{r:?}");
    let v = r.json();
    let aggs = feature_names(&v, "aggregators");
    for n in ["avg", "sum", "mad", "plugin_sum", "faulty"] {
        assert!(aggs.contains(&n.to_string()), "{n} missing from {aggs:?}");
    }
    assert!(
        !aggs.contains(&"clash_extra".to_string()),
        "a refused plugin registers nothing"
    );
    let group_bys = feature_names(&v, "group_by");
    for n in ["tag", "time", "modulo", "faulty"] {
        assert!(
            group_bys.contains(&n.to_string()),
            "{n} missing from {group_bys:?}"
        );
    }
    let r = s.get("/api/v1/features/aggregators");
    let mad = r
        .json()
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "mad").cloned())
        .expect("mad in the aggregators family");
    assert_eq!(mad["label"], "MAD");
    assert_eq!(mad["properties"][1]["name"], "scale");
}

#[test]
fn plugin_parameter_errors_are_400_with_the_plugins_message() {
    let (s, _dir) = plugin_server();
    let cases = [
        (
            json!({"aggregators": [{"name": "mad", "sampling": {"value": 0, "unit": "minutes"}}]}),
            "query.metric[0].aggregators[0].sampling.value must be greater than or equal to 1",
        ),
        (
            json!({"aggregators": [{"name": "mad", "sampling": {"value": 1, "unit": "months"}}]}),
            "query.metric[0].aggregators[0].sampling.unit must be one of milliseconds, seconds, \
             minutes, hours, days, weeks, not 'months'",
        ),
        (
            json!({"aggregators": [{"name": "mad", "sampling": {"value": 1}, "scael": 2}]}),
            "aggregator 'mad' has no parameter 'scael' (it takes: sampling, scale)",
        ),
        (
            json!({"group_by": [{"name": "modulo", "divisor": 0}]}),
            "query.metric[0].group_by[0].divisor must be greater than or equal to 1",
        ),
    ];
    for (extra, message) in cases {
        let r = s.post_json("/api/v1/datapoints/query", &query("any", extra));
        assert_eq!(r.status, 400, "{r:?}");
        assert_eq!(r.errors(), [message]);
    }
}

#[test]
fn a_panicking_plugin_fails_the_query_and_the_server_keeps_serving() {
    let (mut s, _dir) = plugin_server();
    let name = seed(&s);
    let cases = [
        (
            json!({"aggregators": [{"name": "faulty"}]}),
            "aggregator 'faulty' panicked: faulty push",
        ),
        (
            json!({"aggregators": [{"name": "faulty", "panic_in": "create"}]}),
            "aggregator 'faulty' panicked: faulty create",
        ),
        (
            json!({"group_by": [{"name": "faulty"}]}),
            "group-by 'faulty' panicked: faulty group_ids",
        ),
    ];
    for (extra, message) in cases {
        let r = s.post_json("/api/v1/datapoints/query", &query(&name, extra));
        assert_eq!(r.status, 500, "{r:?}");
        assert_eq!(r.errors(), [message]);
        s.assert_alive();
    }
    let r = s.query(&query(&name, per_minute("mad")));
    assert_eq!(
        numbers(&results(&r, 0)[0]),
        [(BASE, 1.0), (BASE + 60_000, 10.0)]
    );
}

#[test]
fn refused_libraries_are_logged_with_path_and_reason() {
    let (mut s, dir) = plugin_server();
    let log = std::fs::read_to_string(s.log_path()).expect("server log");
    let line = |path: PathBuf, reason: &str| {
        let head = format!("refused plugin {}: {reason}", path.display());
        let n = log.lines().filter(|l| l.contains(&head)).count();
        assert_eq!(n, 1, "expected one line with {head:?} in:\n{log}");
    };
    let at = |f: &str| dir.path().join(f);
    line(
        at("libplugin_no_entry.so"),
        "no entry symbol `kairosdb_plugin_root`",
    );
    line(
        at("libplugin_wrong_version.so"),
        "incompatible plugin API: built for version 999, this server loads version 1",
    );
    line(
        at("libplugin_clash.so"),
        "aggregator 'avg' clashes with a built-in or an earlier plugin",
    );
    line(at("libmissing.so"), "cannot open the library");
    let loaded = log.lines().filter(|l| l.contains("plugin loaded")).count();
    assert_eq!(
        loaded, 3,
        "mad-aggregator, plugin-faulty, modulo-group-by:\n{log}"
    );
    // The built-ins still answer, `avg` included.
    s.assert_alive();
    let name = seed(&s);
    let r = s.query(&query(&name, per_minute("avg")));
    assert_eq!(
        numbers(&results(&r, 0)[0]),
        [(BASE, 25.0 / 7.0), (BASE + 60_000, 25.0)]
    );
}
