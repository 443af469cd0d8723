//! TLS to Cassandra (`use_ssl`): a rustls client configuration that behaves as the Java node's
//! `Cluster.builder().withSSL()` (CassandraClientImpl.java), i.e. the DataStax 3.x driver's
//! `JdkSSLOptions`: the server's certificate chain is checked against the trusted roots, but
//! its host name is not (the Java driver leaves endpoint identification off by default).
//!
//! The Java node takes its trusted roots from the JVM (`javax.net.ssl.trustStore`, else the JDK's
//! `cacerts`); here they come from `ssl.ca_file` (PEM), else the system's certificate store. A
//! client certificate (`ssl.cert_file` + `ssl.key_file`, PEM) stands for `javax.net.ssl.keyStore`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

/// TLS settings of a cluster (`ssl.*` keys beside `use_ssl`; ours, see the module doc).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SslOptions {
    /// PEM file of the certificates to trust; `None` = the system's store.
    pub ca_file: Option<PathBuf>,
    /// PEM client certificate chain, for clusters that require client authentication.
    pub cert_file: Option<PathBuf>,
    /// PEM private key of `cert_file`.
    pub key_file: Option<PathBuf>,
    /// Also check that the certificate names the node (off, as in the Java driver).
    pub hostname_validation: bool,
}

/// Builds the client configuration the driver wraps every connection in.
pub fn client_config(o: &SslOptions) -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let roots = Arc::new(roots(o)?);
    let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
        .build()
        .map_err(|e| format!("cannot use the trusted certificates: {e}"))?;
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up failed: {e}"))?;
    let builder = if o.hostname_validation {
        builder.with_webpki_verifier(webpki)
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ChainOnly(webpki)))
    };
    let config = match (&o.cert_file, &o.key_file) {
        (Some(cert), Some(key)) => builder
            .with_client_auth_cert(certs(cert)?, private_key(key)?)
            .map_err(|e| format!("cannot use the client certificate {}: {e}", cert.display()))?,
        (None, None) => builder.with_no_client_auth(),
        _ => return Err("ssl.cert_file and ssl.key_file go together".to_string()),
    };
    Ok(Arc::new(config))
}

fn roots(o: &SslOptions) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    match &o.ca_file {
        Some(path) => {
            for cert in certs(path)? {
                store
                    .add(cert)
                    .map_err(|e| format!("bad certificate in {}: {e}", path.display()))?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            for e in &found.errors {
                tracing::warn!(error = %e, "cannot read a system certificate");
            }
            let (added, _) = store.add_parsable_certificates(found.certs);
            tracing::debug!(
                added,
                "trusting the system's certificates for Cassandra TLS"
            );
        }
    }
    if store.is_empty() {
        return Err("no trusted certificate (set ssl.ca_file to a PEM file)".to_string());
    }
    Ok(store)
}

fn certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("cannot read certificates from {}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("no PEM certificate in {}", path.display()));
    }
    Ok(certs)
}

fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, String> {
    PrivateKeyDer::from_pem_file(path)
        .map_err(|e| format!("cannot read a PEM private key from {}: {e}", path.display()))
}

/// Checks the chain and validity as webpki does, and accepts a name that does not match.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}
