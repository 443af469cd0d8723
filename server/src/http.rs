//! The HTTP front-end: a hyper server routing `/api/v1/*` to thin handlers.

mod auth;
mod datapoints;
mod error;
mod metadata;
mod query;
mod response;
mod router;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;

pub use error::ApiError;
pub use response::Body;

use crate::listener::Listener;
use crate::state::AppState;

/// A running HTTP listener.
pub struct HttpServer {
    /// The bound address.
    pub local_addr: SocketAddr,
    listener: Listener,
}

impl HttpServer {
    /// Binds `addr` and serves requests until [`HttpServer::shutdown`].
    pub async fn start(addr: &str, state: Arc<AppState>) -> std::io::Result<HttpServer> {
        let listener = Listener::bind(addr, "http", move |stream, peer, stop| {
            serve(stream, peer, stop, state.clone())
        })
        .await?;
        Ok(HttpServer {
            local_addr: listener.local_addr,
            listener,
        })
    }

    /// Binds `addr` and serves HTTPS with `config` until [`HttpServer::shutdown`].
    pub async fn start_tls(
        addr: &str,
        state: Arc<AppState>,
        config: Arc<rustls::ServerConfig>,
    ) -> std::io::Result<HttpServer> {
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        let listener = Listener::bind(addr, "https", move |stream, peer, stop| {
            let acceptor = acceptor.clone();
            let state = state.clone();
            async move {
                let handshake =
                    tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream));
                match handshake.await {
                    Ok(Ok(tls)) => serve(tls, peer, stop, state).await,
                    Ok(Err(e)) => tracing::debug!(error = %e, %peer, "TLS handshake failed"),
                    Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                }
            }
        })
        .await?;
        Ok(HttpServer {
            local_addr: listener.local_addr,
            listener,
        })
    }

    /// Stops accepting, lets in-flight requests finish, and returns when the listener is gone.
    pub async fn shutdown(self) {
        self.listener.shutdown().await;
    }
}

/// How long a client may take to complete the TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves HTTP/1.1 on one connection, plain or TLS, until it ends or the server stops.
async fn serve<IO>(
    io: IO,
    peer: SocketAddr,
    mut stop: tokio::sync::watch::Receiver<bool>,
    state: Arc<AppState>,
) where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let open = &crate::metrics::metrics().http_connections;
    open.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let _open = scopeguard(open);
    let service = hyper::service::service_fn(move |req| router::route(state.clone(), req, peer));
    let conn = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => {
            if let Err(e) = r {
                tracing::debug!(error = %e, %peer, "http connection ended with error");
            }
        }
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Decrements an open-connection gauge when the connection task ends, however it ends.
struct OpenGuard(&'static std::sync::atomic::AtomicI64);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

fn scopeguard(gauge: &'static std::sync::atomic::AtomicI64) -> OpenGuard {
    OpenGuard(gauge)
}
