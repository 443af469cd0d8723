//! A TCP accept loop with a stop signal, shared by the HTTP and telnet front-ends.

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A bound listener whose connections are handed to a handler task each.
pub struct Listener {
    /// The bound address.
    pub local_addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Listener {
    /// Binds `addr` and spawns `handle(stream, peer, stop)` for every accepted connection;
    /// `stop` changes when the server shuts down.
    pub async fn bind<F, Fut>(
        addr: &str,
        protocol: &'static str,
        handle: F,
    ) -> std::io::Result<Listener>
    where
        F: Fn(TcpStream, SocketAddr, watch::Receiver<bool>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                let (stream, peer) = tokio::select! {
                    r = listener.accept() => match r {
                        Ok(x) => x,
                        Err(e) => {
                            tracing::warn!(protocol, error = %e, "accept failed");
                            continue;
                        }
                    },
                    _ = stopped.changed() => break,
                };
                let _ = stream.set_nodelay(true);
                tokio::spawn(handle(stream, peer, stopped.clone()));
            }
        });
        Ok(Listener {
            local_addr,
            stop,
            task,
        })
    }

    /// Stops accepting and signals open connections; returns when the accept loop is gone.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
