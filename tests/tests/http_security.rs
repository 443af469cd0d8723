//! HTTPS (`kairosdb.jetty.ssl.*`, a PKCS12 keystore made by the JDK's keytool) and Basic auth
//! (`kairosdb.jetty.basic_auth.*`), over real sockets: plain HTTP and HTTPS served side by side
//! as Jetty does, Java's 401 answer, the health endpoints left open.

use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use kairosdb_tests::http::{read_response, Response};
use kairosdb_tests::server::{failed_start, Server, ServerOptions};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

const STOREPASS: &str = "changeit-42";
/// `Authorization` for admin / "se:cret" (the first colon separates, as in Jetty).
const GOOD_AUTH: &str = "Basic YWRtaW46c2U6Y3JldA==";

/// Runs keytool; panics naming what to install when the JDK is missing.
fn keytool(args: &[&str]) {
    let out = Command::new("keytool")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("keytool (from a JDK, e.g. apt-get install openjdk-17-jdk-headless) cannot run: {e}"));
    assert!(
        out.status.success(),
        "keytool {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A keystore of `storetype` with a self-signed localhost RSA certificate; returns (keystore, cert PEM).
fn make_keystore(dir: &Path, storetype: &str) -> (PathBuf, PathBuf) {
    make_keystore_with(dir, storetype, &["-keyalg", "RSA", "-keysize", "2048"])
}

/// Like [`make_keystore`] with the given key options (`-keyalg ...`).
fn make_keystore_with(dir: &Path, storetype: &str, key: &[&str]) -> (PathBuf, PathBuf) {
    let ks = dir.join(format!("kairosdb.{}", storetype.to_lowercase()));
    let pem = dir.join("cert.pem");
    let ks_s = ks.to_str().expect("utf-8 path");
    let mut args = vec!["-genkeypair", "-alias", "kairosdb"];
    args.extend_from_slice(key);
    args.extend_from_slice(&[
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=dns:localhost,ip:127.0.0.1",
        "-validity",
        "2",
        "-storetype",
        storetype,
        "-keystore",
        ks_s,
        "-storepass",
        STOREPASS,
        "-keypass",
        STOREPASS,
    ]);
    keytool(&args);
    keytool(&[
        "-exportcert",
        "-rfc",
        "-alias",
        "kairosdb",
        "-keystore",
        ks_s,
        "-storepass",
        STOREPASS,
        "-file",
        pem.to_str().expect("utf-8 path"),
    ]);
    (ks, pem)
}

fn tls_env(ks: &Path, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = vec![
        ("KAIROSDB_JETTY_SSL_PORT".to_string(), "0".to_string()),
        (
            "KAIROSDB_JETTY_SSL_KEYSTORE_PATH".into(),
            ks.display().to_string(),
        ),
        (
            "KAIROSDB_JETTY_SSL_KEYSTORE_PASSWORD".into(),
            STOREPASS.into(),
        ),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

/// The HTTPS address the server printed.
fn https_addr(server: &Server) -> SocketAddr {
    let log = std::fs::read_to_string(server.log_path()).expect("read server log");
    log.lines()
        .rev()
        .find_map(|l| l.strip_prefix("kairosdb: https listening on "))
        .and_then(|a| a.trim().parse().ok())
        .unwrap_or_else(|| panic!("no `https listening on` line in the server output:\n{log}"))
}

fn client_config(
    pem: &Path,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    let cert = CertificateDer::from_pem_file(pem).expect("parse the exported certificate");
    roots.add(cert).expect("trust the server certificate");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .expect("protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// One HTTPS request with certificate verification against the exported certificate.
fn https_request(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
    path: &str,
    headers: &[(&str, &str)],
) -> std::io::Result<Response> {
    let sock = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
    sock.set_read_timeout(Some(Duration::from_secs(30)))?;
    let conn =
        rustls::ClientConnection::new(config, ServerName::try_from("localhost").expect("name"))
            .map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(conn, sock);
    let mut head = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    tls.write_all(head.as_bytes())?;
    tls.flush()?;
    read_response(&mut BufReader::new(tls), false)
}

#[test]
fn https_and_http_side_by_side_with_basic_auth() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (ks, pem) = make_keystore(dir.path(), "PKCS12");
    let server = Server::start_with(ServerOptions {
        env: tls_env(
            &ks,
            &[
                ("KAIROSDB_JETTY_BASIC_AUTH_USER", "admin"),
                ("KAIROSDB_JETTY_BASIC_AUTH_PASSWORD", "se:cret"),
            ],
        ),
        ..Default::default()
    });
    let https = https_addr(&server);
    assert_ne!(https, server.http_addr());
    let config = client_config(&pem, rustls::ALL_VERSIONS);

    // HTTPS: authenticated request served, the certificate verified against the keystore's.
    let r = https_request(
        https,
        config.clone(),
        "/api/v1/version",
        &[("Authorization", GOOD_AUTH)],
    )
    .expect("HTTPS request");
    assert_eq!(r.status, 200, "{r:?}");
    assert!(
        r.json()["version"]
            .as_str()
            .is_some_and(|v| v.starts_with("KairosDB")),
        "{r:?}"
    );

    // Java's refusal (Jetty BasicAuthenticator + ErrorHandler), on both listeners.
    let r = https_request(https, config.clone(), "/api/v1/version", &[]).expect("HTTPS request");
    assert_eq!(r.status, 401, "{r:?}");
    assert_eq!(r.header("WWW-Authenticate"), Some("basic realm=\"kairos\""));
    for (headers, want_type, want_body) in [
        (vec![], "text/html", "<title>Error 401 Unauthorized</title>"),
        (
            vec![("Accept", "application/json")],
            "application/json",
            "\"message\":\"Unauthorized\"",
        ),
        (
            vec![("Accept", "text/plain")],
            "text/plain",
            "HTTP ERROR 401 Unauthorized",
        ),
        (
            vec![("Authorization", "Basic YWRtaW46d3Jvbmc=")],
            "text/html",
            "URI:</th><td>/api/v1/version",
        ),
    ] {
        let r = server.request("GET", "/api/v1/version", &headers, b"");
        assert_eq!(r.status, 401, "{headers:?}: {r:?}");
        assert_eq!(
            r.header("WWW-Authenticate"),
            Some("basic realm=\"kairos\""),
            "{r:?}"
        );
        assert_eq!(
            r.header("Cache-Control"),
            Some("must-revalidate,no-cache,no-store")
        );
        assert!(
            r.header("Content-Type")
                .is_some_and(|t| t.starts_with(want_type)),
            "{r:?}"
        );
        assert!(r.text().contains(want_body), "{headers:?}: {}", r.text());
    }
    // Ingest and queries need the credentials too; nothing is stored without them.
    let point = r#"[{"name":"sec.m","timestamp":1500000000000,"value":1,"tags":{"h":"a"}}]"#;
    let r = server.request(
        "POST",
        "/api/v1/datapoints",
        &[("Content-Type", "application/json")],
        point.as_bytes(),
    );
    assert_eq!(r.status, 401, "{r:?}");
    let r = server.request(
        "POST",
        "/api/v1/datapoints",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", GOOD_AUTH),
        ],
        point.as_bytes(),
    );
    assert_eq!(r.status, 204, "{r:?}");
    let r = server.request(
        "GET",
        "/api/v1/metricnames",
        &[("Authorization", GOOD_AUTH)],
        b"",
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.text().contains("sec.m"), "{r:?}");
    assert_eq!(server.get("/metrics").status, 401);
    // Refusals are counted like any other answer.
    let m = server.request("GET", "/metrics", &[("Authorization", GOOD_AUTH)], b"");
    assert_eq!(m.status, 200, "{m:?}");
    assert!(
        m.text().contains(
            "kairosdb_http_requests_total{route=\"/api/v1/datapoints\",status=\"401\"} 1"
        ),
        "{}",
        m.text()
    );
    // An OPTIONS refusal has no body, as Jetty's ErrorHandler writes none for it.
    let r = server.request("OPTIONS", "/api/v1/datapoints", &[], b"");
    assert_eq!((r.status, r.body.len()), (401, 0), "{r:?}");
    // A broken Base64 token escapes Jetty as a 500 naming the character.
    let r = server.request(
        "GET",
        "/api/v1/version",
        &[("Authorization", "Basic !!!")],
        b"",
    );
    assert_eq!(r.status, 500, "{r:?}");
    assert!(
        r.text().contains("Illegal base64 character 21"),
        "{}",
        r.text()
    );
    // Health stays open for load balancers and probes (the 1.3 constraint /api/v1/health/*).
    assert_eq!(server.get("/api/v1/health/check").status, 204);
    let r = https_request(https, config, "/api/v1/health/status", &[]).expect("HTTPS request");
    assert_eq!(r.status, 200, "{r:?}");
}

#[test]
fn tls_protocols_and_cipher_suites_are_honoured() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (ks, pem) = make_keystore(dir.path(), "PKCS12");
    let server = Server::start_with(ServerOptions {
        env: tls_env(
            &ks,
            &[
                ("KAIROSDB_JETTY_SSL_PROTOCOLS", "TLSv1.1, TLSv1.2"),
                (
                    "KAIROSDB_JETTY_SSL_CIPHERSUITES",
                    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_128_CBC_SHA",
                ),
            ],
        ),
        ..Default::default()
    });
    let https = https_addr(&server);
    let r = https_request(
        https,
        client_config(&pem, &[&rustls::version::TLS12]),
        "/api/v1/version",
        &[],
    )
    .expect("TLS 1.2 request");
    assert_eq!(r.status, 200, "{r:?}");
    let only13 = https_request(
        https,
        client_config(&pem, &[&rustls::version::TLS13]),
        "/api/v1/version",
        &[],
    );
    assert!(
        only13.is_err(),
        "a TLS 1.3-only client must be refused: {only13:?}"
    );
    // Plain HTTP keeps working beside HTTPS, without auth when none is configured.
    assert_eq!(server.get("/api/v1/version").status, 200);
}

fn start_fails(env: &[(String, String)]) -> String {
    let (code, text) = failed_start(env);
    assert_eq!(code, Some(1), "start-up should fail: {text}");
    text
}

#[test]
fn unusable_keystores_stop_start_up_naming_the_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (ks, _) = make_keystore(dir.path(), "PKCS12");
    let mut env = tls_env(&ks, &[]);
    env[2].1 = "wrong-password".into();
    let text = start_fails(&env);
    assert!(
        text.contains("kairosdb.jetty.ssl.keystore.password"),
        "{text}"
    );

    let jks_dir = tempfile::tempdir().expect("temp dir");
    let (jks, _) = make_keystore(jks_dir.path(), "JKS");
    let text = start_fails(&tls_env(&jks, &[]));
    assert!(
        text.contains("kairosdb.jetty.ssl.keystore.path")
            && text.contains("JKS")
            && text.contains("-deststoretype PKCS12"),
        "{text}"
    );

    let text = start_fails(&tls_env(Path::new("/nonexistent/ks.p12"), &[]));
    assert!(text.contains("/nonexistent/ks.p12"), "{text}");
    let text = start_fails(&[(
        "KAIROSDB_JETTY_SSL_KEYSTORE_PATH".into(),
        ks.display().to_string(),
    )]);
    assert!(text.contains("kairosdb.jetty.ssl.port"), "{text}");
}

#[test]
fn pem_certificate_and_ec_key_instead_of_a_keystore() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (cert, key) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        .args(["-addext", "basicConstraints=critical,CA:FALSE", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap_or_else(|e| panic!("openssl cannot run (apt-get install openssl): {e}"));
    assert!(
        out.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = Server::start_with(ServerOptions {
        env: vec![
            ("KAIROSDB_JETTY_SSL_PORT".into(), "0".into()),
            (
                "KAIROSDB_JETTY_SSL_CERTIFICATE_PATH".into(),
                cert.display().to_string(),
            ),
            (
                "KAIROSDB_JETTY_SSL_PRIVATE_KEY_PATH".into(),
                key.display().to_string(),
            ),
        ],
        ..Default::default()
    });
    let r = https_request(
        https_addr(&server),
        client_config(&cert, rustls::ALL_VERSIONS),
        "/api/v1/version",
        &[],
    )
    .expect("HTTPS request");
    assert_eq!(r.status, 200, "{r:?}");
    let text = start_fails(&[
        ("KAIROSDB_JETTY_SSL_PORT".into(), "0".into()),
        (
            "KAIROSDB_JETTY_SSL_CERTIFICATE_PATH".into(),
            cert.display().to_string(),
        ),
        (
            "KAIROSDB_JETTY_SSL_PRIVATE_KEY_PATH".into(),
            cert.display().to_string(),
        ),
    ]);
    assert!(
        text.contains("kairosdb.jetty.ssl.private_key_path"),
        "{text}"
    );
}

#[test]
fn keytool_ec_keystores_work_as_in_java() {
    // keytool stores EC keys without their public key; both NIST curves Jetty setups use.
    for curve in ["secp256r1", "secp384r1"] {
        let dir = tempfile::tempdir().expect("temp dir");
        let (ks, pem) = make_keystore_with(
            dir.path(),
            "PKCS12",
            &["-keyalg", "EC", "-groupname", curve],
        );
        let server = Server::start_with(ServerOptions {
            env: tls_env(&ks, &[]),
            ..Default::default()
        });
        let r = https_request(
            https_addr(&server),
            client_config(&pem, rustls::ALL_VERSIONS),
            "/api/v1/version",
            &[],
        )
        .unwrap_or_else(|e| panic!("{curve}: HTTPS request: {e}"));
        assert_eq!(r.status, 200, "{curve}: {r:?}");
    }
}
