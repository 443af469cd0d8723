//! The HTTP front-end: a hyper server routing `/api/v1/*` to thin handlers.

mod datapoints;
mod error;
mod metadata;
mod query;
mod response;
mod router;

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
        let listener = Listener::bind(addr, "http", move |stream, peer, mut stop| {
            let state = state.clone();
            async move {
                let open = &crate::metrics::metrics().http_connections;
                open.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let _open = scopeguard(open);
                let service =
                    hyper::service::service_fn(move |req| router::route(state.clone(), req, peer));
                let conn = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service);
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
