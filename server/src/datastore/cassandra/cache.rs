//! Bounded "already written" sets for row keys and (metric, row time) pairs — Java's
//! `DataCache` (spec §4.6), approximated with two generations instead of an exact LRU.

use std::collections::HashSet;
use std::hash::Hash;

/// A set of at most about `capacity` recently used keys.
#[derive(Debug)]
pub struct SeenCache<K> {
    half: usize,
    current: HashSet<K>,
    previous: HashSet<K>,
}

impl<K: Hash + Eq + Clone> SeenCache<K> {
    /// An empty cache holding about `capacity` keys.
    pub fn new(capacity: usize) -> Self {
        SeenCache {
            half: (capacity / 2).max(1),
            current: HashSet::new(),
            previous: HashSet::new(),
        }
    }

    /// Whether `key` is known; a hit refreshes it.
    pub fn contains(&mut self, key: &K) -> bool {
        if self.current.contains(key) {
            return true;
        }
        if self.previous.remove(key) {
            self.insert(key.clone());
            return true;
        }
        false
    }

    /// Remembers `key`; the oldest generation is dropped when the newest is full.
    pub fn insert(&mut self, key: K) {
        if self.current.len() >= self.half {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(key);
    }

    /// Forgets everything (after deletes).
    pub fn clear(&mut self) {
        self.current.clear();
        self.previous.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_refreshing() {
        let mut c = SeenCache::new(4);
        for k in 0..6 {
            c.insert(k);
        }
        assert!(!c.contains(&0) && !c.contains(&1));
        assert!(c.contains(&2) && c.contains(&5));
        c.insert(9);
        assert!(c.contains(&9));
        c.clear();
        assert!(!c.contains(&9));
    }
}
