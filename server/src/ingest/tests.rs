//! Ingest core behaviour against a datastore that can be stalled: backpressure, Busy, draining.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use plugin_api::DataPoint;
use protocols::SeriesPoints;

use super::{Ingest, IngestCore, IngestError, Wait};
use crate::config::IngestOptions;
use crate::datastore::{Datastore, DatastoreError, PointReader, ReadRange, RowKey, TagFilter};

/// A datastore whose writes block while the gate is closed, and that counts stored points.
#[derive(Default)]
struct StalledStore {
    open: Mutex<bool>,
    cv: Condvar,
    stored: AtomicUsize,
}

impl StalledStore {
    fn open_gate(&self) {
        *self.open.lock().unwrap() = true;
        self.cv.notify_all();
    }
}

fn unused<T>() -> Result<T, DatastoreError> {
    Err(DatastoreError::Engine("not used in this test".into()))
}

impl Datastore for StalledStore {
    fn write(&self, batch: &[SeriesPoints]) -> Result<(), DatastoreError> {
        let mut open = self.open.lock().unwrap();
        while !*open {
            open = self.cv.wait(open).unwrap();
        }
        self.stored
            .fetch_add(batch.iter().map(|s| s.points.len()).sum(), Ordering::SeqCst);
        Ok(())
    }
    fn metric_names(&self, _: Option<&str>) -> Result<Vec<String>, DatastoreError> {
        unused()
    }
    fn tag_names(&self) -> Result<Vec<String>, DatastoreError> {
        unused()
    }
    fn tag_values(&self) -> Result<Vec<String>, DatastoreError> {
        unused()
    }
    fn find_rows(
        &self,
        _: &str,
        _: i64,
        _: i64,
        _: &TagFilter,
    ) -> Result<Vec<RowKey>, DatastoreError> {
        unused()
    }
    fn count_points(&self, _: &RowKey, _: &ReadRange) -> Result<u64, DatastoreError> {
        unused()
    }
    fn read_points(
        &self,
        _: &RowKey,
        _: &ReadRange,
    ) -> Result<Box<dyn PointReader>, DatastoreError> {
        unused()
    }
    fn delete(&self, _: &str, _: i64, _: i64, _: &TagFilter) -> Result<(), DatastoreError> {
        unused()
    }
    fn check_health(&self) -> Result<(), DatastoreError> {
        Ok(())
    }
    fn close(&self) -> Result<(), DatastoreError> {
        Ok(())
    }
}

/// One series of metric `m`, tag `h=a`, holding `points`.
fn series(points: Vec<DataPoint>) -> Vec<SeriesPoints> {
    vec![SeriesPoints {
        metric: "m".into(),
        tags: vec![("h".into(), "a".into())],
        ttl: 0,
        points,
    }]
}

fn batch(points: usize) -> Vec<SeriesPoints> {
    series((0..points as i64).map(|t| DataPoint::long(t, t)).collect())
}

fn core(store: Arc<StalledStore>) -> Arc<IngestCore> {
    let opts = IngestOptions {
        batch_size: 1000,
        queue_depth: 8,
        max_queued_points: 10,
        max_queued_mb: 1,
        http_wait_ms: 50,
    };
    IngestCore::start(store, &opts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_datastore_makes_bounded_waits_fail_busy() {
    let store = Arc::new(StalledStore::default());
    let ingest = core(store.clone());
    assert!(!ingest.saturated());
    // Fills the whole 10-point budget; the writer blocks on the closed gate.
    let first = tokio::spawn(ingest.submit(batch(10), Wait::Forever));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(ingest.saturated());
    assert_eq!(ingest.queued_points(), 10);
    let r = ingest
        .submit(batch(3), Wait::AtMost(Duration::from_millis(100)))
        .await;
    assert!(matches!(r, Err(IngestError::Busy)), "{r:?}");
    // A waiting submission (telnet) is held back, not refused, and goes through afterwards.
    let waiting = tokio::spawn(ingest.submit(batch(4), Wait::Forever));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!waiting.is_finished());
    store.open_gate();
    assert!(first.await.unwrap().is_ok());
    assert!(waiting.await.unwrap().is_ok());
    assert!(ingest
        .submit(batch(3), Wait::AtMost(Duration::from_millis(500)))
        .await
        .is_ok());
    assert_eq!(store.stored.load(Ordering::SeqCst), 17);
    assert!(!ingest.saturated());
    assert_eq!(ingest.queued_points(), 0);
    ingest.shutdown();
}

/// One point whose text value holds `kib` KiB.
fn heavy(kib: usize) -> Vec<SeriesPoints> {
    series(vec![DataPoint {
        timestamp: 0,
        value: plugin_api::Value::Text("x".repeat(kib * 1024)),
    }])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_budget_holds_back_few_points_that_hold_much() {
    let store = Arc::new(StalledStore::default());
    let ingest = core(store.clone());
    // Two points, well inside the 10-point budget, but 700 KiB of the 1 MiB one.
    let first = tokio::spawn(ingest.submit(heavy(700), Wait::Forever));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(ingest.queued_points(), 1);
    assert!(!ingest.saturated());
    let r = ingest
        .submit(heavy(400), Wait::AtMost(Duration::from_millis(100)))
        .await;
    assert!(matches!(r, Err(IngestError::Busy)), "{r:?}");
    // The refused submission gave back the point it had taken.
    assert_eq!(ingest.queued_points(), 1);
    let waiting = tokio::spawn(ingest.submit(heavy(400), Wait::Forever));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!waiting.is_finished());
    assert!(ingest.saturated());
    store.open_gate();
    assert!(first.await.unwrap().is_ok());
    assert!(waiting.await.unwrap().is_ok());
    // Larger than the whole budget: goes through alone.
    assert!(ingest
        .submit(heavy(2048), Wait::AtMost(Duration::from_millis(500)))
        .await
        .is_ok());
    assert_eq!(store.stored.load(Ordering::SeqCst), 3);
    assert!(!ingest.saturated());
    ingest.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_larger_than_the_budget_still_goes_through_alone() {
    let store = Arc::new(StalledStore::default());
    store.open_gate();
    let ingest = core(store.clone());
    assert!(ingest
        .submit(batch(50), Wait::AtMost(Duration::from_millis(500)))
        .await
        .is_ok());
    assert_eq!(store.stored.load(Ordering::SeqCst), 50);
    ingest.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_drains_what_was_accepted() {
    let store = Arc::new(StalledStore::default());
    let ingest = core(store.clone());
    let pending: Vec<_> = (0..3)
        .map(|_| tokio::spawn(ingest.submit(batch(2), Wait::Forever)))
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    store.open_gate();
    let ing = ingest.clone();
    tokio::task::spawn_blocking(move || ing.shutdown())
        .await
        .unwrap();
    for p in pending {
        assert!(p.await.unwrap().is_ok());
    }
    assert_eq!(store.stored.load(Ordering::SeqCst), 6);
    // After shutdown nothing is accepted.
    assert!(matches!(
        ingest.submit(batch(1), Wait::Forever).await,
        Err(IngestError::Closed)
    ));
}
