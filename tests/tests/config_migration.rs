//! `kairosdb config`: the real binary reads Java-style configuration files, reports how each key
//! maps, and prints an environment and a config file that give the same effective settings.

use std::path::{Path, PathBuf};
use std::process::Command;

use kairosdb_tests::server::binary_path;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/config")
        .join(name)
}

/// Runs the binary with `args` and only the given `KAIROSDB_*` environment; (exit code, stdout, stderr).
fn run(args: &[&str], env: &[(String, String)]) -> (i32, String, String) {
    let mut cmd = Command::new(binary_path());
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("KAIROSDB_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run kairosdb");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The report line of `key` (the first word(s) are its status).
fn line<'a>(report: &'a str, key: &str) -> &'a str {
    report
        .lines()
        .find(|l| l.split_whitespace().any(|w| w == key))
        .unwrap_or_else(|| panic!("no report line for {key}:\n{report}"))
}

/// Parses `NAME=value` lines as a POSIX shell would (single quotes, `'\''`).
fn parse_env(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (k, v) = l.split_once('=').expect("NAME=value");
            let v = if let Some(q) = v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
                q.replace("'\\''", "'")
            } else {
                v.to_string()
            };
            (k.to_string(), v)
        })
        .collect()
}

fn effective(args: &[&str], env: &[(String, String)]) -> String {
    let mut all = vec!["config", "--effective"];
    all.extend_from_slice(args);
    let (code, out, err) = run(&all, env);
    assert_eq!(code, 0, "config --effective {args:?}: {err}");
    out
}

/// Checks the report's statuses, then that `--print conf` passes `--check-config` and that both
/// conversions give the effective settings of the Java file itself.
fn check_round_trip(file: &Path) {
    let f = file.to_str().expect("utf-8 path");
    let want = effective(&["--config", f], &[]);
    assert!(
        !want.contains("s3cret"),
        "secrets must not be printed:\n{want}"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let (code, conf, err) = run(&["config", f, "--print", "conf"], &[]);
    assert_eq!(code, 0, "{err}");
    let conf_path = dir.path().join("kairosdb.conf");
    std::fs::write(&conf_path, &conf).expect("write converted conf");
    let c = conf_path.to_str().expect("utf-8 path");
    let (code, out, err) = run(&["--config", c, "--check-config"], &[]);
    assert_eq!(code, 0, "converted config refused: {out}{err}\n{conf}");
    assert_eq!(
        effective(&["--config", c], &[]),
        want,
        "conf differs:\n{conf}"
    );

    let (code, env_text, err) = run(&["config", f, "--print", "env"], &[]);
    assert_eq!(code, 0, "{err}");
    let env = parse_env(&env_text);
    assert!(!env.is_empty(), "no variables printed");
    let (code, out, err) = run(&["--check-config"], &env);
    assert_eq!(
        code, 0,
        "converted environment refused: {out}{err}\n{env_text}"
    );
    assert_eq!(effective(&[], &env), want, "env differs:\n{env_text}");
}

#[test]
fn java_13_conf_report_and_conversions() {
    let file = fixture("java-cassandra.conf");
    let (code, report, err) = run(&["config", file.to_str().expect("utf-8 path")], &[]);
    assert_eq!(code, 0, "{report}{err}");
    for (key, status) in [
        ("kairosdb.jetty.port", "applied"),
        ("kairosdb.server.type", "applied"),
        ("kairosdb.service.datastore", "applied"),
        (
            "kairosdb.datastore.cassandra.write_cluster.cql_host_list",
            "applied",
        ),
        (
            "kairosdb.datastore.cassandra.write_cluster.auth.password",
            "applied",
        ),
        ("kairosdb.datastore.h2.database_path", "renamed"),
        ("kairosdb.jetty.threads.min", "not applicable"),
        (
            "kairosdb.datastore.cassandra.read_clusters_not",
            "not applicable",
        ),
        (
            "kairosdb.queue_processor.memory_queue_size",
            "not applicable",
        ),
        ("kairosdb.service.rollups", "not applicable"),
    ] {
        let l = line(&report, key);
        assert!(l.starts_with(status), "{key}: expected {status}: {l}");
    }
    assert!(
        line(&report, "kairosdb.datastore.h2.database_path")
            .contains("-> kairosdb.datastore.embedded.data_dir"),
        "{report}"
    );
    assert!(
        report.lines().last().is_some_and(
            |l| l == "21 applied, 1 renamed, 18 not applicable, 0 unsupported, 0 invalid"
        ),
        "{report}"
    );
    check_round_trip(&file);
    let eff = effective(&["--config", file.to_str().expect("utf-8 path")], &[]);
    for want in [
        "kind: Cassandra",
        "\"cass1:9042\"",
        "LocalQuorum",
        "port: 18080",
    ] {
        assert!(eff.contains(want), "effective settings lack {want}:\n{eff}");
    }
}

#[test]
fn java_12_properties_renames_and_basic_auth() {
    let file = fixture("java-1.2.properties");
    let (code, report, err) = run(&["config", file.to_str().expect("utf-8 path")], &[]);
    assert_eq!(code, 0, "{report}{err}");
    assert!(
        line(&report, "kairosdb.datastore.cassandra.cql_host_list").contains("renamed")
            && report.contains("-> kairosdb.datastore.cassandra.write_cluster.cql_host_list"),
        "{report}"
    );
    assert!(
        line(&report, "kairosdb.datastore.cassandra.replication").starts_with("renamed"),
        "{report}"
    );
    assert!(line(&report, "kairosdb.jetty.basic_auth.user").starts_with("applied"));
    check_round_trip(&file);
}

#[test]
fn unsupported_and_invalid_keys_fail_the_report_and_start_up() {
    let file = fixture("java-unsupported.conf");
    let f = file.to_str().expect("utf-8 path");
    let (code, report, _) = run(&["config", f], &[]);
    assert_eq!(code, 1, "{report}");
    assert!(line(&report, "kairosdb.jetty.auth_module_name").starts_with("unsupported"));
    assert!(line(&report, "kairosdb.service.oauth").starts_with("unsupported"));
    assert!(line(&report, "kairosdb.telnetserver.port").starts_with("invalid"));
    assert!(
        report.contains("1 applied, 0 renamed, 0 not applicable, 2 unsupported, 1 invalid"),
        "{report}"
    );
    // The server refuses to start rather than run without the authentication asked for.
    let only_jaas = tempfile::tempdir().expect("temp dir");
    let conf = only_jaas.path().join("kairosdb.conf");
    std::fs::write(&conf, "kairosdb.jetty.auth_module_name = \"basicAuth\"\n").expect("write");
    let (code, out, err) = run(
        &["--config", conf.to_str().expect("utf-8"), "--check-config"],
        &[],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("kairosdb.jetty.auth_module_name") && err.contains("basic_auth.user"),
        "{err}"
    );
}

#[test]
fn keys_wrong_together_fail_the_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let conf = dir.path().join("kairosdb.conf");
    std::fs::write(&conf, "kairosdb.jetty.ssl.port = 8443\n").expect("write");
    let (code, report, _) = run(&["config", conf.to_str().expect("utf-8")], &[]);
    assert_eq!(code, 1, "{report}");
    assert!(
        line(&report, "kairosdb.jetty.ssl.port").starts_with("applied"),
        "{report}"
    );
    assert!(
        report.contains("the file as a whole:")
            && report.contains("kairosdb.jetty.ssl.keystore.path"),
        "{report}"
    );
}

#[test]
fn usage_errors() {
    let (code, _, err) = run(&["config"], &[]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&["config", "x.conf", "--print", "yaml"], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("report, env or conf"), "{err}");
    let (code, _, err) = run(&["config", "/nonexistent/kairosdb.conf"], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("/nonexistent/kairosdb.conf"), "{err}");
}
