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

/// Cores this process may use (1 when unknown).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that keeps everything and counts its flushes.
    #[derive(Default)]
    struct Collect {
        buf: Vec<u8>,
        flushes: usize,
    }

    impl ResultOut for Collect {
        fn buf(&mut self) -> &mut Vec<u8> {
            &mut self.buf
        }
        fn maybe_flush(&mut self) -> Result<(), Disconnected> {
            self.flushes += 1;
            Ok(())
        }
    }

    /// Group `g` writes `g` repeated to about `g * 40` KB, flushing between pieces.
    fn work(g: &usize, out: &mut dyn ResultOut) -> Result<(), ApiError> {
        for _ in 0..*g * 40 {
            out.buf().extend_from_slice(&[b'a' + (*g % 26) as u8; 1024]);
            out.maybe_flush()
                .map_err(|_| ApiError::Internal(Some("gone".into())))?;
        }
        Ok(())
    }

    fn expected(groups: &[usize], first: bool) -> Vec<u8> {
        let mut e = Vec::new();
        for (i, g) in groups.iter().enumerate() {
            if i > 0 || !first {
                e.push(b',');
            }
            for _ in 0..g * 40 {
                e.extend_from_slice(&[b'a' + (g % 26) as u8; 1024]);
            }
        }
        e
    }

    #[test]
    fn results_arrive_in_group_order_whatever_finishes_first() {
        // Large early groups and small late ones: late groups finish first and must wait.
        let groups: Vec<usize> = vec![9, 1, 7, 0, 3, 12, 2, 5, 1, 1];
        for threads in [1, 2, 3, 8] {
            let mut out = Collect::default();
            let mut first = true;
            run_groups(&groups, threads, &mut out, &mut first, &work).unwrap();
            assert_eq!(out.buf, expected(&groups, true), "{threads} threads");
            assert!(!first);
            assert!(out.flushes > 0);
        }
        // A result before these gets a comma first.
        let mut out = Collect::default();
        let mut first = false;
        run_groups(&groups, 2, &mut out, &mut first, &work).unwrap();
        assert_eq!(out.buf, expected(&groups, false));
    }

    #[test]
    fn a_failing_group_fails_the_query_without_hanging_the_others() {
        let groups: Vec<usize> = (0..40).collect();
        let failing = |g: &usize, out: &mut dyn ResultOut| {
            if *g == 3 {
                return Err(ApiError::Internal(Some("group 3 failed".into())));
            }
            work(g, out)
        };
        let mut out = Collect::default();
        let err = run_groups(&groups, 3, &mut out, &mut true, &failing).unwrap_err();
        assert!(format!("{err:?}").contains("group 3 failed"), "{err:?}");
        // Groups 0..3 were written before the failure was seen (then group 3's comma).
        let mut before = expected(&groups[..3], true);
        before.push(b',');
        assert_eq!(out.buf, before);
    }

    #[test]
    fn a_writer_that_fails_stops_the_threads() {
        /// A client that goes away at its third flush.
        #[derive(Default)]
        struct Leaves(Vec<u8>, usize);
        impl ResultOut for Leaves {
            fn buf(&mut self) -> &mut Vec<u8> {
                &mut self.0
            }
            fn maybe_flush(&mut self) -> Result<(), Disconnected> {
                self.1 += 1;
                if self.1 >= 3 {
                    return Err(Disconnected);
                }
                Ok(())
            }
        }
        // Every group is bigger than its channel holds: the threads block unless stopped.
        let groups: Vec<usize> = (20..40).collect();
        let mut out = Leaves::default();
        let err = run_groups(&groups, 2, &mut out, &mut true, &work).unwrap_err();
        assert!(
            format!("{err:?}").contains("client disconnected"),
            "{err:?}"
        );
        assert_eq!(out.1, 3);
    }
}
