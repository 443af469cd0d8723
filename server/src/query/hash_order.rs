//! Java `HashMap` iteration order, which shows in the `tags` of groups made by time, value and
//! bin group-bys (Guava `HashMultimap`; spec query-engine.md §8.2).

/// Java `String.hashCode` over UTF-16 code units.
pub fn java_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
}

/// Capacity of a Java hash table holding `n` entries, starting at `initial` (a power of two)
/// and doubling whenever size exceeds 0.75 × capacity.
fn capacity(n: usize, initial: usize) -> usize {
    let mut cap = initial;
    while n * 4 > cap * 3 {
        cap *= 2;
    }
    cap
}

/// Reorders `items` (inserted in this order) as a Java `HashMap`/`HashSet` iterates them.
pub fn hash_order<T>(items: Vec<T>, key: impl Fn(&T) -> &str, initial_capacity: usize) -> Vec<T> {
    let cap = capacity(items.len(), initial_capacity);
    let mut keyed: Vec<(usize, usize, T)> = items
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let h = java_hash(key(&t));
            let bucket = ((h ^ ((h as u32) >> 16) as i32) as u32 as usize) & (cap - 1);
            (bucket, i, t)
        })
        .collect();
    keyed.sort_by_key(|(b, i, _)| (*b, *i));
    keyed.into_iter().map(|(_, _, t)| t).collect()
}

/// Tags of a group in `HashMultimap` order: names (capacity from 32) and each name's values
/// (capacity from 4), both inserted in sorted order as `Group.addTags` does (GB/Group.java).
pub fn hash_ordered_tags(sorted: Vec<(String, Vec<String>)>) -> Vec<(String, Vec<String>)> {
    let with_values: Vec<(String, Vec<String>)> = sorted
        .into_iter()
        .map(|(n, vs)| (n, hash_order(vs, |v| v.as_str(), 4)))
        .collect();
    hash_order(with_values, |(n, _)| n.as_str(), 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn verified_orders() {
        // spec query-engine.md §8.2 [verified]
        assert_eq!(
            hash_order(strs(&["test1", "test2"]), |s| s, 4),
            strs(&["test1", "test2"])
        );
        assert_eq!(
            hash_order(strs(&["server1", "server2"]), |s| s, 4),
            strs(&["server2", "server1"])
        );
        assert_eq!(
            hash_order(strs(&["alpha", "mid", "zeta"]), |s| s, 4),
            strs(&["zeta", "mid", "alpha"])
        );
        assert_eq!(
            hash_order(
                strs(&["customer", "dc", "host", "server", "type"]),
                |s| s,
                32
            ),
            strs(&["server", "type", "host", "customer", "dc"])
        );
    }
}
