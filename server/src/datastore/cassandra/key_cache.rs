//! Row keys read from `row_keys`, reused by data queries while their partition's static
//! `mtime` stays the same. Every row-key insert (Java's and ours, `ROW_KEY_INSERT`; Java:
//! DS/cassandra/ClusterConnection.java) sets `mtime = now()`, so a row added by any node
//! changes it, and one `SELECT DISTINCT mtime` replaces reading the partition's thousands of
//! keys again. A partition without `mtime` (written by something else) is never cached.
//!
//! What a stale entry could still hold, and why data queries may use it:
//! - a row another node deleted whole: its data went with it, so reading it yields no point
//!   and the engine drops rows without points (metadata calls and deletes read afresh);
//! - a row whose key expired by TTL: each key keeps its expiry from `TTL(value)` when known;
//! - a row inserted with a write timestamp older than the current `mtime`'s (clock skew
//!   between writers): missed until the entry's age passes `read_row_key_cache_seconds`.
//!
//! Deletes through this node forget the metric's entries at once.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use scylla::value::CqlTimeuuid;

use crate::datastore::RowKey;

/// Row keys held across all entries; the least recently used entries go first past it.
pub const CAPACITY: usize = 200_000;

/// One cached row key and when it expires, if its TTL was known.
#[derive(Clone, Debug)]
pub struct CachedKey {
    /// The row key.
    pub row: RowKey,
    /// Expiry of its `row_keys` entry.
    pub expires: Option<Instant>,
}

impl CachedKey {
    /// Whether the entry still lives at `now`.
    pub fn alive(&self, now: Instant) -> bool {
        self.expires.is_none_or(|e| e > now)
    }
}

/// The keys of one `row_keys` partition as of one `mtime`.
struct Entry {
    mtime: Option<CqlTimeuuid>,
    keys: Arc<Vec<CachedKey>>,
    fetched: Instant,
    used: u64,
}

/// Cached `row_keys` partitions, by metric and row time.
pub struct KeyCache {
    entries: HashMap<String, BTreeMap<i64, Entry>>,
    held: usize,
    tick: u64,
    max_age: Duration,
    capacity: usize,
}

impl KeyCache {
    /// An empty cache whose entries serve for at most `max_age` (zero: never).
    pub fn new(max_age: Duration, capacity: usize) -> Self {
        KeyCache {
            entries: HashMap::new(),
            held: 0,
            tick: 0,
            max_age,
            capacity,
        }
    }

    /// Whether the cache serves at all.
    pub fn enabled(&self) -> bool {
        !self.max_age.is_zero()
    }

    /// The keys of (`metric`, `row_time`) if they were read under `mtime` less than the
    /// maximum age before `now`.
    pub fn get(
        &mut self,
        metric: &str,
        row_time: i64,
        mtime: Option<CqlTimeuuid>,
        now: Instant,
    ) -> Option<Arc<Vec<CachedKey>>> {
        self.tick += 1;
        // Without `mtime` a new key would go unnoticed.
        mtime?;
        let e = self.entries.get_mut(metric)?.get_mut(&row_time)?;
        if e.mtime != mtime || now.saturating_duration_since(e.fetched) >= self.max_age {
            return None;
        }
        e.used = self.tick;
        Some(e.keys.clone())
    }

    /// Remembers the keys of (`metric`, `row_time`) read after `mtime` was seen at `fetched`.
    pub fn put(
        &mut self,
        metric: &str,
        row_time: i64,
        mtime: Option<CqlTimeuuid>,
        keys: Arc<Vec<CachedKey>>,
        fetched: Instant,
    ) {
        if !self.enabled() || mtime.is_none() || keys.len() > self.capacity {
            return;
        }
        self.tick += 1;
        self.held += keys.len();
        let entry = Entry {
            mtime,
            keys,
            fetched,
            used: self.tick,
        };
        let times = match self.entries.get_mut(metric) {
            Some(t) => t,
            None => self.entries.entry(metric.to_string()).or_default(),
        };
        if let Some(old) = times.insert(row_time, entry) {
            self.held -= old.keys.len();
        }
        if self.held > self.capacity {
            self.evict();
        }
    }

    /// Drops every entry of `metric` (after a delete through this node).
    pub fn forget_metric(&mut self, metric: &str) {
        if let Some(times) = self.entries.remove(metric) {
            self.held -= times.values().map(|e| e.keys.len()).sum::<usize>();
        }
    }

    /// Entries of `metric` with row times in `[from, to]` young enough at `now` to serve if
    /// their `mtime` is unchanged: it can be checked while the time index is still being read,
    /// and their rows read meanwhile.
    pub fn young(
        &self,
        metric: &str,
        from: i64,
        to: i64,
        now: Instant,
    ) -> Vec<(i64, Arc<Vec<CachedKey>>)> {
        match self.entries.get(metric) {
            Some(times) if from <= to => times
                .range(from..=to)
                .filter(|(_, e)| now.saturating_duration_since(e.fetched) < self.max_age)
                .map(|(rt, e)| (*rt, e.keys.clone()))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Drops the least recently used entries until a quarter of the capacity is free.
    fn evict(&mut self) {
        let mut by_use: Vec<(u64, String, i64)> = self
            .entries
            .iter()
            .flat_map(|(m, times)| times.iter().map(|(rt, e)| (e.used, m.clone(), *rt)))
            .collect();
        by_use.sort_unstable_by_key(|(used, _, _)| *used);
        let target = self.capacity - self.capacity / 4;
        for (_, metric, rt) in by_use {
            if self.held <= target {
                break;
            }
            if let Some(times) = self.entries.get_mut(&metric) {
                if let Some(e) = times.remove(&rt) {
                    self.held -= e.keys.len();
                }
                if times.is_empty() {
                    self.entries.remove(&metric);
                }
            }
        }
    }

    /// Row keys held.
    #[cfg(test)]
    fn held(&self) -> usize {
        self.held
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(metric: &str, row_time: i64, n: usize) -> Arc<Vec<CachedKey>> {
        Arc::new(
            (0..n)
                .map(|i| CachedKey {
                    row: RowKey::new(
                        metric,
                        row_time,
                        "kairos_long",
                        &[("host".to_string(), format!("h{i}"))],
                    ),
                    expires: None,
                })
                .collect(),
        )
    }

    fn uuid(n: u8) -> Option<CqlTimeuuid> {
        Some(CqlTimeuuid::from_bytes([n; 16]))
    }

    #[test]
    fn serves_only_the_same_mtime_within_the_age() {
        let t0 = Instant::now();
        let mut c = KeyCache::new(Duration::from_secs(10), 100);
        c.put("m", 0, uuid(1), keys("m", 0, 3), t0);
        assert_eq!(c.get("m", 0, uuid(1), t0).map(|k| k.len()), Some(3));
        assert!(
            c.get("m", 0, uuid(2), t0).is_none(),
            "a new row key changed mtime"
        );
        assert!(c.get("m", 0, None, t0).is_none());
        assert!(c.get("m", 1, uuid(1), t0).is_none(), "another row time");
        assert!(c.get("n", 0, uuid(1), t0).is_none(), "another metric");
        let late = t0 + Duration::from_secs(10);
        assert!(c.get("m", 0, uuid(1), late).is_none(), "too old");
    }

    #[test]
    fn partitions_without_mtime_are_not_cached() {
        let t0 = Instant::now();
        let mut c = KeyCache::new(Duration::from_secs(10), 100);
        c.put("m", 0, None, keys("m", 0, 3), t0);
        assert!(c.get("m", 0, None, t0).is_none());
        assert_eq!(c.held(), 0);
    }

    #[test]
    fn zero_age_caches_nothing() {
        let t0 = Instant::now();
        let mut c = KeyCache::new(Duration::ZERO, 100);
        assert!(!c.enabled());
        c.put("m", 0, uuid(1), keys("m", 0, 3), t0);
        assert!(c.get("m", 0, uuid(1), t0).is_none());
        assert_eq!(c.held(), 0);
    }

    #[test]
    fn replacing_and_forgetting_keep_the_count() {
        let t0 = Instant::now();
        let mut c = KeyCache::new(Duration::from_secs(10), 100);
        c.put("m", 0, uuid(1), keys("m", 0, 3), t0);
        c.put("m", 0, uuid(2), keys("m", 0, 5), t0);
        c.put("m", 1, uuid(2), keys("m", 1, 4), t0);
        c.put("n", 0, uuid(2), keys("n", 0, 7), t0);
        assert_eq!(c.held(), 16);
        c.forget_metric("m");
        assert_eq!(c.held(), 7);
        assert!(c.get("m", 1, uuid(2), t0).is_none());
        assert!(c.get("n", 0, uuid(2), t0).is_some());
    }

    #[test]
    fn evicts_the_least_recently_used_past_capacity() {
        let t0 = Instant::now();
        let mut c = KeyCache::new(Duration::from_secs(10), 100);
        for rt in 0..4 {
            c.put("m", rt, uuid(1), keys("m", rt, 30), t0);
            // Row time 0 stays in use.
            assert!(c.get("m", 0, uuid(1), t0).is_some());
        }
        assert!(c.held() <= 75, "held {}", c.held());
        assert!(c.get("m", 0, uuid(1), t0).is_some(), "recently used kept");
        assert!(c.get("m", 1, uuid(1), t0).is_none(), "oldest use dropped");
        assert!(c.get("m", 3, uuid(1), t0).is_some(), "newest kept");
        // One partition larger than the whole cache is not kept.
        c.put("big", 0, uuid(1), keys("big", 0, 101), t0);
        assert!(c.get("big", 0, uuid(1), t0).is_none());
    }

    #[test]
    fn young_lists_entries_in_range_with_their_keys() {
        let t0 = Instant::now();
        let mut c = KeyCache::new(Duration::from_secs(10), 100);
        for rt in [0, 10, 20] {
            c.put("m", rt, uuid(1), keys("m", rt, 1), t0);
        }
        c.put(
            "m",
            30,
            uuid(1),
            keys("m", 30, 1),
            t0 + Duration::from_secs(5),
        );
        c.put("n", 10, uuid(1), keys("n", 10, 1), t0);
        let times = |from, to, now| -> Vec<i64> {
            c.young("m", from, to, now)
                .iter()
                .map(|(rt, _)| *rt)
                .collect()
        };
        assert_eq!(times(5, 30, t0), vec![10, 20, 30]);
        assert_eq!(times(0, 0, t0), vec![0]);
        assert_eq!(times(30, 0, t0), Vec::<i64>::new());
        let later = t0 + Duration::from_secs(12);
        assert_eq!(times(0, 30, later), vec![30]);
        assert!(c.young("x", 0, 30, t0).is_empty());
        let (rt, keys) = &c.young("m", 20, 20, t0)[0];
        assert_eq!((*rt, keys[0].row.row_time), (20, 20));
    }

    #[test]
    fn expired_keys_are_not_alive() {
        let now = Instant::now();
        let mut k = keys("m", 0, 1)[0].clone();
        assert!(k.alive(now));
        k.expires = Some(now);
        assert!(!k.alive(now));
        k.expires = Some(now + Duration::from_secs(1));
        assert!(k.alive(now));
    }
}
