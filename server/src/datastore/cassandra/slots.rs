//! Read slots shared fairly among queries: `simultaneous_cql_queries` pages in flight per
//! store, and when a slot frees it goes to the waiting query holding the fewest, so a small
//! query waits behind at most one page of a large one instead of behind its whole read-ahead.
//! (Java's `simultaneous_cql_queries` is one FIFO semaphore; any order is compatible.)
//!
//! Each query also holds at most its own cap of slots (`query_reads_per_node` times the nodes
//! the driver knows). A read waits in Cassandra's queue behind every read in flight, so on a
//! small cluster one large query with all 20 slots adds its whole read-ahead to a small
//! query's latency; with the cap, the small query waits behind a few pages at most.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::oneshot;

/// Page-read slots of one store.
pub struct FairSlots {
    state: Mutex<State>,
}

struct State {
    free: usize,
    /// Slots held, by query.
    held: HashMap<u64, usize>,
    /// Waiters by query, in arrival order, with the query's cap; queries in the order they
    /// first waited.
    waiting: Vec<Waiting>,
}

/// The waiters of one query.
struct Waiting {
    query: u64,
    /// Slots the query may hold at once (as of its latest request).
    cap: usize,
    queue: VecDeque<oneshot::Sender<Slot>>,
}

impl State {
    fn hold(&mut self, query: u64) {
        *self.held.entry(query).or_default() += 1;
    }

    fn held_by(&self, query: u64) -> usize {
        self.held.get(&query).copied().unwrap_or(0)
    }

    fn unhold(&mut self, query: u64) {
        if let Some(n) = self.held.get_mut(&query) {
            *n -= 1;
            if *n == 0 {
                self.held.remove(&query);
            }
        }
    }
}

/// One held slot; dropping it hands the slot on.
pub struct Slot {
    slots: Arc<FairSlots>,
    query: u64,
    /// False once the count was taken back by hand.
    armed: bool,
}

impl FairSlots {
    /// `n` slots (at least one).
    pub fn new(n: usize) -> Arc<Self> {
        Arc::new(FairSlots {
            state: Mutex::new(State {
                free: n.max(1),
                held: HashMap::new(),
                waiting: Vec::new(),
            }),
        })
    }

    /// Waits for a slot for `query`, which may hold at most `cap` at once (at least one);
    /// `None` only if the store is gone.
    pub async fn acquire(self: &Arc<Self>, query: u64, cap: usize) -> Option<Slot> {
        let cap = cap.max(1);
        let rx = {
            let mut s = self.state.lock();
            if s.free > 0 && s.held_by(query) < cap {
                s.free -= 1;
                s.hold(query);
                return Some(Slot {
                    slots: self.clone(),
                    query,
                    armed: true,
                });
            }
            let (tx, rx) = oneshot::channel();
            match s.waiting.iter_mut().find(|w| w.query == query) {
                Some(w) => {
                    w.cap = cap;
                    w.queue.push_back(tx);
                }
                None => s.waiting.push(Waiting {
                    query,
                    cap,
                    queue: VecDeque::from([tx]),
                }),
            }
            rx
        };
        // A waiter dropped after being granted drops its `Slot`, which hands it on.
        rx.await.ok()
    }

    /// Slots held by `query`.
    #[cfg(test)]
    fn held(&self, query: u64) -> usize {
        self.state.lock().held_by(query)
    }

    fn release(self: &Arc<Self>, query: u64) {
        let mut s = self.state.lock();
        s.unhold(query);
        loop {
            // The waiting query holding the fewest slots, below its cap; the earliest on a
            // tie. A query at its cap is served when one of its own slots comes back.
            let Some(i) = (0..s.waiting.len())
                .filter(|&i| s.held_by(s.waiting[i].query) < s.waiting[i].cap)
                .min_by_key(|&i| (s.held_by(s.waiting[i].query), i))
            else {
                s.free += 1;
                return;
            };
            let next = s.waiting[i].query;
            let tx = s.waiting[i].queue.pop_front();
            if s.waiting[i].queue.is_empty() {
                s.waiting.remove(i);
            }
            let Some(tx) = tx else { continue };
            if tx.is_closed() {
                continue;
            }
            s.hold(next);
            let slot = Slot {
                slots: self.clone(),
                query: next,
                armed: true,
            };
            match tx.send(slot) {
                Ok(()) => return,
                Err(mut slot) => {
                    // Closed in between: take the count back here, under the lock.
                    slot.armed = false;
                    s.unhold(next);
                }
            }
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if self.armed {
            self.slots.release(self.query);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// A task waiting for a slot for `query`; its result keeps the slot.
    fn waiter(slots: &Arc<FairSlots>, query: u64) -> tokio::task::JoinHandle<Option<Slot>> {
        waiter_capped(slots, query, usize::MAX)
    }

    #[test]
    fn a_new_query_gets_the_next_slot_before_a_busy_ones_queue() {
        rt().block_on(async {
            let slots = FairSlots::new(2);
            let a1 = slots.acquire(1, usize::MAX).await.unwrap();
            let a2 = slots.acquire(1, usize::MAX).await.unwrap();
            // Query 1 queues five more reads, then query 2 asks for one.
            let busy: Vec<_> = (0..5).map(|_| waiter(&slots, 1)).collect();
            tokio::time::sleep(Duration::from_millis(10)).await;
            let small = waiter(&slots, 2);
            tokio::time::sleep(Duration::from_millis(10)).await;
            drop(a1);
            let got = tokio::time::timeout(Duration::from_secs(1), small)
                .await
                .expect("the new query waits behind the busy one's queue")
                .unwrap()
                .unwrap();
            assert_eq!((slots.held(1), slots.held(2)), (1, 1));
            // The busy query's queue drains as slots free, each holding its slot.
            drop(got);
            drop(a2);
            for b in busy {
                drop(b.await.unwrap().unwrap());
            }
            assert_eq!((slots.held(1), slots.held(2)), (0, 0));
        });
    }

    #[test]
    fn two_busy_queries_share_the_slots() {
        rt().block_on(async {
            let slots = FairSlots::new(4);
            let mut held: Vec<Slot> = Vec::new();
            for _ in 0..4 {
                held.push(slots.acquire(1, usize::MAX).await.unwrap());
            }
            let mut waiters = Vec::new();
            for q in [1u64, 1, 1, 1, 2, 2, 2, 2] {
                waiters.push(waiter(&slots, q));
                tokio::task::yield_now().await;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
            held.clear();
            tokio::time::sleep(Duration::from_millis(10)).await;
            assert_eq!((slots.held(1), slots.held(2)), (2, 2));
        });
    }

    #[test]
    fn a_query_at_its_cap_leaves_the_free_slots_to_others() {
        rt().block_on(async {
            let slots = FairSlots::new(10);
            let mut big = Vec::new();
            for _ in 0..3 {
                big.push(slots.acquire(1, 3).await.unwrap());
            }
            // The fourth read of query 1 waits although seven slots are free.
            let fourth = waiter_capped(&slots, 1, 3);
            tokio::time::sleep(Duration::from_millis(10)).await;
            assert!(!fourth.is_finished(), "query 1 went past its cap");
            assert_eq!(slots.held(1), 3);
            // Another query is served at once from the free slots.
            let small = tokio::time::timeout(Duration::from_millis(100), slots.acquire(2, 3))
                .await
                .expect("a free slot was kept from a query below its cap");
            assert_eq!(slots.held(2), 1);
            // One of query 1's reads ends: its waiting read takes the slot, still at 3.
            drop(big.pop());
            let got = tokio::time::timeout(Duration::from_secs(1), fourth)
                .await
                .expect("the capped query's waiter was not served when its slot came back")
                .unwrap()
                .unwrap();
            assert_eq!(slots.held(1), 3);
            drop((got, big, small));
            assert_eq!((slots.held(1), slots.held(2)), (0, 0));
            // Everything came back: ten reads of one query with a cap of ten do not wait.
            let mut all = Vec::new();
            for _ in 0..10 {
                let s = tokio::time::timeout(Duration::from_millis(100), slots.acquire(3, 10));
                all.push(s.await.expect("a slot was lost").unwrap());
            }
        });
    }

    /// Like [`waiter`], with a cap for the query.
    fn waiter_capped(
        slots: &Arc<FairSlots>,
        query: u64,
        cap: usize,
    ) -> tokio::task::JoinHandle<Option<Slot>> {
        let s = slots.clone();
        tokio::spawn(async move { s.acquire(query, cap).await })
    }

    #[test]
    fn a_dropped_waiter_passes_its_slot_on() {
        rt().block_on(async {
            let slots = FairSlots::new(1);
            let first = slots.acquire(1, usize::MAX).await.unwrap();
            let gone = waiter(&slots, 2);
            let kept = waiter(&slots, 3);
            tokio::time::sleep(Duration::from_millis(10)).await;
            gone.abort();
            let _ = gone.await;
            drop(first);
            let slot = tokio::time::timeout(Duration::from_secs(1), kept)
                .await
                .expect("the slot was lost with the dropped waiter")
                .unwrap()
                .unwrap();
            assert_eq!(slots.held(3), 1);
            drop(slot);
            // All free again: a fresh acquire does not wait.
            let again =
                tokio::time::timeout(Duration::from_millis(100), slots.acquire(4, usize::MAX))
                    .await;
            assert!(again.is_ok());
        });
    }
}
