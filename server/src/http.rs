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
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use error::ApiError;
pub use response::Body;

use crate::state::AppState;

/// A running HTTP listener.
pub struct HttpServer {
    /// The bound address.
    pub local_addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl HttpServer {
    /// Binds `addr` and serves requests until [`HttpServer::shutdown`].
    pub async fn start(addr: &str, state: Arc<AppState>) -> std::io::Result<HttpServer> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                let (stream, peer) = tokio::select! {
                    r = listener.accept() => match r {
                        Ok(x) => x,
                        Err(e) => {
                            tracing::warn!(error = %e, "accept failed");
                            continue;
                        }
                    },
                    _ = stopped.changed() => break,
                };
                let _ = stream.set_nodelay(true);
                let state = state.clone();
                let mut stop_conn = stopped.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        router::route(state.clone(), req, peer)
                    });
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
                        _ = stop_conn.changed() => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
        });
        Ok(HttpServer {
            local_addr,
            stop,
            task,
        })
    }

    /// Stops accepting, lets in-flight requests finish, and returns when the listener is gone.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
