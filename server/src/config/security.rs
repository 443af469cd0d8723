//! HTTP security settings: Basic auth (`kairosdb.jetty.basic_auth.*`, the KairosDB 1.2 keys)
//! and the HTTPS listener (`kairosdb.jetty.ssl.*`, HTTP/WebServer.java in 1.3.0).

use std::path::PathBuf;

use super::ConfigError;

/// Root of the Basic auth keys.
pub const AUTH_ROOT: &str = "kairosdb.jetty.basic_auth.";
/// Root of the HTTPS keys.
pub const SSL_ROOT: &str = "kairosdb.jetty.ssl.";

/// Every security key this server applies.
pub const KNOWN_KEYS: &[&str] = &[
    "kairosdb.jetty.basic_auth.user",
    "kairosdb.jetty.basic_auth.password",
    "kairosdb.jetty.ssl.port",
    "kairosdb.jetty.ssl.keystore.path",
    "kairosdb.jetty.ssl.keystore.password",
    "kairosdb.jetty.ssl.protocols",
    "kairosdb.jetty.ssl.cipherSuites",
    "kairosdb.jetty.ssl.truststore.path",
    "kairosdb.jetty.ssl.certificate_path",
    "kairosdb.jetty.ssl.private_key_path",
];

/// The HTTPS listener, served besides the plain one as Jetty does.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct TlsOptions {
    /// Port of the HTTPS listener (on `kairosdb.jetty.address`); 0 picks a free port.
    pub port: Option<u16>,
    /// PKCS12 keystore with the server key and certificate chain.
    pub keystore_path: Option<PathBuf>,
    /// Password of the keystore (and of its key entry, as Jetty assumes).
    pub keystore_password: Option<String>,
    /// Allowed protocol versions (`TLSv1.2`, `TLSv1.3`); empty: both.
    pub protocols: Vec<String>,
    /// Allowed cipher suites by IANA/Java name; empty: the provider's defaults.
    pub cipher_suites: Vec<String>,
    /// Accepted and not used: Jetty only consults it for client certificates, never requested.
    pub truststore_path: Option<PathBuf>,
    /// PEM certificate chain, instead of a keystore (ours; e.g. a cert-manager `tls.crt`).
    pub certificate_path: Option<PathBuf>,
    /// PEM private key (PKCS8, PKCS1 or SEC1) of `certificate_path` (ours; `tls.key`).
    pub private_key_path: Option<PathBuf>,
}

impl std::fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsOptions")
            .field("port", &self.port)
            .field("keystore_path", &self.keystore_path)
            .field("certificate_path", &self.certificate_path)
            .field("private_key_path", &self.private_key_path)
            .field("protocols", &self.protocols)
            .field("cipher_suites", &self.cipher_suites)
            .finish_non_exhaustive()
    }
}

/// Basic auth and HTTPS settings.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecurityOptions {
    /// Basic auth user name (`kairosdb.jetty.basic_auth.user`).
    pub user: Option<String>,
    /// Basic auth password (`kairosdb.jetty.basic_auth.password`).
    pub password: Option<String>,
    /// HTTPS settings.
    pub tls: TlsOptions,
}

impl std::fmt::Debug for SecurityOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecurityOptions")
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .field("tls", &self.tls)
            .finish()
    }
}

fn bad(key: &str, value: &str, reason: &str) -> ConfigError {
    ConfigError::BadValue {
        key: key.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

/// Java's `split("\\s*,\\s*")` of a comma list; brackets and quotes of a HOCON list are dropped.
fn comma_list(v: &str) -> Vec<String> {
    v.trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Applies one `kairosdb.jetty.basic_auth.*` / `kairosdb.jetty.ssl.*` key; false when not ours.
pub fn apply(
    o: &mut SecurityOptions,
    key: &str,
    v: &str,
    shown: &str,
) -> Result<bool, ConfigError> {
    let some = |v: &str| Some(v.to_string()).filter(|s| !s.is_empty());
    match key {
        "kairosdb.jetty.basic_auth.user" => o.user = some(v),
        "kairosdb.jetty.basic_auth.password" => o.password = Some(v.to_string()),
        "kairosdb.jetty.ssl.port" => {
            o.tls.port = Some(
                v.parse()
                    .map_err(|_| bad(shown, v, "expected a port number 0-65535"))?,
            )
        }
        "kairosdb.jetty.ssl.keystore.path" => o.tls.keystore_path = some(v).map(PathBuf::from),
        "kairosdb.jetty.ssl.keystore.password" => o.tls.keystore_password = some(v),
        "kairosdb.jetty.ssl.truststore.path" => o.tls.truststore_path = some(v).map(PathBuf::from),
        "kairosdb.jetty.ssl.certificate_path" => {
            o.tls.certificate_path = some(v).map(PathBuf::from)
        }
        "kairosdb.jetty.ssl.private_key_path" => {
            o.tls.private_key_path = some(v).map(PathBuf::from)
        }
        "kairosdb.jetty.ssl.protocols" => {
            let list = comma_list(v);
            if let Some(p) = list
                .iter()
                .find(|p| !matches!(p.as_str(), "TLSv1.2" | "TLSv1.3"))
            {
                if !list
                    .iter()
                    .any(|p| matches!(p.as_str(), "TLSv1.2" | "TLSv1.3"))
                {
                    return Err(bad(
                        shown,
                        v,
                        &format!("{p} is not offered by kairosdb-rs: list TLSv1.2 and/or TLSv1.3"),
                    ));
                }
            }
            o.tls.protocols = list;
        }
        "kairosdb.jetty.ssl.cipherSuites" => o.tls.cipher_suites = comma_list(v),
        _ => return Ok(false),
    }
    Ok(true)
}

impl SecurityOptions {
    /// Whether the HTTPS listener runs: a keystore path (as in WebServer.java) or a PEM
    /// certificate is set.
    pub fn tls_enabled(&self) -> bool {
        self.tls.keystore_path.is_some() || self.tls.certificate_path.is_some()
    }

    /// Checks the combinations: HTTPS needs a port, and either a keystore with its password or
    /// a PEM certificate with its key; a Basic auth password needs its user.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.user.is_none() && self.password.as_deref().is_some_and(|p| !p.is_empty()) {
            return Err(bad(
                "kairosdb.jetty.basic_auth.user",
                "",
                "kairosdb.jetty.basic_auth.password is set: set the user too",
            ));
        }
        let t = &self.tls;
        if t.private_key_path.is_some() && t.certificate_path.is_none() {
            return Err(bad(
                "kairosdb.jetty.ssl.certificate_path",
                "",
                "kairosdb.jetty.ssl.private_key_path is set: set the certificate too",
            ));
        }
        if t.certificate_path.is_some() {
            if t.keystore_path.is_some() {
                return Err(bad(
                    "kairosdb.jetty.ssl.certificate_path",
                    "",
                    "set either kairosdb.jetty.ssl.keystore.path or a PEM certificate, not both",
                ));
            }
            if t.private_key_path.is_none() {
                return Err(bad(
                    "kairosdb.jetty.ssl.private_key_path",
                    "",
                    "kairosdb.jetty.ssl.certificate_path is set: set its private key too",
                ));
            }
        }
        if !self.tls_enabled() {
            for (key, set) in [
                ("kairosdb.jetty.ssl.port", t.port.is_some()),
                (
                    "kairosdb.jetty.ssl.keystore.password",
                    t.keystore_password.is_some(),
                ),
            ] {
                if set {
                    return Err(bad(
                        "kairosdb.jetty.ssl.keystore.path",
                        "",
                        &format!("{key} is set: HTTPS also needs the keystore path"),
                    ));
                }
            }
            return Ok(());
        }
        if t.port.is_none() {
            return Err(bad(
                "kairosdb.jetty.ssl.port",
                "",
                "HTTPS is configured: set its port",
            ));
        }
        if t.keystore_path.is_some() && t.keystore_password.is_none() {
            return Err(bad(
                "kairosdb.jetty.ssl.keystore.password",
                "",
                "HTTPS is configured (kairosdb.jetty.ssl.keystore.path): set the keystore password",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<SecurityOptions, ConfigError> {
        let mut o = SecurityOptions::default();
        for (k, v) in pairs {
            assert!(apply(&mut o, k, v, k)?, "{k} not applied");
        }
        o.validate()?;
        Ok(o)
    }

    #[test]
    fn tls_needs_port_and_password() {
        let e = load(&[("kairosdb.jetty.ssl.keystore.path", "/k.p12")]).unwrap_err();
        assert!(e.to_string().contains("kairosdb.jetty.ssl.port"), "{e}");
        let e = load(&[
            ("kairosdb.jetty.ssl.keystore.path", "/k.p12"),
            ("kairosdb.jetty.ssl.port", "8443"),
        ])
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("kairosdb.jetty.ssl.keystore.password"),
            "{e}"
        );
        let e = load(&[("kairosdb.jetty.ssl.port", "8443")]).unwrap_err();
        assert!(
            e.to_string().contains("kairosdb.jetty.ssl.keystore.path"),
            "{e}"
        );
        let o = load(&[
            ("kairosdb.jetty.ssl.keystore.path", "/k.p12"),
            ("kairosdb.jetty.ssl.port", "8443"),
            ("kairosdb.jetty.ssl.keystore.password", "pw"),
            ("kairosdb.jetty.ssl.protocols", "TLSv1.1, TLSv1.2"),
        ])
        .unwrap();
        assert!(o.tls_enabled());
        assert_eq!(o.tls.protocols, vec!["TLSv1.1", "TLSv1.2"]);
    }

    #[test]
    fn pem_needs_both_files_and_excludes_a_keystore() {
        let e = load(&[("kairosdb.jetty.ssl.private_key_path", "/k.pem")]).unwrap_err();
        assert!(e.to_string().contains("certificate_path"), "{e}");
        let e = load(&[
            ("kairosdb.jetty.ssl.certificate_path", "/c.pem"),
            ("kairosdb.jetty.ssl.port", "8443"),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("private_key_path"), "{e}");
        let e = load(&[
            ("kairosdb.jetty.ssl.certificate_path", "/c.pem"),
            ("kairosdb.jetty.ssl.private_key_path", "/k.pem"),
            ("kairosdb.jetty.ssl.keystore.path", "/k.p12"),
            ("kairosdb.jetty.ssl.port", "8443"),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("not both"), "{e}");
        let o = load(&[
            ("kairosdb.jetty.ssl.certificate_path", "/c.pem"),
            ("kairosdb.jetty.ssl.private_key_path", "/k.pem"),
            ("kairosdb.jetty.ssl.port", "8443"),
        ])
        .unwrap();
        assert!(o.tls_enabled());
    }

    #[test]
    fn protocols_without_a_supported_version_are_refused() {
        let e = load(&[("kairosdb.jetty.ssl.protocols", "TLSv1, TLSv1.1")]).unwrap_err();
        assert!(e.to_string().contains("TLSv1.2"), "{e}");
    }

    #[test]
    fn basic_auth_needs_a_user() {
        assert!(load(&[("kairosdb.jetty.basic_auth.password", "pw")]).is_err());
        let o = load(&[
            ("kairosdb.jetty.basic_auth.user", "u"),
            ("kairosdb.jetty.basic_auth.password", "pw"),
        ])
        .unwrap();
        assert_eq!(
            (o.user.as_deref(), o.password.as_deref()),
            (Some("u"), Some("pw"))
        );
        assert!(!format!("{o:?}").contains("pw"), "{o:?}");
    }
}
