//! The ingest core: one queue between the front-ends (HTTP, telnet) and the datastore.
//!
//! Front-ends call [`Ingest::submit`] and await the returned future; it resolves once the
//! points are durable. A front-end that keeps reading meanwhile (telnet) calls
//! [`Ingest::enqueue`]: batches take their place in the queue in call order, and each one's
//! [`Durable`] future says when it is stored. A single writer thread drains the queue and
//! writes everything waiting in one datastore call (group commit), so concurrent clients
//! share one sync.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use futures_util::future::BoxFuture;
use parking_lot::Mutex;
use protocols::SeriesPoints;
use tokio::sync::{mpsc, oneshot, Semaphore};

use crate::config::IngestOptions;
use crate::datastore::{DatastoreError, DatastoreRef};

/// Shared handle the front-ends submit through.
pub type IngestRef = Arc<dyn Ingest>;

/// Why a submission was not stored.
#[derive(Debug, Clone, thiserror::Error)]
pub enum IngestError {
    /// The datastore refused or failed the write.
    #[error("{0}")]
    Datastore(String),
    /// The server is shutting down.
    #[error("cannot store data points: the server is shutting down")]
    Closed,
    /// The queue stayed full for the whole allowed wait (the datastore is slower than the load).
    #[error("cannot store data points: the ingest queue is full; retry later")]
    Busy,
}

/// How long a submission may wait for room in the queue.
#[derive(Clone, Copy, Debug)]
pub enum Wait {
    /// Until there is room (telnet: reading pauses meanwhile).
    Forever,
    /// At most this long, then [`IngestError::Busy`] (HTTP: 503).
    AtMost(Duration),
}

/// Resolves once a queued batch is durable (or failed).
pub type Durable = BoxFuture<'static, Result<(), IngestError>>;

/// Accepts batches of points; the future resolves when they are durable.
pub trait Ingest: Send + Sync {
    /// Queues `batch`, waiting for room as `wait` allows; resolves once it is in the queue,
    /// with the future of its durability. Batches enqueued one after the other (each
    /// awaited before the next call) are written in that order.
    fn enqueue(
        &self,
        batch: Vec<SeriesPoints>,
        wait: Wait,
    ) -> BoxFuture<'static, Result<Durable, IngestError>>;

    /// Queues `batch`, waiting for room as `wait` allows; resolves `Ok` once it is durable.
    fn submit(
        &self,
        batch: Vec<SeriesPoints>,
        wait: Wait,
    ) -> BoxFuture<'static, Result<(), IngestError>> {
        let queued = self.enqueue(batch, wait);
        Box::pin(async move { queued.await?.await })
    }

    /// Points queued or being written now.
    fn queued_points(&self) -> usize {
        0
    }

    /// Whether the queue is saturated: its point or memory budget is used up, or a sender
    /// is waiting.
    fn saturated(&self) -> bool {
        false
    }
}

/// One submission counted in the `ingest_queue_depth` metric while it lives.
struct QueueDepth;

impl QueueDepth {
    fn enter() -> Self {
        let depth = &crate::metrics::metrics().ingest_queue_depth;
        depth.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        QueueDepth
    }
}

impl Drop for QueueDepth {
    fn drop(&mut self) {
        let depth = &crate::metrics::metrics().ingest_queue_depth;
        depth.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

struct Job {
    batch: Vec<SeriesPoints>,
    done: oneshot::Sender<Result<(), IngestError>>,
}

/// The queue and its writer thread.
pub struct IngestCore {
    tx: Mutex<Option<mpsc::Sender<Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    /// One permit per point queued or being written.
    room: Arc<Semaphore>,
    max_points: usize,
    /// One permit per KiB those submissions hold (estimated): bounds the queue's memory, which
    /// per point differs twentyfold between one-point series and long ones.
    memory: Arc<Semaphore>,
    max_kib: usize,
    /// Submissions waiting for room right now.
    waiting: Arc<std::sync::atomic::AtomicUsize>,
}

impl IngestCore {
    /// Starts the writer thread over `datastore`.
    pub fn start(datastore: DatastoreRef, opts: &IngestOptions) -> Arc<IngestCore> {
        let (tx, rx) = mpsc::channel(opts.queue_depth.max(1));
        let batch_size = opts.batch_size.max(1);
        let writer = std::thread::Builder::new()
            .name("ingest-writer".into())
            .spawn(move || write_loop(rx, datastore, batch_size))
            .ok();
        let max_points = opts.max_queued_points.clamp(1, Semaphore::MAX_PERMITS);
        let max_kib = opts.max_queued_kib();
        Arc::new(IngestCore {
            tx: Mutex::new(Some(tx)),
            writer: Mutex::new(writer),
            room: Arc::new(Semaphore::new(max_points)),
            max_points,
            memory: Arc::new(Semaphore::new(max_kib)),
            max_kib,
            waiting: Arc::default(),
        })
    }

    /// Stops accepting, writes everything already queued, and waits for the writer.
    pub fn shutdown(&self) {
        self.tx.lock().take();
        if let Some(h) = self.writer.lock().take() {
            let _ = h.join();
        }
    }
}

impl Ingest for IngestCore {
    fn enqueue(
        &self,
        batch: Vec<SeriesPoints>,
        wait: Wait,
    ) -> BoxFuture<'static, Result<Durable, IngestError>> {
        let tx = self.tx.lock().clone();
        let (room, memory) = (self.room.clone(), self.memory.clone());
        let waiting = self.waiting.clone();
        // A batch larger than a whole budget still goes through, alone.
        let points = batch
            .iter()
            .map(|s| s.points.len())
            .sum::<usize>()
            .clamp(1, self.max_points) as u32;
        let kib = batch
            .iter()
            .map(SeriesPoints::memory_bytes)
            .sum::<usize>()
            .div_ceil(1024)
            .clamp(1, self.max_kib)
            .min(u32::MAX as usize) as u32;
        Box::pin(async move {
            let tx = tx.ok_or(IngestError::Closed)?;
            let held_back = room.available_permits() < points as usize
                || memory.available_permits() < kib as usize;
            let waiter = WaitGuard::enter(&waiting, held_back);
            // Points first, then memory, in every submission: no two wait on each other.
            let acquire = async {
                let p = room.acquire_many_owned(points).await;
                let m = memory.acquire_many_owned(kib).await;
                match (p, m) {
                    (Ok(p), Ok(m)) => Ok((p, m)),
                    _ => Err(IngestError::Closed),
                }
            };
            let permit = match wait {
                Wait::Forever => acquire.await?,
                Wait::AtMost(d) => match tokio::time::timeout(d, acquire).await {
                    Ok(p) => p?,
                    Err(_) => return Err(IngestError::Busy),
                },
            };
            drop(waiter);
            let (done, wait) = oneshot::channel();
            let depth = QueueDepth::enter();
            tx.send(Job { batch, done })
                .await
                .map_err(|_| IngestError::Closed)?;
            let durable: Durable = Box::pin(async move {
                // The room and the depth are given back once the batch is written.
                let _held = (permit, depth);
                wait.await.map_err(|_| IngestError::Closed).and_then(|r| r)
            });
            Ok(durable)
        })
    }

    fn queued_points(&self) -> usize {
        self.max_points
            .saturating_sub(self.room.available_permits())
    }

    fn saturated(&self) -> bool {
        self.room.available_permits() == 0
            || self.memory.available_permits() == 0
            || self.waiting.load(std::sync::atomic::Ordering::Relaxed) > 0
    }
}

/// Counts a submission as waiting for room while it is held back.
struct WaitGuard(Option<Arc<std::sync::atomic::AtomicUsize>>);

impl WaitGuard {
    fn enter(waiting: &Arc<std::sync::atomic::AtomicUsize>, held_back: bool) -> WaitGuard {
        if !held_back {
            return WaitGuard(None);
        }
        waiting.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        WaitGuard(Some(waiting.clone()))
    }
}

impl Drop for WaitGuard {
    fn drop(&mut self) {
        if let Some(w) = &self.0 {
            w.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

fn write_loop(mut rx: mpsc::Receiver<Job>, datastore: DatastoreRef, batch_size: usize) {
    let mut jobs: Vec<(usize, oneshot::Sender<Result<(), IngestError>>)> = Vec::new();
    let mut series: Vec<SeriesPoints> = Vec::new();
    while let Some(first) = rx.blocking_recv() {
        let mut points = 0;
        let mut next = Some(first);
        while let Some(job) = next.take() {
            points += job.batch.iter().map(|s| s.points.len()).sum::<usize>();
            series.extend(job.batch);
            jobs.push((series.len(), job.done));
            if points < batch_size {
                next = rx.try_recv().ok();
            }
        }
        let started = std::time::Instant::now();
        match write(&datastore, &series, points) {
            Ok(()) => {
                for (_, done) in jobs.drain(..) {
                    let _ = done.send(Ok(()));
                }
            }
            // One bad submission must not fail the others written with it: retry one by one.
            Err(e) if jobs.len() == 1 => {
                for (_, done) in jobs.drain(..) {
                    let _ = done.send(Err(e.clone()));
                }
            }
            Err(_) => {
                let mut from = 0;
                for (to, done) in jobs.drain(..) {
                    let part = &series[from..to];
                    let n = part.iter().map(|s| s.points.len()).sum();
                    let _ = done.send(write(&datastore, part, n));
                    from = to;
                }
            }
        }
        tracing::trace!(
            points,
            elapsed_us = started.elapsed().as_micros() as u64,
            "batch written"
        );
        series.clear();
    }
}

fn write(
    datastore: &DatastoreRef,
    series: &[SeriesPoints],
    points: usize,
) -> Result<(), IngestError> {
    let m = crate::metrics::metrics();
    let started = std::time::Instant::now();
    let result = datastore.write(series).map_err(|e: DatastoreError| {
        tracing::error!(error = %e, points, "datastore write failed");
        m.datastore_errors
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        IngestError::Datastore(e.to_string())
    });
    if result.is_ok() {
        crate::reporter::counters::counters().stored(series);
        m.ingest_batch_latency.observe(started.elapsed());
        m.ingest_batches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        m.ingest_points
            .fetch_add(points as u64, std::sync::atomic::Ordering::Relaxed);
    }
    result
}

/// Lets processors that write points (`save_as`) store them through the ingest core, from the
/// query's blocking thread; each write waits until the points are durable.
pub struct IngestSink {
    ingest: IngestRef,
    runtime: tokio::runtime::Handle,
}

impl IngestSink {
    /// A sink over `ingest`, blocking on `runtime` (call from a runtime context).
    pub fn new(ingest: IngestRef, runtime: tokio::runtime::Handle) -> Self {
        IngestSink { ingest, runtime }
    }
}

impl plugin_api::PointSink for IngestSink {
    fn write(
        &self,
        metric: &str,
        tags: &[(String, String)],
        ttl: i64,
        points: &[plugin_api::DataPoint],
    ) -> Result<(), String> {
        let mut tags = tags.to_vec();
        SeriesPoints::sort_tags(&mut tags);
        let series = SeriesPoints {
            metric: metric.to_string(),
            tags,
            ttl,
            points: points.to_vec(),
        };
        self.runtime
            .block_on(self.ingest.submit(vec![series], Wait::Forever))
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests;
