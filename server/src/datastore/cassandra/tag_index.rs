//! `tag_indexed_row_keys` (spec §4.4): which tags of which metrics are indexed
//! (`tag_indexed_row_key_lookup_metrics`), the `name=value` pairs and the murmur3 hash over
//! the indexed tags. Written and deleted as Java does; reads use `row_keys`, which Java also
//! writes for indexed metrics, so every row is found either way.

use std::collections::BTreeMap;

/// Indexed metrics: metric (or `*` for every metric) → tag names (`*` for all tags).
pub type TagIndexConfig = BTreeMap<String, Vec<String>>;

/// The index rows of one row key: its `name=value` pairs and their collection hash.
#[derive(Debug, PartialEq, Eq)]
pub struct IndexEntries {
    /// `single_tag_pair` values, one index row each.
    pub pairs: Vec<String>,
    /// `tag_collection_hash` shared by those rows.
    pub hash: i32,
}

/// Java `generateTagPairHashes`: `None` when `metric` is not indexed; otherwise the
/// selected tags (in the row key's Java order) as pairs and their murmur3 hash.
pub fn entries(
    config: &TagIndexConfig,
    metric: &str,
    tags: &[(String, String)],
) -> Option<IndexEntries> {
    let always = config.contains_key("*");
    let listed = config.get(metric);
    if !always && listed.is_none() {
        return None;
    }
    let all = listed.is_some_and(|t| t.iter().any(|n| n == "*"));
    let mut hashed = Vec::new();
    let mut pairs = Vec::new();
    for (name, value) in tags {
        if always || all || listed.is_some_and(|t| t.contains(name)) {
            hashed.extend_from_slice(name.as_bytes());
            hashed.extend_from_slice(value.as_bytes());
            let pair = format!("{name}={value}");
            if !pairs.contains(&pair) {
                pairs.push(pair);
            }
        }
    }
    Some(IndexEntries {
        pairs,
        hash: murmur3_32(&hashed, 0) as i32,
    })
}

/// Parses a tag or metric list value such as `["a", "b"]` or `[a]`.
pub fn parse_list(value: &str) -> Option<Vec<String>> {
    let v = value.trim();
    let inner = v.strip_prefix('[')?.strip_suffix(']')?;
    Some(
        inner
            .split(',')
            .map(|s| s.trim().trim_matches('"').to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

/// MurmurHash3 x86 32-bit (Guava `Hashing.murmur3_32()`).
pub fn murmur3_32(data: &[u8], seed: u32) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h = seed;
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut k = 0u32;
        for (i, b) in tail.iter().enumerate() {
            k |= (*b as u32) << (8 * i);
        }
        h ^= k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags() -> Vec<(String, String)> {
        vec![("dc".into(), "x".into()), ("host".into(), "a".into())]
    }

    #[test]
    fn spec_hashes() {
        // spec cassandra-storage.md §4.4
        assert_eq!(murmur3_32(b"dcxhosta", 0) as i32, 1_750_428_808);
        assert_eq!(murmur3_32(b"hosta", 0) as i32, -1_147_264_974);
        assert_eq!(murmur3_32(b"", 0), 0);
    }

    #[test]
    fn selection() {
        let mut c = TagIndexConfig::new();
        assert_eq!(entries(&c, "sys.cpu", &tags()), None);
        c.insert("sys.cpu".into(), vec!["*".into()]);
        let e = entries(&c, "sys.cpu", &tags()).unwrap();
        assert_eq!(
            (e.pairs, e.hash),
            (
                vec!["dc=x".to_string(), "host=a".to_string()],
                1_750_428_808
            )
        );
        c.insert("sys.cpu".into(), vec!["host".into()]);
        let e = entries(&c, "sys.cpu", &tags()).unwrap();
        assert_eq!(
            (e.pairs, e.hash),
            (vec!["host=a".to_string()], -1_147_264_974)
        );
        assert_eq!(entries(&c, "other", &tags()), None);
        c.insert("*".into(), vec!["*".into()]);
        assert_eq!(entries(&c, "other", &tags()).unwrap().pairs.len(), 2);
    }

    #[test]
    fn lists() {
        assert_eq!(
            parse_list(r#"["a", "b"]"#),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(parse_list("[]"), Some(vec![]));
        assert_eq!(parse_list("{}"), None);
    }
}
