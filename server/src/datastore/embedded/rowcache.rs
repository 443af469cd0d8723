//! Decoded row keys per metric, so a query does not decode every row key of its metric again.
//!
//! A metric's entry goes whenever one of its rows is created or deleted. A list read from
//! fjall is only kept if no row changed while it was read (a generation counter tells).

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::datastore::RowKey;

/// Cached rows across all metrics; past this the cache starts over.
const MAX_ROWS: usize = 1_000_000;

#[derive(Default)]
struct Inner {
    generation: u64,
    rows: usize,
    metrics: HashMap<String, Arc<Vec<RowKey>>>,
}

/// The cache.
#[derive(Default)]
pub struct RowCache {
    inner: Mutex<Inner>,
}

impl RowCache {
    /// The cached rows of `metric`, or the generation to pass to [`RowCache::put`].
    pub fn get(&self, metric: &str) -> Result<Arc<Vec<RowKey>>, u64> {
        let inner = self.inner.lock();
        inner.metrics.get(metric).cloned().ok_or(inner.generation)
    }

    /// Keeps the rows of `metric` read since [`RowCache::get`] returned `generation`.
    pub fn put(&self, metric: &str, generation: u64, rows: Arc<Vec<RowKey>>) {
        let mut inner = self.inner.lock();
        if inner.generation != generation || rows.len() > MAX_ROWS {
            return;
        }
        if inner.rows + rows.len() > MAX_ROWS {
            inner.metrics.clear();
            inner.rows = 0;
        }
        inner.rows += rows.len();
        if let Some(old) = inner.metrics.insert(metric.to_string(), rows) {
            inner.rows -= old.len();
        }
    }

    /// Forgets `metric`: one of its rows was created or deleted.
    pub fn invalidate(&self, metric: &str) {
        let mut inner = self.inner.lock();
        inner.generation += 1;
        if let Some(old) = inner.metrics.remove(metric) {
            inner.rows -= old.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_reads_are_not_kept() {
        let c = RowCache::default();
        let g = c.get("m").unwrap_err();
        c.invalidate("m");
        c.put(
            "m",
            g,
            Arc::new(vec![RowKey::new("m", 0, "kairos_long", &[])]),
        );
        assert!(c.get("m").is_err(), "a row changed while the list was read");
        let g = c.get("m").unwrap_err();
        c.put(
            "m",
            g,
            Arc::new(vec![RowKey::new("m", 0, "kairos_long", &[])]),
        );
        assert_eq!(c.get("m").unwrap().len(), 1);
        c.invalidate("m");
        assert!(c.get("m").is_err());
    }
}
