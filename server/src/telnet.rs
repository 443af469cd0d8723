//! The telnet listener: frames lines, parses each into a command, hands points to the ingest
//! core and answers `version`. Nothing else is ever written back (TELNET/TelnetServer.java).

mod codec;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::BytesMut;
use protocols::telnet::{parse_line, Command};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::ingest::IngestRef;
use crate::state::version_text;
use codec::{next_line, Line};

/// Counters of the telnet front-end.
#[derive(Default)]
pub struct TelnetStats {
    /// Lines that stored a point.
    pub accepted: AtomicU64,
    /// Lines dropped as malformed, too long or unknown.
    pub rejected: AtomicU64,
}

/// A running telnet listener.
pub struct TelnetServer {
    /// The bound address.
    pub local_addr: SocketAddr,
    /// Counters.
    pub stats: Arc<TelnetStats>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl TelnetServer {
    /// Binds `addr` and accepts connections until [`TelnetServer::shutdown`].
    pub async fn start(
        addr: &str,
        ingest: IngestRef,
        max_line: usize,
    ) -> std::io::Result<TelnetServer> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let stats = Arc::new(TelnetStats::default());
        let (stop, mut stopped) = watch::channel(false);
        let st = stats.clone();
        let task = tokio::spawn(async move {
            loop {
                let (stream, peer) = tokio::select! {
                    r = listener.accept() => match r {
                        Ok(x) => x,
                        Err(e) => {
                            tracing::warn!(error = %e, "telnet accept failed");
                            continue;
                        }
                    },
                    _ = stopped.changed() => break,
                };
                let _ = stream.set_nodelay(true);
                let (ingest, st, stop_conn) = (ingest.clone(), st.clone(), stopped.clone());
                tokio::spawn(async move {
                    if let Err(e) = serve(stream, peer, ingest, st, max_line, stop_conn).await {
                        tracing::debug!(error = %e, %peer, "telnet connection ended with error");
                    }
                });
            }
        });
        Ok(TelnetServer {
            local_addr,
            stats,
            stop,
            task,
        })
    }

    /// Stops accepting; open connections finish the lines they already read.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// One connection: read what is available, apply every whole line, store the points (waiting
/// until they are durable before reading on), repeat.
async fn serve(
    mut stream: TcpStream,
    peer: SocketAddr,
    ingest: IngestRef,
    stats: Arc<TelnetStats>,
    max_line: usize,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let mut buf = BytesMut::with_capacity(64 * 1024);
    let mut discarding = false;
    loop {
        let n = tokio::select! {
            r = stream.read_buf(&mut buf) => r?,
            _ = stop.changed() => return Ok(()),
        };
        if n == 0 {
            // Bytes after the last newline are never processed, as in Java.
            return Ok(());
        }
        let mut batch = Vec::new();
        let mut reply = Vec::new();
        let mut close = false;
        while let Some(line) = next_line(&mut buf, max_line, &mut discarding) {
            let bytes = match line {
                Line::Complete(b) => b,
                Line::TooLong(len) => {
                    stats.rejected.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(%peer, length = len, max = max_line, "telnet line dropped: longer than max_command_size");
                    continue;
                }
            };
            match parse_line(&bytes) {
                Ok(Command::Put(series)) => batch.push(series),
                Ok(Command::Version) => {
                    reply.extend_from_slice(version_text().as_bytes());
                    reply.push(b'\n');
                }
                Ok(Command::Exit) => {
                    close = true;
                    break;
                }
                Ok(Command::Unknown(word)) => {
                    stats.rejected.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(%peer, command = %word, "telnet line ignored: unknown command");
                }
                Err(e) => {
                    stats.rejected.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(%peer, error = %e, line = %String::from_utf8_lossy(&bytes), "telnet line dropped");
                }
            }
        }
        if !batch.is_empty() {
            let n = batch.len() as u64;
            match ingest.submit(batch).await {
                Ok(()) => {
                    stats.accepted.fetch_add(n, Ordering::Relaxed);
                }
                Err(e) => {
                    stats.rejected.fetch_add(n, Ordering::Relaxed);
                    tracing::error!(%peer, error = %e, lines = n, "telnet points not stored");
                }
            }
        }
        if !reply.is_empty() {
            stream.write_all(&reply).await?;
        }
        if close {
            return Ok(());
        }
    }
}
