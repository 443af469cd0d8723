//! The telnet listener: frames lines, parses each into a command, hands points to the ingest
//! core and answers `version`. Nothing else is ever written back (TELNET/TelnetServer.java).

mod codec;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use bytes::BytesMut;
use protocols::telnet::{parse_line, Command};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;

use std::collections::VecDeque;

use futures_util::FutureExt;

use crate::ingest::{Durable, IngestRef, Wait};
use crate::listener::Listener;
use crate::metrics::metrics;
use crate::state::version_text;
use codec::{next_line, Line};

/// A running telnet listener.
pub struct TelnetServer {
    /// The bound address.
    pub local_addr: SocketAddr,

    listener: Listener,
}

impl TelnetServer {
    /// Binds `addr` and accepts connections until [`TelnetServer::shutdown`].
    pub async fn start(
        addr: &str,
        ingest: IngestRef,
        max_line: usize,
    ) -> std::io::Result<TelnetServer> {
        let listener = Listener::bind(addr, "telnet", move |stream, peer, stop| {
            let ingest = ingest.clone();
            async move {
                let open = &metrics().telnet_connections;
                open.fetch_add(1, Ordering::Relaxed);
                let result = serve(stream, peer, ingest, max_line, stop).await;
                open.fetch_sub(1, Ordering::Relaxed);
                if let Err(e) = result {
                    tracing::debug!(error = %e, %peer, "telnet connection ended with error");
                }
            }
        })
        .await?;
        Ok(TelnetServer {
            local_addr: listener.local_addr,
            listener,
        })
    }

    /// Stops accepting; open connections finish the lines they already read.
    pub async fn shutdown(self) {
        self.listener.shutdown().await;
    }
}

/// Batches of one connection queued but not yet known durable; reading goes on meanwhile.
const IN_FLIGHT: usize = 4;

/// Batches a connection queued, oldest first, with their line counts.
#[derive(Default)]
struct Pending(VecDeque<(u64, Durable)>);

impl Pending {
    /// Counts the outcome of one batch.
    fn settle(peer: SocketAddr, n: u64, result: Result<(), crate::ingest::IngestError>) {
        match result {
            Ok(()) => {
                metrics()
                    .telnet_lines_accepted
                    .fetch_add(n, Ordering::Relaxed);
            }
            Err(e) => {
                metrics()
                    .telnet_lines_rejected
                    .fetch_add(n, Ordering::Relaxed);
                tracing::error!(%peer, error = %e, lines = n, "telnet points not stored");
            }
        }
    }

    /// Waits until at most `keep` batches are outstanding; settles those already done.
    async fn wait_until(&mut self, peer: SocketAddr, keep: usize) {
        loop {
            let must = self.0.len() > keep;
            let Some((n, durable)) = self.0.front_mut() else {
                return;
            };
            let n = *n;
            let result = if must {
                durable.await
            } else {
                match durable.now_or_never() {
                    Some(r) => r,
                    None => return,
                }
            };
            self.0.pop_front();
            Self::settle(peer, n, result);
        }
    }
}

/// One connection: read what is available, parse every whole line, queue the points and read
/// on while up to [`IN_FLIGHT`] batches are being written; a `version` answer, the end of
/// the connection and shutdown wait until every earlier point is durable.
async fn serve(
    mut stream: TcpStream,
    peer: SocketAddr,
    ingest: IngestRef,
    max_line: usize,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let mut buf = BytesMut::with_capacity(64 * 1024);
    let mut discarding = false;
    let mut pending = Pending::default();
    loop {
        let read = tokio::select! {
            r = stream.read_buf(&mut buf) => r,
            _ = stop.changed() => {
                pending.wait_until(peer, 0).await;
                return Ok(());
            }
        };
        let n = match read {
            Ok(n) => n,
            Err(e) => {
                pending.wait_until(peer, 0).await;
                return Err(e);
            }
        };
        if n == 0 {
            // Bytes after the last newline are never processed, as in Java.
            pending.wait_until(peer, 0).await;
            return Ok(());
        }
        let mut batch = Vec::new();
        let mut reply = Vec::new();
        let mut close = false;
        while let Some(line) = next_line(&mut buf, max_line, &mut discarding) {
            let bytes = match line {
                Line::Complete(b) => b,
                Line::TooLong(len) => {
                    metrics()
                        .telnet_lines_rejected
                        .fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(%peer, length = len, max = max_line, "telnet line dropped: longer than max_command_size");
                    continue;
                }
            };
            let parsed = parse_line(&bytes);
            if matches!(parsed, Ok(Command::Put(_) | Command::Version)) {
                crate::reporter::counters::counters().telnet_command(&bytes);
            }
            match parsed {
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
                    metrics()
                        .telnet_lines_rejected
                        .fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(%peer, command = %word, "telnet line ignored: unknown command");
                }
                Err(e) => {
                    metrics()
                        .telnet_lines_rejected
                        .fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(%peer, error = %e, line = %String::from_utf8_lossy(&bytes), "telnet line dropped");
                }
            }
        }
        if !batch.is_empty() {
            let n = batch.len() as u64;
            // Reading pauses while the queue is full.
            match ingest.enqueue(batch, Wait::Forever).await {
                Ok(durable) => pending.0.push_back((n, durable)),
                Err(e) => Pending::settle(peer, n, Err(e)),
            }
        }
        let keep = if reply.is_empty() && !close {
            IN_FLIGHT
        } else {
            0
        };
        pending.wait_until(peer, keep).await;
        if !reply.is_empty() {
            stream.write_all(&reply).await?;
        }
        if close {
            return Ok(());
        }
    }
}
