//! The rows of one metric with an inverted index of their tags, so a query selecting a few
//! series of a large metric finds them without checking every row.
//!
//! Per tag name, rows are grouped by a 64-bit hash of the value; a group lists its row indices
//! in ascending order. A filter takes its most selective condition, joins the groups of its
//! values (or of the values its regex matches), and checks each of these candidates against the
//! whole filter: hash collisions and the other conditions cost a check, never a wrong answer.
//!
//! Rows listed from fjall come in encoded-key order; rows added later go to a tail that
//! [`MetricRows::settle`] merges in, so answers keep the order a fresh listing would have.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::iter::once;

use regex::Regex;

use crate::datastore::row_key::LEGACY_TYPE;
use crate::datastore::{RowKey, TagFilter};

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Appended rows past which a query first merges them into key order (at least this many, or
/// a sixteenth of the sorted rows).
const TAIL_MIN: usize = 1024;

fn value_hash(v: &str) -> u64 {
    foldhash::fast::FixedState::default().hash_one(v)
}

/// Ascending row indices; one row stays inline.
#[derive(Debug)]
enum Postings {
    One(u32),
    Many(Vec<u32>),
}

impl Postings {
    fn push(&mut self, i: u32) {
        match self {
            Postings::One(a) if *a != i => *self = Postings::Many(vec![*a, i]),
            Postings::One(_) => {}
            Postings::Many(v) => {
                if v.last() != Some(&i) {
                    v.push(i)
                }
            }
        }
    }

    fn as_slice(&self) -> &[u32] {
        match self {
            Postings::One(a) => std::slice::from_ref(a),
            Postings::Many(v) => v,
        }
    }
}

/// The groups of one tag name.
#[derive(Default)]
struct TagGroups {
    groups: FastMap<u64, Postings>,
    /// Hashes shared by more than one value (almost always none).
    mixed: Vec<u64>,
}

/// The rows of one metric and their tag index.
pub struct MetricRows {
    rows: Vec<RowKey>,
    /// `rows[..sorted]` are in encoded-key order.
    sorted: usize,
    tags: FastMap<Box<str>, TagGroups>,
}

impl MetricRows {
    /// Indexes `rows`, which must be in encoded-key order (as fjall lists them).
    pub fn new(rows: Vec<RowKey>) -> Self {
        let mut m = MetricRows {
            rows: Vec::with_capacity(rows.len()),
            sorted: 0,
            tags: FastMap::default(),
        };
        for r in rows {
            m.push(r);
        }
        m.sorted = m.rows.len();
        m
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Adds a row that is not listed yet.
    pub fn push(&mut self, row: RowKey) {
        let i = self.rows.len() as u32;
        for (n, v) in &row.tags {
            let tg = match self.tags.get_mut(n.as_str()) {
                Some(tg) => tg,
                None => self.tags.entry(Box::from(n.as_str())).or_default(),
            };
            let h = value_hash(v);
            match tg.groups.get_mut(&h) {
                Some(p) => {
                    let first = &self.rows[p.as_slice()[0] as usize];
                    let same = first.tags.iter().any(|(fn_, fv)| fn_ == n && fv == v);
                    if !same && !tg.mixed.contains(&h) {
                        tg.mixed.push(h);
                    }
                    p.push(i);
                }
                None => {
                    tg.groups.insert(h, Postings::One(i));
                }
            }
        }
        self.rows.push(row);
    }

    /// Whether `row` is among the rows listed in key order (appended rows are not searched).
    pub fn contains_sorted(&self, row: &RowKey) -> bool {
        self.rows[..self.sorted]
            .binary_search_by(|r| cmp_keys(r, row))
            .is_ok()
    }

    /// Whether appended rows are due to be merged into key order.
    pub fn needs_settle(&self) -> bool {
        self.rows.len() - self.sorted > TAIL_MIN.max(self.sorted / 16)
    }

    /// Merges the appended rows into key order, renumbering the index.
    pub fn settle(&mut self) {
        let n = self.rows.len();
        if self.sorted == n {
            return;
        }
        let mut tail: Vec<u32> = (self.sorted as u32..n as u32).collect();
        tail.sort_by(|a, b| cmp_keys(&self.rows[*a as usize], &self.rows[*b as usize]));
        // Old indices in their new order.
        let mut order: Vec<u32> = Vec::with_capacity(n);
        let mut from = 0usize;
        for t in tail {
            let row = &self.rows[t as usize];
            let at = from
                + self.rows[from..self.sorted]
                    .partition_point(|r| cmp_keys(r, row) == Ordering::Less);
            order.extend(from as u32..at as u32);
            order.push(t);
            from = at;
        }
        order.extend(from as u32..self.sorted as u32);
        let mut new_of = vec![0u32; n];
        for (new, &old) in order.iter().enumerate() {
            new_of[old as usize] = new as u32;
        }
        let mut old: Vec<Option<RowKey>> = std::mem::take(&mut self.rows)
            .into_iter()
            .map(Some)
            .collect();
        self.rows = order
            .iter()
            .filter_map(|&o| old[o as usize].take())
            .collect();
        for tg in self.tags.values_mut() {
            for p in tg.groups.values_mut() {
                match p {
                    Postings::One(a) => *a = new_of[*a as usize],
                    Postings::Many(v) => {
                        for a in v.iter_mut() {
                            *a = new_of[*a as usize];
                        }
                        v.sort_unstable();
                    }
                }
            }
        }
        self.sorted = n;
    }

    /// The rows matching `filter` that `keep` accepts, in encoded-key order.
    pub fn find(&self, filter: &TagFilter, keep: impl Fn(&RowKey) -> bool) -> Vec<RowKey> {
        let ok = |i: &u32| {
            let r = &self.rows[*i as usize];
            keep(r) && filter.matches(&r.tags)
        };
        let hits: Vec<u32> = match self.candidates(filter) {
            None => (0..self.rows.len() as u32).filter(ok).collect(),
            Some(c) => c.into_iter().filter(ok).collect(),
        };
        self.in_key_order(&hits)
    }

    /// Ascending indices of a superset of the rows matching `filter` (none: every row).
    fn candidates(&self, filter: &TagFilter) -> Option<Vec<u32>> {
        // (cost, groups, name, values, regex) of the cheapest condition.
        type Pick<'a> = (
            usize,
            &'a TagGroups,
            &'a str,
            &'a [String],
            Option<&'a Regex>,
        );
        let mut best: Option<Pick> = None;
        for (name, values, regex) in filter.conditions() {
            let Some(tg) = self.tags.get(name) else {
                // No row has the tag: none matches.
                return Some(Vec::new());
            };
            let cost = match regex {
                // A regex is tried on every value of the tag and may match them all.
                Some(_) => usize::MAX / 2 + tg.groups.len(),
                None => values
                    .iter()
                    .filter_map(|v| tg.groups.get(&value_hash(v)))
                    .map(|p| p.as_slice().len())
                    .sum(),
            };
            if best.as_ref().is_none_or(|b| cost < b.0) {
                best = Some((cost, tg, name, values, regex));
            }
        }
        let (_, tg, name, values, regex) = best?;
        let mut out: Vec<u32> = Vec::new();
        for v in values {
            if let Some(p) = tg.groups.get(&value_hash(v)) {
                out.extend_from_slice(p.as_slice());
            }
        }
        if let Some(re) = regex {
            for (h, p) in &tg.groups {
                let first = &self.rows[p.as_slice()[0] as usize];
                let value = first
                    .tags
                    .iter()
                    .find(|(n, v)| n == name && value_hash(v) == *h);
                let take = tg.mixed.contains(h) || value.is_none_or(|(_, v)| re.is_match(v));
                if take {
                    out.extend_from_slice(p.as_slice());
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        Some(out)
    }

    /// Clones the rows at ascending indices `hits`, in encoded-key order.
    fn in_key_order(&self, hits: &[u32]) -> Vec<RowKey> {
        let split = hits.partition_point(|&i| (i as usize) < self.sorted);
        let (head, tail) = hits.split_at(split);
        if tail.is_empty() {
            return head
                .iter()
                .map(|&i| self.rows[i as usize].clone())
                .collect();
        }
        let mut tail: Vec<&RowKey> = tail.iter().map(|&i| &self.rows[i as usize]).collect();
        tail.sort_by(|a, b| cmp_keys(a, b));
        let mut out = Vec::with_capacity(hits.len());
        let mut from = 0usize;
        for t in tail {
            let at = from
                + head[from..]
                    .partition_point(|&i| cmp_keys(&self.rows[i as usize], t) == Ordering::Less);
            out.extend(
                head[from..at]
                    .iter()
                    .map(|&i| self.rows[i as usize].clone()),
            );
            out.push(t.clone());
            from = at;
        }
        out.extend(head[from..].iter().map(|&i| self.rows[i as usize].clone()));
        out
    }
}

/// The bytes of `s` escaped as in a row key's tag string.
fn escaped(s: &str, escape: u8) -> impl Iterator<Item = u8> + '_ {
    s.bytes().flat_map(move |b| {
        let e = (b == b':' || b == b'=').then_some(escape);
        e.into_iter().chain(once(b))
    })
}

/// The encoded row key ([`RowKey::encode`]) as an iterator, to compare keys without
/// allocating.
fn key_bytes(r: &RowKey) -> impl Iterator<Item = u8> + '_ {
    let typed = (r.data_type != LEGACY_TYPE).then(|| {
        [0u8, r.data_type.len() as u8]
            .into_iter()
            .chain(r.data_type.bytes())
    });
    r.metric
        .bytes()
        .chain(once(0))
        .chain(r.row_time.to_be_bytes())
        .chain(typed.into_iter().flatten())
        .chain(r.tags.iter().flat_map(|(n, v)| {
            escaped(n, b':')
                .chain(once(b'='))
                .chain(escaped(v, b'='))
                .chain(once(b':'))
        }))
}

/// Compares two rows as their encoded keys compare (the order fjall lists them in).
pub fn cmp_keys(a: &RowKey, b: &RowKey) -> Ordering {
    key_bytes(a).cmp(key_bytes(b))
}

#[cfg(test)]
#[path = "rowindex_tests.rs"]
mod tests;
