//! Where a query writes its response: buffered in memory up to a threshold so errors keep
//! Java's status codes, then streamed in chunks so large results never sit in memory whole.

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

use crate::http::ApiError;

/// Bytes buffered before the response switches to streaming.
const STREAM_THRESHOLD: usize = 4 << 20;
/// Chunk size once streaming.
const CHUNK: usize = 256 << 10;

/// How the response begins: complete (small, or failed before streaming) or streaming.
pub enum OutputStart {
    /// The whole body, or the error to answer with.
    Complete(Result<Vec<u8>, ApiError>),
    /// 200 with a body that arrives on the channel; an `Err` item aborts the connection.
    Streaming(mpsc::Receiver<Result<Bytes, std::io::Error>>),
}

/// The writer side, used from the query's blocking thread.
pub struct Output {
    buf: Vec<u8>,
    start: Option<oneshot::Sender<OutputStart>>,
    tx: Option<mpsc::Sender<Result<Bytes, std::io::Error>>>,
}

/// The client went away; the query stops.
#[derive(Debug)]
pub struct Disconnected;

/// Where one result is written: a buffer to append to, flushed between points.
pub trait ResultOut {
    /// The buffer to append to.
    fn buf(&mut self) -> &mut Vec<u8>;
    /// Passes on what is buffered if it is large enough; call between points.
    fn maybe_flush(&mut self) -> Result<(), Disconnected>;
}

impl ResultOut for Output {
    fn buf(&mut self) -> &mut Vec<u8> {
        Output::buf(self)
    }
    fn maybe_flush(&mut self) -> Result<(), Disconnected> {
        Output::maybe_flush(self)
    }
}

impl Output {
    /// A new output and the receiver of its start.
    pub fn new() -> (Output, oneshot::Receiver<OutputStart>) {
        let (start, rx) = oneshot::channel();
        (
            Output {
                buf: Vec::with_capacity(8192),
                start: Some(start),
                tx: None,
            },
            rx,
        )
    }

    /// The buffer to append to.
    pub fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Sends what is buffered if it is large enough; call between points.
    pub fn maybe_flush(&mut self) -> Result<(), Disconnected> {
        if self.tx.is_none() && self.buf.len() >= STREAM_THRESHOLD {
            let (tx, rx) = mpsc::channel(4);
            if let Some(start) = self.start.take() {
                start
                    .send(OutputStart::Streaming(rx))
                    .map_err(|_| Disconnected)?;
            }
            self.tx = Some(tx);
        }
        if self.tx.is_some() && self.buf.len() >= CHUNK {
            self.send_buf()?;
        }
        Ok(())
    }

    fn send_buf(&mut self) -> Result<(), Disconnected> {
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buf,
            Vec::with_capacity(CHUNK + 4096),
        ));
        match &self.tx {
            Some(tx) => tx.blocking_send(Ok(chunk)).map_err(|_| Disconnected),
            None => Ok(()),
        }
    }

    /// Ends the response with success or an error.
    pub fn finish(mut self, result: Result<(), ApiError>) {
        match (self.start.take(), result) {
            (Some(start), Ok(())) => {
                let _ = start.send(OutputStart::Complete(Ok(std::mem::take(&mut self.buf))));
            }
            (Some(start), Err(e)) => {
                let _ = start.send(OutputStart::Complete(Err(e)));
            }
            (None, Ok(())) => {
                let _ = self.send_buf();
            }
            (None, Err(e)) => {
                tracing::warn!(error = ?e, "query failed after its response started streaming; aborting the connection");
                if let Some(tx) = &self.tx {
                    let _ = tx.blocking_send(Err(std::io::Error::other(format!("{e:?}"))));
                }
            }
        }
    }
}
