//! The merge's path for aligned windows, where every row holds the same timestamps (gauges
//! written at the same instants). Timestamp order is then known column by column, and only
//! the values of each timestamp need sorting: a few hundred keys at a time instead of the
//! window's thousands, and mostly in one `u64` each instead of a `u128`.

use plugin_api::DataPoint;

use super::{take_point, value_key, Merger};

impl Merger {
    /// Moves the window (`counts[r]` points of row `r`) to `out` in merge order when every
    /// row has the same strictly increasing timestamps; false, nothing moved, otherwise.
    pub(super) fn take_aligned(&mut self, desc: bool, out: &mut Vec<DataPoint>) -> bool {
        let rows = self.sources.len();
        let n = self.counts[0];
        if rows < 2 || n == 0 || self.counts.iter().any(|&c| c != n) {
            return false;
        }
        let first = &self.sources[0];
        let head = &first.buf[first.pos..first.pos + n];
        let strict = head.windows(2).all(|w| {
            if desc {
                w[0].timestamp > w[1].timestamp
            } else {
                w[0].timestamp < w[1].timestamp
            }
        });
        if !strict {
            return false;
        }
        let same = self.sources[1..].iter().all(|s| {
            s.buf[s.pos..s.pos + n]
                .iter()
                .zip(head)
                .all(|(a, b)| a.timestamp == b.timestamp)
        });
        if !same {
            return false;
        }
        // Ties between equal values keep row order: the row is the key's low part.
        let row_bits = usize::BITS - (rows - 1).leading_zeros();
        let row_mask = (1u64 << row_bits) - 1;
        out.reserve(n * rows);
        for j in 0..n {
            self.values.clear();
            self.values
                .extend((self.sources.iter()).map(|s| value_key(&s.buf[s.pos + j], desc)));
            let (lo, hi) = self
                .values
                .iter()
                .fold((u64::MAX, 0), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            if (hi - lo) >> (64 - row_bits) == 0 {
                self.narrow.clear();
                self.narrow.extend(
                    (self.values.iter().enumerate())
                        .map(|(r, &v)| ((v - lo) << row_bits) | r as u64),
                );
                self.narrow.sort_unstable();
                for &k in &self.narrow {
                    let s = &mut self.sources[(k & row_mask) as usize];
                    out.push(take_point(&mut s.buf[s.pos + j]));
                }
            } else {
                self.packed.clear();
                self.packed.extend(
                    (self.values.iter().enumerate()).map(|(r, &v)| ((v as u128) << 32) | r as u128),
                );
                self.packed.sort_unstable();
                for &k in &self.packed {
                    let s = &mut self.sources[(k as u32) as usize];
                    out.push(take_point(&mut s.buf[s.pos + j]));
                }
            }
        }
        for s in &mut self.sources {
            s.pos += n;
        }
        true
    }
}
