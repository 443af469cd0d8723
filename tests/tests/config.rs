//! Start-up configuration: a bad value stops the binary with a message naming the key; config
//! files, environment variables and flags are applied in that order.

use std::process::Command;

use kairosdb_tests::server::{binary_path, Server, ServerOptions};

fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cmd = Command::new(binary_path());
    cmd.args(args).env("KAIROSDB_DATA_DIR", dir.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run kairosdb");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn bad_environment_value_names_the_variable() {
    let (code, text) = run(
        &["--check-config"],
        &[("KAIROSDB_BIND_ADDRESS", "localhost")],
    );
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("KAIROSDB_BIND_ADDRESS") && text.contains("HOST:PORT"),
        "{text}"
    );
    let (code, text) = run(
        &["--check-config"],
        &[("KAIROSDB_TELNETSERVER_PORT", "99999")],
    );
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("KAIROSDB_TELNETSERVER_PORT") && text.contains("99999"),
        "{text}"
    );
}

#[test]
fn bad_file_value_names_the_key_and_stops_start_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let conf = dir.path().join("kairosdb.conf");
    std::fs::write(
        &conf,
        "kairosdb {\n  telnetserver.max_command_size = lots\n}\n",
    )
    .expect("write conf");
    // Not --check-config: the server itself must refuse to start.
    let (code, text) = run(&["--config", conf.to_str().expect("utf-8 path")], &[]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("kairosdb.telnetserver.max_command_size") && text.contains("lots"),
        "{text}"
    );
    let (code, text) = run(&["--config", "/nonexistent/kairosdb.conf"], &[]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("/nonexistent/kairosdb.conf"), "{text}");
    let (code, text) = run(&["--no-such-flag"], &[]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("--no-such-flag"), "{text}");
}

#[test]
fn example_config_checks_clean() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../kairosdb.example.conf");
    let (code, text) = run(
        &[
            "--config",
            example.to_str().expect("utf-8 path"),
            "--check-config",
        ],
        &[],
    );
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("configuration is valid"), "{text}");
}

#[test]
fn file_settings_apply_and_flags_win() {
    // The file sets a small telnet line limit; the harness's flags still choose the ports.
    let dir = tempfile::tempdir().expect("temp dir");
    let conf = dir.path().join("kairosdb.properties");
    std::fs::write(
        &conf,
        "kairosdb.telnetserver.max_command_size=40\nkairosdb.jetty.port=1\n",
    )
    .expect("write conf");
    let s = Server::start_with(ServerOptions {
        args: vec!["--config".into(), conf.to_str().expect("utf-8 path").into()],
        ..ServerOptions::default()
    });
    let mut t = s.telnet();
    // 41+ bytes: dropped; short line: stored.
    t.send_line("putm cfg.limit 1000 1 host=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        .expect("send");
    t.send_line("putm cfg.limit 2000 2 host=a").expect("send");
    t.version().expect("version answer");
    let v = s.query(&serde_json::json!({"start_absolute": 0, "metrics": [{"name": "cfg.limit"}]}));
    let values = &v["queries"][0]["results"][0]["values"];
    assert_eq!(values, &serde_json::json!([[2000, 2]]), "{v}");
}
