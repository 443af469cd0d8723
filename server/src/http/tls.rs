//! The HTTPS side of the HTTP front-end: builds a rustls server configuration from the Java
//! keystore settings (`kairosdb.jetty.ssl.*`, HTTP/WebServer.java `initializeSSL`).

use std::sync::Arc;

use p12_keystore::{KeyStore, Pkcs12ImportPolicy};
use rustls::crypto::ring as provider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;

use crate::config::TlsOptions;

/// The magic number that starts a Java JKS keystore.
const JKS_MAGIC: [u8; 4] = [0xFE, 0xED, 0xFE, 0xED];
/// The magic number of a JCEKS keystore.
const JCEKS_MAGIC: [u8; 4] = [0xCE, 0xCE, 0xCE, 0xCE];

/// Why HTTPS cannot start; each message names the key to fix.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {key}: {reason}")]
pub struct TlsError {
    /// The configuration key at fault.
    pub key: &'static str,
    /// What is wrong.
    pub reason: String,
}

fn err(key: &'static str, reason: impl Into<String>) -> TlsError {
    TlsError {
        key,
        reason: reason.into(),
    }
}

/// Reads the keystore (or the PEM files) and builds the server configuration (HTTP/1.1 only,
/// as Jetty's connector).
pub fn server_config(tls: &TlsOptions) -> Result<Arc<ServerConfig>, TlsError> {
    let (certs, key, source_key, source) = match &tls.certificate_path {
        Some(cert) => {
            let (certs, key) = from_pem(cert, tls.private_key_path.as_deref())?;
            (certs, key, "kairosdb.jetty.ssl.certificate_path", cert)
        }
        None => {
            let path = tls
                .keystore_path
                .as_ref()
                .ok_or_else(|| err(PATH, "not set"))?;
            let (certs, key) = from_keystore(path, tls.keystore_password.as_deref().unwrap_or(""))?;
            (certs, key, PATH, path)
        }
    };
    let suites = cipher_suites(&tls.cipher_suites)?;
    let provider = rustls::crypto::CryptoProvider {
        cipher_suites: suites,
        ..provider::default_provider()
    };
    let versions = protocol_versions(&tls.protocols);
    let mut config = ServerConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&versions)
        .map_err(|e| err("kairosdb.jetty.ssl.protocols", e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            err(
                source_key,
                format!(
                    "the key of {} is unusable: {e} (supported: RSA, ECDSA P-256/P-384, Ed25519)",
                    source.display()
                ),
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    tracing::info!(source = %source.display(), versions = ?tls.protocols, "HTTPS configured");
    Ok(Arc::new(config))
}

const PATH: &str = "kairosdb.jetty.ssl.keystore.path";
const PASSWORD: &str = "kairosdb.jetty.ssl.keystore.password";

type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

/// The first key entry of a PKCS12 keystore, with its certificate chain.
fn from_keystore(path: &std::path::Path, password: &str) -> Result<Identity, TlsError> {
    let data = std::fs::read(path)
        .map_err(|e| err(PATH, format!("cannot read {}: {e}", path.display())))?;
    if data.starts_with(&JKS_MAGIC) || data.starts_with(&JCEKS_MAGIC) {
        return Err(err(
            PATH,
            format!(
                "{} is a JKS/JCEKS keystore, which kairosdb-rs cannot read; convert it to PKCS12 with \
                 keytool -importkeystore -srckeystore {0} -destkeystore kairosdb.p12 -deststoretype PKCS12",
                path.display()
            ),
        ));
    }
    let store =
        KeyStore::from_pkcs12(&data, password, Pkcs12ImportPolicy::Strict).map_err(|e| {
            err(
                PATH,
                format!(
                    "cannot open PKCS12 keystore {} (wrong {PASSWORD}?): {e}",
                    path.display()
                ),
            )
        })?;
    let (_, chain) = store.private_key_chain().ok_or_else(|| {
        err(
            PATH,
            format!(
                "{} holds no private key with its certificate",
                path.display()
            ),
        )
    })?;
    let certs = chain
        .certs()
        .iter()
        .map(|c| CertificateDer::from(c.as_der().to_vec()))
        .collect();
    let key = with_ec_public_key(chain.key().as_der());
    Ok((certs, PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key))))
}

/// A PKCS8 key as ring reads it: Java's keytool leaves the public key out of EC keys, so a
/// P-256 or P-384 key is re-encoded with it (derived from the private scalar); others pass as is.
fn with_ec_public_key(der: &[u8]) -> Vec<u8> {
    use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
    let p256 = p256::SecretKey::from_pkcs8_der(der)
        .ok()
        .and_then(|k| k.to_pkcs8_der().ok());
    let p384 = || {
        p384::SecretKey::from_pkcs8_der(der)
            .ok()
            .and_then(|k| k.to_pkcs8_der().ok())
    };
    match p256.or_else(p384) {
        Some(doc) => doc.as_bytes().to_vec(),
        None => der.to_vec(),
    }
}

/// A PEM certificate chain and its PEM private key.
fn from_pem(cert: &std::path::Path, key: Option<&std::path::Path>) -> Result<Identity, TlsError> {
    use rustls::pki_types::pem::PemObject;
    const CERT: &str = "kairosdb.jetty.ssl.certificate_path";
    const KEY: &str = "kairosdb.jetty.ssl.private_key_path";
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            err(
                CERT,
                format!("cannot read PEM certificates from {}: {e}", cert.display()),
            )
        })?;
    if certs.is_empty() {
        return Err(err(
            CERT,
            format!("{} holds no PEM certificate", cert.display()),
        ));
    }
    let key = key.ok_or_else(|| err(KEY, "not set"))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        err(
            KEY,
            format!("cannot read a PEM private key from {}: {e}", key.display()),
        )
    })?;
    Ok((certs, key))
}

/// The rustls versions among `TLSv1.2` / `TLSv1.3`; an empty list allows both.
fn protocol_versions(names: &[String]) -> Vec<&'static rustls::SupportedProtocolVersion> {
    let want = |n: &str| names.is_empty() || names.iter().any(|p| p == n);
    let mut v = Vec::new();
    if want("TLSv1.3") {
        v.push(&rustls::version::TLS13);
    }
    if want("TLSv1.2") {
        v.push(&rustls::version::TLS12);
    }
    v
}

/// The provider's suites named in the list (IANA names, as Java uses); empty keeps all. Names
/// rustls does not implement are skipped, as Jetty skips unsupported ones; none left is an error.
/// Java lists usually name TLS 1.2 suites only: then every TLS 1.3 suite stays allowed.
fn cipher_suites(names: &[String]) -> Result<Vec<rustls::SupportedCipherSuite>, TlsError> {
    let all = provider::default_provider().cipher_suites;
    if names.is_empty() {
        return Ok(all);
    }
    let named = |s: &rustls::SupportedCipherSuite| {
        let name = format!("{:?}", s.suite());
        names.contains(&name)
    };
    if !all.iter().any(named) {
        let available: Vec<String> = all.iter().map(|s| format!("{:?}", s.suite())).collect();
        return Err(err(
            "kairosdb.jetty.ssl.cipherSuites",
            format!(
                "none of the listed suites is implemented; available: {}",
                available.join(", ")
            ),
        ));
    }
    let is13 = |s: &rustls::SupportedCipherSuite| s.version() == &rustls::version::TLS13;
    let any13 = all.iter().any(|s| is13(s) && named(s));
    Ok(all
        .into_iter()
        .filter(|s| named(s) || (!any13 && is13(s)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_suite_names_select_rustls_suites() {
        let s = cipher_suites(&["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".into()]).unwrap();
        assert!(s
            .iter()
            .any(|s| format!("{:?}", s.suite()) == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
        assert!(!s
            .iter()
            .any(|s| format!("{:?}", s.suite()) == "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"));
        let e = cipher_suites(&["TLS_RSA_WITH_AES_128_CBC_SHA".into()]).unwrap_err();
        assert!(
            e.to_string().contains("kairosdb.jetty.ssl.cipherSuites"),
            "{e}"
        );
    }

    #[test]
    fn protocols() {
        assert_eq!(protocol_versions(&[]).len(), 2);
        assert_eq!(
            protocol_versions(&["TLSv1.1".into(), "TLSv1.2".into()]).len(),
            1
        );
    }
}
