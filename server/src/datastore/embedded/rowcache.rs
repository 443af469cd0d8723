//! Decoded row keys per metric with their tag index ([`MetricRows`]), so a query neither
//! decodes every row key of its metric again nor checks every row against its filter.
//!
//! Rows created while a metric is cached join its entry (through a queue the next query
//! drains); rows created while the metric is being listed from fjall are kept aside and merged
//! when the listing ends, so a list read concurrently with writes misses no row. A delete drops
//! the metric's entry.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use super::rowindex::MetricRows;
use crate::datastore::{RowKey, TagFilter};

/// Cached rows across all metrics; past this the cache starts over.
const MAX_ROWS: usize = 1_000_000;

/// A cached metric.
struct Entry {
    /// Rows created since the last query, in creation order.
    pending: Mutex<Vec<RowKey>>,
    rows: RwLock<MetricRows>,
}

enum Slot {
    /// A query is listing the metric; `added` holds the rows created meanwhile.
    Loading { token: u64, added: Vec<RowKey> },
    /// `rows`: what the entry counts for in [`Inner::rows`].
    Ready { entry: Arc<Entry>, rows: usize },
}

#[derive(Default)]
struct Inner {
    next_token: u64,
    /// Rows in `Ready` entries, pending ones included.
    rows: usize,
    metrics: HashMap<String, Slot>,
}

/// The cache.
#[derive(Default)]
pub struct RowCache {
    inner: Mutex<Inner>,
}

/// Removes a `Loading` slot whose listing failed or panicked.
struct LoadGuard<'a> {
    cache: &'a RowCache,
    metric: &'a str,
    token: u64,
    armed: bool,
}

impl Drop for LoadGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            let mut inner = self.cache.inner.lock();
            if matches!(inner.metrics.get(self.metric),
                Some(Slot::Loading { token, .. }) if *token == self.token)
            {
                inner.metrics.remove(self.metric);
            }
        }
    }
}

impl RowCache {
    /// The rows of `metric` matching `filter` that `keep` accepts, in encoded-key order;
    /// `load` lists every row of the metric, in key order, when the metric is not cached.
    pub fn find<E>(
        &self,
        metric: &str,
        filter: &TagFilter,
        keep: impl Fn(&RowKey) -> bool,
        load: impl FnOnce() -> Result<Vec<RowKey>, E>,
    ) -> Result<Vec<RowKey>, E> {
        let token = {
            let mut inner = self.inner.lock();
            match inner.metrics.get(metric) {
                Some(Slot::Ready { entry, .. }) => {
                    let e = Arc::clone(entry);
                    drop(inner);
                    return Ok(query(&e, filter, keep));
                }
                // Someone else is listing it: this query lists on its own.
                Some(Slot::Loading { .. }) => None,
                None => {
                    inner.next_token += 1;
                    let token = inner.next_token;
                    inner.metrics.insert(
                        metric.to_string(),
                        Slot::Loading {
                            token,
                            added: Vec::new(),
                        },
                    );
                    Some(token)
                }
            }
        };
        let Some(token) = token else {
            let rows = load()?;
            return Ok(scan(rows, filter, keep));
        };
        let mut guard = LoadGuard {
            cache: self,
            metric,
            token,
            armed: true,
        };
        let rows = load()?;
        let Some(added) = self.take_added(metric, token) else {
            // Deleted meanwhile: the listing still answers this query.
            return Ok(scan(rows, filter, keep));
        };
        if rows.len() + added.len() > MAX_ROWS {
            return Ok(scan(rows, filter, keep));
        }
        // Indexed outside the lock: writers creating rows keep going meanwhile.
        let mut entry = MetricRows::new(rows);
        add_unlisted(&mut entry, added);
        let mut inner = self.inner.lock();
        guard.armed = false;
        let Some(Slot::Loading { token: t, added }) = inner.metrics.remove(metric) else {
            return Ok(entry.find(filter, keep));
        };
        if t != token {
            inner
                .metrics
                .insert(metric.to_string(), Slot::Loading { token: t, added });
            return Ok(entry.find(filter, keep));
        }
        add_unlisted(&mut entry, added);
        if inner.rows + entry.len() > MAX_ROWS {
            inner
                .metrics
                .retain(|_, s| matches!(s, Slot::Loading { .. }));
            inner.rows = 0;
        }
        let rows = entry.len();
        inner.rows += rows;
        let e = Arc::new(Entry {
            pending: Mutex::new(Vec::new()),
            rows: RwLock::new(entry),
        });
        let slot = Slot::Ready {
            entry: Arc::clone(&e),
            rows,
        };
        inner.metrics.insert(metric.to_string(), slot);
        drop(inner);
        Ok(query(&e, filter, keep))
    }

    /// The rows created while `metric` was being listed by `token`, so far.
    fn take_added(&self, metric: &str, token: u64) -> Option<Vec<RowKey>> {
        let mut inner = self.inner.lock();
        match inner.metrics.get_mut(metric) {
            Some(Slot::Loading { token: t, added }) if *t == token => Some(std::mem::take(added)),
            _ => None,
        }
    }

    /// Records a row just created (after it is in fjall).
    pub fn added(&self, row: RowKey) {
        let mut guard = self.inner.lock();
        let inner = &mut *guard;
        let over = match inner.metrics.get_mut(row.metric.as_str()) {
            Some(Slot::Loading { added, .. }) => {
                added.push(row);
                return;
            }
            Some(Slot::Ready { entry, rows }) => {
                *rows += 1;
                inner.rows += 1;
                if inner.rows <= MAX_ROWS {
                    entry.pending.lock().push(row);
                    return;
                }
                row.metric
            }
            None => return,
        };
        Self::forget(inner, &over);
    }

    /// Forgets `metric`: some of its rows were deleted.
    pub fn invalidate(&self, metric: &str) {
        let mut inner = self.inner.lock();
        Self::forget(&mut inner, metric);
    }

    fn forget(inner: &mut Inner, metric: &str) {
        if let Some(Slot::Ready { rows, .. }) = inner.metrics.remove(metric) {
            inner.rows -= rows;
        }
    }
}

/// Adds rows created during a listing that the listing did not see.
fn add_unlisted(entry: &mut MetricRows, added: Vec<RowKey>) {
    for r in added {
        if !entry.contains_sorted(&r) {
            entry.push(r);
        }
    }
}

/// Answers a query from a cached entry, first taking in the rows created since the last one.
fn query(e: &Entry, filter: &TagFilter, keep: impl Fn(&RowKey) -> bool) -> Vec<RowKey> {
    let due = !e.pending.lock().is_empty() || e.rows.read().needs_settle();
    if due {
        let mut rows = e.rows.write();
        // Taken under the write lock: a query that finds the queue empty waits for this one.
        for r in std::mem::take(&mut *e.pending.lock()) {
            rows.push(r);
        }
        if rows.needs_settle() {
            rows.settle();
        }
    }
    e.rows.read().find(filter, keep)
}

/// Answers a query from a listing that is not kept.
fn scan(rows: Vec<RowKey>, filter: &TagFilter, keep: impl Fn(&RowKey) -> bool) -> Vec<RowKey> {
    rows.into_iter()
        .filter(|r| keep(r) && filter.matches(&r.tags))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(host: &str) -> RowKey {
        RowKey::new("m", 0, "kairos_long", &[("host".into(), host.into())])
    }

    fn hosts(c: &RowCache, listing: &[&str]) -> Vec<String> {
        let listing: Vec<RowKey> = listing.iter().map(|h| row(h)).collect();
        c.find("m", &TagFilter::all(), |_| true, || Ok::<_, ()>(listing))
            .unwrap()
            .into_iter()
            .map(|r| r.tags[0].1.clone())
            .collect()
    }

    #[test]
    fn rows_created_during_a_listing_are_kept() {
        let c = RowCache::default();
        let got = c
            .find(
                "m",
                &TagFilter::all(),
                |_| true,
                || {
                    // Created during the listing: one seen by it, one not.
                    c.added(row("b"));
                    c.added(row("c"));
                    Ok::<_, ()>(vec![row("a"), row("b")])
                },
            )
            .unwrap();
        assert_eq!(got.len(), 3);
        // Cached now: the listing is not asked again.
        assert_eq!(hosts(&c, &[]), ["a", "b", "c"]);
        c.added(row("0"));
        assert_eq!(hosts(&c, &[]), ["0", "a", "b", "c"], "in key order");
        c.invalidate("m");
        assert_eq!(hosts(&c, &["x"]), ["x"], "a delete drops the entry");
    }

    #[test]
    fn failed_listings_leave_nothing_behind() {
        let c = RowCache::default();
        assert!(c
            .find(
                "m",
                &TagFilter::all(),
                |_| true,
                || Err::<Vec<RowKey>, _>(())
            )
            .is_err());
        assert_eq!(hosts(&c, &["a"]), ["a"]);
        assert_eq!(hosts(&c, &[]), ["a"]);
    }
}
