//! Runs a metric query's output groups on several threads and writes their results in group
//! order. Each group streams its JSON through a small bounded channel, so what waits for its
//! turn is bounded: at most [`CHANNEL_CHUNKS`] chunks of [`CHUNK`] bytes per running group.
//!
//! The group the writer waits for always has a thread: threads take groups in order, and the
//! writer consumes them in order, so a thread blocked on a full channel is always ahead of it.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use parking_lot::Mutex;

use super::output::{Disconnected, ResultOut};
use crate::http::ApiError;

/// Bytes a group thread gathers before passing them on.
const CHUNK: usize = 64 << 10;
/// Chunks a group may have waiting for the writer.
const CHANNEL_CHUNKS: usize = 16;

type Message = Result<Vec<u8>, ApiError>;

/// A group thread's output: chunks to the writer.
struct ChunkOut {
    buf: Vec<u8>,
    tx: SyncSender<Message>,
}

impl ResultOut for ChunkOut {
    fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    fn maybe_flush(&mut self) -> Result<(), Disconnected> {
        if self.buf.len() < CHUNK {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK + 4096));
        self.tx.send(Ok(chunk)).map_err(|_| Disconnected)
    }
}

/// Runs `work` for each of `groups` on up to `threads` threads and appends the results to
/// `out` in order, separated by commas (`first` says whether `out` still has no result).
pub fn run_groups<G: Sync>(
    groups: &[G],
    threads: usize,
    out: &mut dyn ResultOut,
    first: &mut bool,
    work: &(dyn Fn(&G, &mut dyn ResultOut) -> Result<(), ApiError> + Sync),
) -> Result<(), ApiError> {
    let mut senders = Vec::with_capacity(groups.len());
    let mut receivers: Vec<Receiver<Message>> = Vec::with_capacity(groups.len());
    for _ in groups {
        let (tx, rx) = sync_channel(CHANNEL_CHUNKS);
        senders.push(Mutex::new(Some(tx)));
        receivers.push(rx);
    }
    let next = AtomicUsize::new(0);
    let cancel = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..threads.min(groups.len()) {
            scope.spawn(|| loop {
                if cancel.load(Ordering::Relaxed) {
                    return;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(group) = groups.get(i) else { return };
                let Some(tx) = senders[i].lock().take() else {
                    return;
                };
                let mut sink = ChunkOut {
                    buf: Vec::with_capacity(CHUNK + 4096),
                    tx,
                };
                let result = work(group, &mut sink).map(|()| std::mem::take(&mut sink.buf));
                // A send fails only once the writer gave up; it then ignores everything.
                let _ = sink.tx.send(result);
            });
        }
        let result = write_in_order(&receivers, out, first);
        if result.is_err() {
            cancel.store(true, Ordering::Relaxed);
            // Dropping the receivers fails every blocked send, so the threads end.
            drop(receivers);
        }
        result
    })
}

/// Copies each group's chunks to `out`, group after group.
fn write_in_order(
    receivers: &[Receiver<Message>],
    out: &mut dyn ResultOut,
    first: &mut bool,
) -> Result<(), ApiError> {
    for rx in receivers {
        if !std::mem::take(first) {
            out.buf().push(b',');
        }
        // The sender is dropped after the last message: `recv` fails then.
        while let Ok(msg) = rx.recv() {
            out.buf().extend_from_slice(&msg?);
            out.maybe_flush()
                .map_err(|_| ApiError::Internal(Some("client disconnected".into())))?;
        }
    }
    Ok(())
}
