//! Composes the server: datastore, then ingest core, then the listeners; stops in reverse,
//! draining the ingest queue before the datastore closes.

use std::sync::Arc;

use plugin_api::Registry;

use crate::config::{DatastoreKind, Options};
use crate::datastore::cassandra::CassandraStore;
use crate::datastore::embedded::EmbeddedStore;
use crate::datastore::DatastoreRef;
use crate::http::HttpServer;
use crate::ingest::IngestCore;
use crate::state::AppState;
use crate::telnet::TelnetServer;

/// A running server.
pub struct App {
    /// HTTP listener.
    pub http: HttpServer,
    /// HTTPS listener, when `kairosdb.jetty.ssl.keystore.path` is set.
    pub https: Option<HttpServer>,
    /// Telnet listener, when enabled.
    pub telnet: Option<TelnetServer>,
    ingest: Arc<IngestCore>,
    datastore: DatastoreRef,
    reporter: Option<crate::reporter::Reporter>,
}

/// Start-up failed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The datastore could not be opened.
    #[error("cannot open datastore: {0}")]
    Datastore(String),
    /// A listener could not bind.
    #[error("cannot listen on {addr}: {error}")]
    Bind {
        /// The address.
        addr: String,
        /// Why.
        error: std::io::Error,
    },
    /// The HTTPS settings are unusable (keystore, protocols, cipher suites).
    #[error("{0}")]
    Tls(#[from] crate::http::tls::TlsError),
    /// Built-in processors could not be registered.
    #[error("cannot register aggregators: {0}")]
    Registry(String),
}

fn addr(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

impl App {
    /// Opens the datastore and starts every role.
    pub async fn start(options: Options) -> Result<App, StartError> {
        let tls = match options.security.tls_enabled() {
            true => Some(crate::http::tls::server_config(&options.security.tls)?),
            false => None,
        };
        let datastore: DatastoreRef = match options.datastore.kind {
            DatastoreKind::Embedded => {
                let dir = options.datastore.data_dir.clone();
                let cache = options.datastore.cache_max_size_mb * 1024 * 1024;
                let store = tokio::task::spawn_blocking(move || EmbeddedStore::open(&dir, cache))
                    .await
                    .map_err(|e| StartError::Datastore(e.to_string()))?
                    .map_err(|e| StartError::Datastore(e.to_string()))?;
                Arc::new(store)
            }
            DatastoreKind::Cassandra => {
                let ds = options.datastore.clone();
                let store = tokio::task::spawn_blocking(move || {
                    CassandraStore::open(
                        &ds.cassandra_contact_points,
                        &ds.cassandra_keyspace,
                        ds.cassandra,
                    )
                })
                .await
                .map_err(|e| StartError::Datastore(e.to_string()))?
                .map_err(|e| StartError::Datastore(e.to_string()))?;
                Arc::new(store)
            }
        };
        let mut registry = Registry::new();
        aggregators::register_builtins(&mut registry)
            .map_err(|e| StartError::Registry(e.to_string()))?;
        crate::plugins::load_all(&options.plugins, &mut registry);
        let ingest = IngestCore::start(datastore.clone(), &options.ingest);
        let state = Arc::new(AppState::new(
            options.clone(),
            datastore.clone(),
            ingest.clone(),
            Arc::new(registry),
        ));
        let http_addr = addr(&options.http.address, options.http.port);
        let https = match tls {
            Some(config) => {
                let https_addr = addr(
                    &options.http.address,
                    options.security.tls.port.unwrap_or(0),
                );
                Some(
                    HttpServer::start_tls(&https_addr, state.clone(), config)
                        .await
                        .map_err(|error| StartError::Bind {
                            addr: https_addr,
                            error,
                        })?,
                )
            }
            None => None,
        };
        let http = HttpServer::start(&http_addr, state)
            .await
            .map_err(|error| StartError::Bind {
                addr: http_addr,
                error,
            })?;
        let telnet = if options.telnet.enabled && options.http.role.ingests() {
            let telnet_addr = addr(&options.telnet.address, options.telnet.port);
            Some(
                TelnetServer::start(
                    &telnet_addr,
                    ingest.clone(),
                    options.telnet.max_command_size,
                )
                .await
                .map_err(|error| StartError::Bind {
                    addr: telnet_addr,
                    error,
                })?,
            )
        } else {
            None
        };
        let reporter = options.ops.reporter.then(|| {
            crate::reporter::Reporter::start(&options.ops, telnet.is_some(), ingest.clone())
        });
        Ok(App {
            http,
            https,
            telnet,
            ingest,
            datastore,
            reporter,
        })
    }

    /// Stops the listeners, drains the ingest queue, and closes the datastore.
    pub async fn shutdown(self) {
        if let Some(t) = self.telnet {
            t.shutdown().await;
        }
        self.http.shutdown().await;
        if let Some(r) = self.reporter {
            r.shutdown().await;
        }
        if let Some(h) = self.https {
            h.shutdown().await;
        }
        let ingest = self.ingest.clone();
        let _ = tokio::task::spawn_blocking(move || ingest.shutdown()).await;
        let ds = self.datastore.clone();
        match tokio::task::spawn_blocking(move || ds.close()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "datastore close failed"),
            Err(e) => tracing::error!(error = %e, "datastore close panicked"),
        }
    }
}
