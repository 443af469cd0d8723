//! Deployment files: the Helm chart under deploy/helm/kairosdb, rendered by a real helm (installed
//! by scripts/deploy-lint.sh), gives an ingest and a query Deployment whose configuration the real
//! binary accepts and whose probe paths a running server answers; the Dockerfile's health check
//! uses the `kairosdb probe` subcommand on the same readiness path.

use std::path::{Path, PathBuf};
use std::process::Command;

use kairosdb_tests::server::binary_path;
use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The helm binary: `$KAIROSDB_HELM`, else the one scripts/deploy-lint.sh installs.
fn helm() -> PathBuf {
    let cache = std::env::var_os("KDB_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".cache"));
    let p = std::env::var_os("KAIROSDB_HELM")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache.join("deploy-tools/helm-v3.22.0/helm"));
    assert!(
        p.exists(),
        "helm not found at {}: install it with scripts/deploy-lint.sh install (or set KAIROSDB_HELM)",
        p.display()
    );
    p
}

fn to_json(y: &Yaml) -> Value {
    match y {
        Yaml::Real(s) => s.parse::<f64>().map(Value::from).unwrap_or(Value::Null),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::from(s.clone()),
        Yaml::Boolean(b) => Value::from(*b),
        Yaml::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        other => format!("{other:?}"),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// `helm template kairosdb deploy/helm/kairosdb ARGS` as raw text.
fn render_text(args: &[&str]) -> String {
    let out = Command::new(helm())
        .args(["template", "kairosdb"])
        .arg(repo().join("deploy/helm/kairosdb"))
        .args(args)
        .output()
        .expect("run helm");
    assert!(
        out.status.success(),
        "helm template {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 manifests")
}

/// The rendered manifests, one JSON value per document.
fn render(args: &[&str]) -> Vec<Value> {
    let text = render_text(args);
    YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("rendered manifests are not YAML: {e}\n{text}"))
        .iter()
        .map(to_json)
        .filter(|v| !v.is_null())
        .collect()
}

fn find<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} among {} documents", docs.len()))
}

fn container(deployment: &Value) -> &Value {
    &deployment["spec"]["template"]["spec"]["containers"][0]
}

fn env_of(deployment: &Value) -> Vec<(String, String)> {
    container(deployment)["env"]
        .as_array()
        .expect("env list")
        .iter()
        .filter_map(|e| {
            Some((
                e["name"].as_str()?.to_string(),
                e["value"].as_str()?.to_string(),
            ))
        })
        .collect()
}

fn port_names(deployment: &Value) -> Vec<String> {
    container(deployment)["ports"]
        .as_array()
        .expect("ports")
        .iter()
        .map(|p| p["name"].as_str().expect("port name").to_string())
        .collect()
}

#[test]
fn chart_renders_an_ingest_and_a_query_role_on_one_cassandra() {
    let docs = render(&[]);
    for (role, ports) in [("ingest", vec!["http", "telnet"]), ("query", vec!["http"])] {
        let name = format!("kairosdb-{role}");
        let d = find(&docs, "Deployment", &name);
        assert_eq!(d["spec"]["replicas"], 2, "{name}");
        let env = env_of(d);
        assert!(
            env.contains(&("KAIROSDB_ROLE".into(), role.into())),
            "{env:?}"
        );
        assert_eq!(port_names(d), ports, "{name}");
        let c = container(d);
        assert_eq!(
            c["readinessProbe"]["httpGet"]["path"],
            "/api/v1/health/check"
        );
        assert_eq!(
            c["livenessProbe"]["httpGet"]["path"],
            "/api/v1/health/status"
        );
        assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
        let mounts: Vec<&str> = c["volumeMounts"]
            .as_array()
            .expect("mounts")
            .iter()
            .filter_map(|m| m["mountPath"].as_str())
            .collect();
        assert!(
            mounts.contains(&"/var/lib/kairosdb") && mounts.contains(&"/etc/kairosdb"),
            "{mounts:?}"
        );
        // The Service selects exactly this role's pods and targets ports the container has.
        let svc = find(&docs, "Service", &name);
        let labels = &d["spec"]["template"]["metadata"]["labels"];
        let selector = svc["spec"]["selector"].as_object().expect("selector");
        assert_eq!(selector["app.kubernetes.io/component"], role);
        for (k, v) in selector {
            assert_eq!(
                &labels[k], v,
                "{name}: selector {k} does not match the pod labels"
            );
        }
        for p in svc["spec"]["ports"].as_array().expect("service ports") {
            let target = p["targetPort"].as_str().expect("named targetPort");
            assert!(
                ports.contains(&target),
                "{name}: targetPort {target} not in {ports:?}"
            );
        }
        assert_eq!(
            find(&docs, "PodDisruptionBudget", &name)["spec"]["selector"]["matchLabels"],
            Value::Object(selector.clone())
        );
    }
    // HTTPS from a kubernetes.io/tls Secret: the PEM files mounted where the env points.
    let docs = render(&["--set", "tls.secretName=kairosdb-tls"]);
    for role in ["ingest", "query"] {
        let name = format!("kairosdb-{role}");
        let d = find(&docs, "Deployment", &name);
        let env = env_of(d);
        assert!(
            env.contains(&("KAIROSDB_JETTY_SSL_PORT".into(), "8443".into())),
            "{env:?}"
        );
        let c = container(d);
        let mount = c["volumeMounts"]
            .as_array()
            .expect("mounts")
            .iter()
            .find(|m| m["name"] == "tls")
            .expect("tls mount");
        let dir = mount["mountPath"].as_str().expect("mount path");
        for (var, file) in [
            ("KAIROSDB_JETTY_SSL_CERTIFICATE_PATH", "tls.crt"),
            ("KAIROSDB_JETTY_SSL_PRIVATE_KEY_PATH", "tls.key"),
        ] {
            assert!(
                env.contains(&(var.into(), format!("{dir}/{file}"))),
                "{var}: {env:?}"
            );
        }
        let volumes = d["spec"]["template"]["spec"]["volumes"]
            .as_array()
            .expect("volumes");
        assert!(volumes
            .iter()
            .any(|v| v["name"] == "tls" && v["secret"]["secretName"] == "kairosdb-tls"));
        assert!(port_names(d).contains(&"https".to_string()));
        let svc = find(&docs, "Service", &name);
        assert!(svc["spec"]["ports"]
            .as_array()
            .expect("ports")
            .iter()
            .any(|p| p["targetPort"] == "https"));
        let (code, out) = kairosdb(&["--check-config"], &env);
        assert_eq!(code, 0, "{out}");
    }
    // Telnet off: neither the ingest port nor the listener remains.
    let docs = render(&["--set", "ingest.telnet=false"]);
    let d = find(&docs, "Deployment", "kairosdb-ingest");
    assert_eq!(port_names(d), vec!["http"]);
    assert!(env_of(d).contains(&("KAIROSDB_SERVICE_TELNET".into(), "<disabled>".into())));
}

#[test]
fn chart_config_is_what_the_binary_runs_with() {
    let docs = render(&[
        "--set",
        "cassandra.contactPoints={10.1.0.1:9042,10.1.0.2:9042}",
        "--set",
        "cassandra.keyspace=metrics",
        "--set-string",
        "extraConfig=kairosdb.queries.default_time_zone = \"Europe/Berlin\"",
    ]);
    let conf = find(&docs, "ConfigMap", "kairosdb")["data"]["kairosdb.conf"]
        .as_str()
        .expect("kairosdb.conf in the ConfigMap")
        .to_string();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("kairosdb.conf");
    std::fs::write(&path, &conf).expect("write conf");
    let p = path.to_str().expect("utf-8 path");
    let (code, report) = kairosdb(&["config", p], &[]);
    assert_eq!(
        code, 0,
        "the chart's config has keys kairosdb-rs does not honour:\n{report}"
    );
    for role in ["ingest", "query"] {
        let env = env_of(find(&docs, "Deployment", &format!("kairosdb-{role}")));
        let (code, out) = kairosdb(&["--config", p, "--check-config"], &env);
        assert_eq!(code, 0, "{role}: {out}\n{conf}");
        let (code, eff) = kairosdb(&["config", "--effective", "--config", p], &env);
        assert_eq!(code, 0, "{eff}");
        let want_role = if role == "ingest" {
            "role: Ingest"
        } else {
            "role: Query"
        };
        for want in [
            want_role,
            "kind: Cassandra",
            "\"10.1.0.2:9042\"",
            "cassandra_keyspace: \"metrics\"",
            "Europe/Berlin",
            "port: 8080",
        ] {
            assert!(
                eff.contains(want),
                "{role}: effective settings lack {want}:\n{eff}"
            );
        }
    }
}

#[test]
fn plain_manifests_are_the_rendered_chart() {
    let committed = std::fs::read_to_string(repo().join("deploy/kubernetes/kairosdb.yaml"))
        .expect("read deploy/kubernetes/kairosdb.yaml");
    let body = committed
        .split_once('\n')
        .map(|(_, rest)| rest)
        .unwrap_or("");
    assert!(
        body == render_text(&[]),
        "deploy/kubernetes/kairosdb.yaml is stale: run scripts/deploy-lint.sh render"
    );
}

/// Runs the binary with only the given `KAIROSDB_*` variables; (exit code, stdout + stderr).
fn kairosdb(args: &[&str], env: &[(String, String)]) -> (i32, String) {
    let mut cmd = Command::new(binary_path());
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("KAIROSDB_") {
            cmd.env_remove(k);
        }
    }
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    let out = cmd.output().expect("run kairosdb");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// A server process of one role (the query role has no telnet listener, which
/// [`kairosdb_tests::Server`] expects); killed on drop.
struct RoleServer {
    child: std::process::Child,
    addr: std::net::SocketAddr,
    _data: tempfile::TempDir,
}

impl Drop for RoleServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_role(role: &str, env: &[(&str, &str)]) -> RoleServer {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(binary_path())
        .args([
            "--role",
            role,
            "--bind",
            "127.0.0.1:0",
            "--telnet",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(dir.path())
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start kairosdb");
    let stdout = child.stdout.take().expect("stdout");
    let mut addr = None;
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.expect("stdout line");
        if let Some(a) = line.strip_prefix("kairosdb: http listening on ") {
            addr = a.parse().ok();
        }
        if line == "kairosdb: ready" {
            break;
        }
    }
    let addr = addr.unwrap_or_else(|| panic!("{role} server printed no http address"));
    RoleServer {
        child,
        addr,
        _data: dir,
    }
}

#[test]
fn probes_answer_on_running_servers_of_both_roles_even_with_basic_auth() {
    use kairosdb_tests::http::request;
    let docs = render(&[]);
    let c = container(find(&docs, "Deployment", "kairosdb-query"));
    let live = c["livenessProbe"]["httpGet"]["path"]
        .as_str()
        .expect("liveness path")
        .to_string();
    let ready = c["readinessProbe"]["httpGet"]["path"]
        .as_str()
        .expect("readiness path")
        .to_string();
    for role in ["ingest", "query"] {
        let server = start_role(
            role,
            &[
                ("KAIROSDB_JETTY_BASIC_AUTH_USER", "u"),
                ("KAIROSDB_JETTY_BASIC_AUTH_PASSWORD", "p"),
            ],
        );
        let get = |path: &str| {
            request(server.addr, "GET", path, &[], b"")
                .expect("HTTP answer")
                .status
        };
        assert_eq!(get(&live), 200, "{role} liveness");
        assert_eq!(get(&ready), 204, "{role} readiness");
        assert_eq!(get("/api/v1/version"), 401, "{role}: auth is on");
        let base = format!("http://{}", server.addr);
        let (code, out) = kairosdb(&["probe", &format!("{base}{ready}")], &[]);
        assert_eq!(code, 0, "{role}: probe of {ready}: {out}");
        let (code, out) = kairosdb(&["probe", &format!("{base}/api/v1/version")], &[]);
        assert_eq!(code, 1, "{role}: a 401 is not healthy: {out}");
        assert!(out.contains("401"), "{out}");
    }
    let (code, out) = kairosdb(&["probe", "http://127.0.0.1:1/api/v1/health/check"], &[]);
    assert_eq!(code, 1, "{out}");
}

#[test]
fn dockerfile_healthcheck_and_environment_match_the_chart() {
    let text = std::fs::read_to_string(repo().join("Dockerfile")).expect("read Dockerfile");
    let docs = render(&[]);
    let ready = container(find(&docs, "Deployment", "kairosdb-ingest"))["readinessProbe"]
        ["httpGet"]["path"]
        .as_str()
        .expect("readiness path")
        .to_string();
    let hc = text
        .split("HEALTHCHECK")
        .nth(1)
        .and_then(|rest| rest.split("CMD").nth(1))
        .and_then(|cmd| cmd.lines().next())
        .expect("a HEALTHCHECK ... CMD line");
    let cmd: Vec<String> = serde_json::from_str(hc.trim()).expect("exec-form HEALTHCHECK CMD");
    assert_eq!(
        cmd[..2],
        ["/usr/local/bin/kairosdb".to_string(), "probe".to_string()]
    );
    assert_eq!(cmd[2], format!("http://127.0.0.1:8080{ready}"));
    for want in [
        "KAIROSDB_DATA_DIR=/var/lib/kairosdb",
        "KAIROSDB_BIND_ADDRESS=0.0.0.0:8080",
        "KAIROSDB_TELNET_ADDRESS=0.0.0.0:4242",
        "EXPOSE 8080 4242",
        "VOLUME [\"/var/lib/kairosdb\"]",
        "ENTRYPOINT [\"/usr/local/bin/kairosdb\"]",
    ] {
        assert!(text.contains(want), "Dockerfile lacks {want}");
    }
    // The image's environment is one the binary accepts.
    let env: Vec<(String, String)> = [
        "KAIROSDB_DATA_DIR=/var/lib/kairosdb",
        "KAIROSDB_BIND_ADDRESS=0.0.0.0:8080",
        "KAIROSDB_TELNET_ADDRESS=0.0.0.0:4242",
        "KAIROSDB_LOG=info",
    ]
    .iter()
    .map(|kv| {
        let (k, v) = kv.split_once('=').expect("k=v");
        (k.to_string(), v.to_string())
    })
    .collect();
    let (code, out) = kairosdb(&["--check-config"], &env);
    assert_eq!(code, 0, "{out}");
}
