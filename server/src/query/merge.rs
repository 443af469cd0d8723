//! K-way merge of a group's rows by (timestamp, value as double), smallest head first for
//! ascending order and largest for descending (DS/SortingDataPointGroup.java); no de-duplication.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use plugin_api::{DataPoint, Order};

use crate::datastore::{DatastoreError, PointReader};

/// Merged points of several rows.
pub struct Merger {
    sources: Vec<Source>,
    heap: BinaryHeap<Head>,
    order: Order,
    primed: bool,
}

struct Source {
    reader: Box<dyn PointReader>,
    buf: Vec<DataPoint>,
    pos: usize,
}

struct Head {
    ts: i64,
    value: f64,
    source: usize,
    desc: bool,
}

impl Head {
    fn key_cmp(&self, other: &Self) -> Ordering {
        self.ts
            .cmp(&other.ts)
            .then(self.value.total_cmp(&other.value))
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Head {}
impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Head {
    // BinaryHeap pops the greatest: invert for ascending order; lower source index wins ties.
    fn cmp(&self, other: &Self) -> Ordering {
        let k = self.key_cmp(other);
        let k = if self.desc { k } else { k.reverse() };
        k.then(other.source.cmp(&self.source))
    }
}

impl Source {
    /// Ensures a current point is buffered; false when the row is exhausted.
    fn fill(&mut self) -> Result<bool, DatastoreError> {
        if self.pos < self.buf.len() {
            return Ok(true);
        }
        self.buf.clear();
        self.pos = 0;
        while self.buf.is_empty() {
            if !self.reader.next_batch(&mut self.buf)? {
                return Ok(!self.buf.is_empty());
            }
        }
        Ok(true)
    }
}

impl Merger {
    /// Merges `readers` in `order`.
    pub fn new(readers: Vec<Box<dyn PointReader>>, order: Order) -> Self {
        let sources = readers
            .into_iter()
            .map(|reader| Source {
                reader,
                buf: Vec::new(),
                pos: 0,
            })
            .collect();
        Merger {
            sources,
            heap: BinaryHeap::new(),
            order,
            primed: false,
        }
    }

    fn head(&self, i: usize) -> Head {
        let p = &self.sources[i].buf[self.sources[i].pos];
        Head {
            ts: p.timestamp,
            value: p.value.as_f64(),
            source: i,
            desc: self.order == Order::Desc,
        }
    }

    /// Appends up to `max` merged points to `out`; returns false once everything was read.
    pub fn next_batch(
        &mut self,
        out: &mut Vec<DataPoint>,
        max: usize,
    ) -> Result<bool, DatastoreError> {
        if self.sources.len() == 1 {
            // One row: batches pass straight through.
            let src = &mut self.sources[0];
            if !src.fill()? {
                return Ok(false);
            }
            out.extend(src.buf.drain(src.pos..));
            src.pos = 0;
            return Ok(true);
        }
        if !self.primed {
            self.primed = true;
            for i in 0..self.sources.len() {
                if self.sources[i].fill()? {
                    let h = self.head(i);
                    self.heap.push(h);
                }
            }
        }
        let mut n = 0;
        while n < max {
            let Some(top) = self.heap.pop() else { break };
            let src = &mut self.sources[top.source];
            let p = std::mem::replace(
                &mut src.buf[src.pos],
                DataPoint {
                    timestamp: 0,
                    value: plugin_api::Value::Null,
                },
            );
            src.pos += 1;
            out.push(p);
            n += 1;
            if src.fill()? {
                let h = self.head(top.source);
                self.heap.push(h);
            }
        }
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct VecReader(Vec<DataPoint>, usize);
    impl PointReader for VecReader {
        fn next_batch(&mut self, out: &mut Vec<DataPoint>) -> Result<bool, DatastoreError> {
            let start = self.1;
            let end = (start + 2).min(self.0.len());
            out.extend_from_slice(&self.0[start..end]);
            self.1 = end;
            Ok(end > start)
        }
    }

    fn longs(pts: &[(i64, i64)]) -> Box<dyn PointReader> {
        Box::new(VecReader(
            pts.iter().map(|(t, v)| DataPoint::long(*t, *v)).collect(),
            0,
        ))
    }

    fn run(m: &mut Merger) -> Vec<(i64, f64)> {
        let mut out = Vec::new();
        while m.next_batch(&mut out, 3).unwrap() {}
        out.iter()
            .map(|p| (p.timestamp, p.value.as_f64()))
            .collect()
    }

    #[test]
    fn ascending_merge_orders_ties_by_value() {
        // TEST/core/datastore/KairosDatastoreTest.java test_query_noAggregator shape
        let mut m = Merger::new(
            vec![
                longs(&[(1, 20), (2, 5), (3, 9)]),
                longs(&[(1, 3), (1, 5), (3, 1), (4, 4)]),
            ],
            Order::Asc,
        );
        assert_eq!(
            run(&mut m),
            vec![
                (1, 3.0),
                (1, 5.0),
                (1, 20.0),
                (2, 5.0),
                (3, 1.0),
                (3, 9.0),
                (4, 4.0)
            ]
        );
    }

    #[test]
    fn descending_merge_takes_largest_head() {
        let mut m = Merger::new(
            vec![longs(&[(3, 1), (1, 7)]), longs(&[(3, 2), (2, 2)])],
            Order::Desc,
        );
        assert_eq!(run(&mut m), vec![(3, 2.0), (3, 1.0), (2, 2.0), (1, 7.0)]);
    }

    #[test]
    fn empty_and_single_sources() {
        let mut m = Merger::new(vec![], Order::Asc);
        assert!(run(&mut m).is_empty());
        let mut m = Merger::new(vec![longs(&[(1, 1), (2, 2), (3, 3)])], Order::Asc);
        assert_eq!(run(&mut m).len(), 3);
    }
}
