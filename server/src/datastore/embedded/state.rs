//! In-memory state of the embedded store's write side: row ids, per-row buffers of points not
//! yet in blocks, and what a replay looked up.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::BuildHasher;

use protocols::SeriesPoints;

use super::cells::Cells;
use crate::datastore::value_codec;
use crate::datastore::DatastoreError;

/// Points of one row not yet in blocks.
pub struct RowBuf {
    /// The row's data type (decides how string blocks decode).
    pub data_type: &'static str,
    /// Points in arrival order until [`RowBuf::normalize`].
    pub cells: Cells,
    pub(super) sorted: bool,
    /// Seq of the oldest log record with a point here.
    pub first_seq: u64,
    /// Seq of the newest log record with a point here.
    pub last_seq: u64,
}

impl RowBuf {
    /// Sorts by timestamp, keeping the last written point of each timestamp.
    pub fn normalize(&mut self) {
        if self.sorted {
            return;
        }
        self.cells.normalize();
        self.sorted = true;
    }
}

/// Rows whose ids the write path remembers.
const MAX_IDENTS: usize = 500_000;

/// Fast hash maps for the per-point paths (foldhash: what hashbrown uses by default).
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A row as a batch names it, to find its id without building the encoded key: metric and
/// tags in one allocation (fields end with 0xFF, which UTF-8 never holds), so a lookup costs
/// one or two cache misses.
struct RowIdent {
    names: Box<[u8]>,
    row_time: i64,
    data_type: &'static str,
    id: u64,
}

fn push_names(s: &SeriesPoints, out: &mut Vec<u8>) {
    for f in std::iter::once(s.metric.as_str())
        .chain(s.tags.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()]))
    {
        out.extend_from_slice(f.as_bytes());
        out.push(0xFF);
    }
}

impl RowIdent {
    fn matches(&self, s: &SeriesPoints, row_time: i64, data_type: &str) -> bool {
        if self.row_time != row_time || self.data_type != data_type {
            return false;
        }
        let mut rest = &self.names[..];
        for f in std::iter::once(s.metric.as_str())
            .chain(s.tags.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()]))
        {
            let f = f.as_bytes();
            match rest.get(..f.len() + 1) {
                Some(head) if &head[..f.len()] == f && head[f.len()] == 0xFF => {
                    rest = &rest[f.len() + 1..]
                }
                _ => return false,
            }
        }
        rest.is_empty()
    }
}

/// The last block of a row, as far as flushes know it.
#[derive(Clone, Copy)]
pub struct Tail {
    /// Upper bound of its last timestamp (`i64::MIN`: the row has no block).
    pub last_ts: i64,
    /// Its number of points (0: unknown or no block).
    pub n: usize,
}

/// Mutable state behind the store's lock.
pub struct State {
    /// Row ids by (hash of) metric, tags, row time and type; cleared by deletes.
    idents: FastMap<u64, Vec<RowIdent>>,
    hasher: foldhash::fast::FixedState,
    pub(super) metrics: HashSet<String>,
    pub(super) next_id: u64,
    /// Buffers by row id.
    pub bufs: FastMap<u64, RowBuf>,
    /// (first seq, row id) of every buffer: the oldest go first when the log must shrink.
    pub(super) oldest: BTreeSet<(u64, u64)>,
    /// Upper bound of the last block timestamp per row (absent: not looked up yet).
    pub(super) tails: FastMap<u64, Tail>,
    pub(super) buffered: usize,
    /// Flushed seqs looked up during replay.
    pub(super) replay_flushed: HashMap<u64, u64>,
}

impl State {
    /// State for a store whose next free row id is `next_id`.
    pub fn new(next_id: u64) -> Self {
        State {
            idents: FastMap::default(),
            hasher: foldhash::fast::FixedState::default(),
            metrics: HashSet::new(),
            next_id,
            bufs: FastMap::default(),
            oldest: BTreeSet::new(),
            tails: FastMap::default(),
            buffered: 0,
            replay_flushed: HashMap::new(),
        }
    }

    /// Drops a deleted row.
    pub fn forget_row(&mut self, id: u64) {
        self.idents.clear();
        self.tails.remove(&id);
        if let Some(b) = self.take_buf(id) {
            drop(b);
        }
    }

    /// Removes the buffer of row `id`.
    pub fn take_buf(&mut self, id: u64) -> Option<RowBuf> {
        let b = self.bufs.remove(&id)?;
        self.buffered -= b.cells.len();
        self.oldest.remove(&(b.first_seq, id));
        Some(b)
    }

    /// The buffer of row `id`, created for log record `seq` when missing.
    pub fn buf_for(&mut self, id: u64, seq: u64, data_type: &'static str) -> &mut RowBuf {
        let oldest = &mut self.oldest;
        self.bufs.entry(id).or_insert_with(|| {
            oldest.insert((seq, id));
            RowBuf {
                data_type,
                cells: Cells::default(),
                sorted: true,
                first_seq: seq,
                last_seq: seq,
            }
        })
    }

    /// Seq of the oldest log record a buffer still needs.
    pub fn oldest_seq(&self) -> Option<u64> {
        self.oldest.first().map(|o| o.0)
    }

    /// Drops a deleted metric from the cache.
    pub fn forget_metric(&mut self, metric: &str) {
        self.metrics.remove(metric);
    }

    /// Points currently buffered.
    pub fn buffered(&self) -> usize {
        self.buffered
    }

    /// The hash of a batch's row and, when known, its id.
    pub fn known_row(
        &self,
        series: &SeriesPoints,
        row_time: i64,
        data_type: &'static str,
    ) -> (u64, Option<u64>) {
        let h = self
            .hasher
            .hash_one((&series.metric, &series.tags, row_time, data_type));
        let id = self.idents.get(&h).and_then(|v| {
            v.iter()
                .find(|r| r.matches(series, row_time, data_type))
                .map(|r| r.id)
        });
        (h, id)
    }

    /// Remembers the id of a batch's row (`h` from [`State::known_row`]).
    pub fn remember_row(
        &mut self,
        h: u64,
        series: &SeriesPoints,
        row_time: i64,
        data_type: &'static str,
        id: u64,
    ) {
        if self.idents.len() >= MAX_IDENTS {
            // A cache: rows missing from it are found through their encoded key.
            self.idents.clear();
        }
        let mut names = Vec::new();
        push_names(series, &mut names);
        self.idents.entry(h).or_default().push(RowIdent {
            names: names.into_boxed_slice(),
            row_time,
            data_type,
            id,
        });
    }

    /// Replay is over: forgets what it looked up.
    pub fn end_replay(&mut self) {
        self.replay_flushed = HashMap::new();
    }
}

/// Rejects a batch that cannot be stored, before anything of it is logged.
pub fn validate(batch: &[SeriesPoints]) -> Result<(), DatastoreError> {
    let mut scratch = Vec::new();
    for s in batch {
        if s.metric.contains('\0') {
            return Err(DatastoreError::Rejected(format!(
                "cannot store metric {:?}: the name contains NUL",
                s.metric
            )));
        }
        for p in &s.points {
            if let plugin_api::Value::Text(t) = &p.value {
                // Strings longer than 65535 encoded bytes cannot be stored (Java writeUTF).
                if t.len() > 21_845 {
                    scratch.clear();
                    value_codec::encode(&p.value, &mut scratch)
                        .map_err(|e| DatastoreError::Rejected(e.to_string()))?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use plugin_api::{DataPoint, Value};

    use super::*;

    fn s(metric: &str, tags: &[(&str, &str)]) -> SeriesPoints {
        SeriesPoints {
            metric: metric.into(),
            tags: tags
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            ttl: 0,
            points: vec![],
        }
    }

    #[test]
    fn row_identity_is_exact() {
        let mut st = State::new(1);
        let a = s("ab", &[("c", "d")]);
        let (h, none) = st.known_row(&a, 0, "kairos_long");
        assert_eq!(none, None);
        st.remember_row(h, &a, 0, "kairos_long", 7);
        assert_eq!(st.known_row(&a, 0, "kairos_long").1, Some(7));
        // Same bytes, other boundaries; other row time or type: other rows.
        for (other, rt, t) in [
            (s("a", &[("bc", "d")]), 0, "kairos_long"),
            (s("ab", &[("c", "d"), ("e", "f")]), 0, "kairos_long"),
            (s("ab", &[("c", "d")]), 1, "kairos_long"),
            (s("ab", &[("c", "d")]), 0, "kairos_double"),
        ] {
            let (h2, id) = st.known_row(&other, rt, t);
            assert_eq!(id, None);
            // Even under a colliding hash the names decide.
            st.idents.entry(h2).or_default();
            let stored = st.idents.remove(&h).unwrap();
            st.idents.insert(h2, stored);
            assert_eq!(st.known_row(&other, rt, t).1, None);
            let back = st.idents.remove(&h2).unwrap();
            st.idents.insert(h, back);
        }
    }

    #[test]
    fn normalize_sorts_and_keeps_the_last_write() {
        let mut b = RowBuf {
            data_type: "kairos_long",
            cells: Cells::default(),
            sorted: false,
            first_seq: 1,
            last_seq: 1,
        };
        for (ts, v) in [(3, 1), (1, 2), (3, 3), (2, 4), (1, 5)] {
            b.cells
                .push(ts, &Value::Long(v), super::super::block::NEVER);
        }
        b.normalize();
        let got: Vec<DataPoint> = b
            .cells
            .into_cells()
            .into_iter()
            .map(|c| DataPoint {
                timestamp: c.ts,
                value: c.value,
            })
            .collect();
        assert_eq!(
            got,
            vec![
                DataPoint::long(1, 5),
                DataPoint::long(2, 4),
                DataPoint::long(3, 3)
            ]
        );
    }
}
