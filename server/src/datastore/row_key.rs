//! The `data_points` row key: metric, row time, data type and tags, byte for byte as Java
//! KairosDB writes it (CASS/DataPointsRowKeySerializer.java; spec cassandra-storage.md §2).

use protocols::java_cmp;

/// Data type of the pre-1.0 key form, which has no type field.
pub const LEGACY_TYPE: &str = "kairos_legacy";

/// A decoded row key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RowKey {
    /// Metric name (no NUL).
    pub metric: String,
    /// Start of the row in ms (see [`row_time`]).
    pub row_time: i64,
    /// Storage data type, e.g. `kairos_long`.
    pub data_type: String,
    /// Tags in Java `TreeMap` order.
    pub tags: Vec<(String, String)>,
}

/// A row key blob could not be decoded.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot decode row key: {0}")]
pub struct RowKeyError(pub &'static str);

/// Java `RowSpec.calculateRowTime`: `ts - (abs(ts) % width)`, not floor alignment for
/// negative timestamps (spec cassandra-storage.md §3.2, Quirk 1).
pub fn row_time(ts: i64, width: i64) -> i64 {
    ts.wrapping_sub(ts.wrapping_abs() % width)
}

impl RowKey {
    /// Builds a key; `tags` are sorted into Java order.
    pub fn new(metric: &str, row_time: i64, data_type: &str, tags: &[(String, String)]) -> Self {
        let mut tags = tags.to_vec();
        tags.sort_by(|a, b| java_cmp(&a.0, &b.0));
        RowKey {
            metric: metric.to_string(),
            row_time,
            data_type: data_type.to_string(),
            tags,
        }
    }

    /// Serializes the key (current form; the legacy form for `kairos_legacy`).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.metric.len() + 24 + self.tags.len() * 16);
        out.extend_from_slice(self.metric.as_bytes());
        out.push(0);
        out.extend_from_slice(&self.row_time.to_be_bytes());
        if self.data_type != LEGACY_TYPE {
            out.push(0);
            out.push(self.data_type.len() as u8);
            out.extend_from_slice(self.data_type.as_bytes());
        }
        push_tag_string(&mut out, &self.tags);
        out
    }

    /// Parses a key blob (CASS/DataPointsRowKeySerializer.java `fromByteBuffer`).
    pub fn decode(bytes: &[u8]) -> Result<RowKey, RowKeyError> {
        let nul = bytes
            .iter()
            .position(|b| *b == 0)
            .ok_or(RowKeyError("no metric terminator"))?;
        let metric =
            std::str::from_utf8(&bytes[..nul]).map_err(|_| RowKeyError("metric is not UTF-8"))?;
        let rest = &bytes[nul + 1..];
        let time: [u8; 8] = rest
            .get(..8)
            .and_then(|s| s.try_into().ok())
            .ok_or(RowKeyError("short row time"))?;
        let row_time = i64::from_be_bytes(time);
        let rest = &rest[8..];
        let (data_type, tag_bytes) = if rest.first() == Some(&0) {
            let len = *rest.get(1).ok_or(RowKeyError("short data type"))? as usize;
            let name = rest.get(2..2 + len).ok_or(RowKeyError("short data type"))?;
            let name =
                std::str::from_utf8(name).map_err(|_| RowKeyError("data type is not UTF-8"))?;
            (name.to_string(), &rest[2 + len..])
        } else {
            (LEGACY_TYPE.to_string(), rest)
        };
        let tag_text =
            std::str::from_utf8(tag_bytes).map_err(|_| RowKeyError("tags are not UTF-8"))?;
        Ok(RowKey {
            metric: metric.to_string(),
            row_time,
            data_type,
            tags: parse_tag_string(tag_text),
        })
    }
}

/// Appends the tag string: `name=value:` per tag, with `:`/`=` escaped (`escapeAppend`).
pub fn push_tag_string(out: &mut Vec<u8>, tags: &[(String, String)]) {
    for (name, value) in tags {
        escape_into(out, name, b':');
        out.push(b'=');
        escape_into(out, value, b'=');
        out.push(b':');
    }
}

fn escape_into(out: &mut Vec<u8>, s: &str, escape: u8) {
    for b in s.bytes() {
        if b == b':' || b == b'=' {
            out.push(escape);
        }
        out.push(b);
    }
}

/// Parses a tag string (`extractTags`); a trailing pair without its `:` is dropped, as in Java.
pub fn parse_tag_string(s: &str) -> Vec<(String, String)> {
    let mut tags = Vec::new();
    let mut name = String::new();
    let mut value = String::new();
    let mut in_value = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if !in_value {
            match c {
                ':' => name.extend(chars.next()),
                '=' => in_value = true,
                _ => name.push(c),
            }
        } else {
            match c {
                '=' => value.extend(chars.next()),
                ':' => {
                    tags.push((std::mem::take(&mut name), std::mem::take(&mut value)));
                    in_value = false;
                }
                _ => value.push(c),
            }
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter()
            .map(|x| format!("{x:02x}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn worked_example_sys_cpu() {
        // spec cassandra-storage.md §2.5
        let tags = vec![
            ("host".to_string(), "a".to_string()),
            ("dc".to_string(), "x".to_string()),
        ];
        let key = RowKey::new(
            "sys.cpu",
            row_time(1_700_000_000_000, 1_814_400_000),
            "kairos_long",
            &tags,
        );
        assert_eq!(key.row_time, 1_698_278_400_000);
        assert_eq!(
            hex(&key.encode()),
            "73 79 73 2e 63 70 75 00 00 00 01 8b 69 47 e0 00 00 0b 6b 61 69 72 6f 73 5f 6c 6f 6e 67 64 63 3d 78 3a 68 6f 73 74 3d 61 3a"
        );
        assert_eq!(RowKey::decode(&key.encode()).unwrap(), key);
        let legacy = RowKey {
            data_type: LEGACY_TYPE.into(),
            ..key.clone()
        };
        assert_eq!(
            hex(&legacy.encode()),
            "73 79 73 2e 63 70 75 00 00 00 01 8b 69 47 e0 00 64 63 3d 78 3a 68 6f 73 74 3d 61 3a"
        );
        assert_eq!(RowKey::decode(&legacy.encode()).unwrap(), legacy);
    }

    #[test]
    fn escaping_example() {
        // spec cassandra-storage.md §2.2
        let tags = vec![
            ("a:b".to_string(), "c=d".to_string()),
            ("x=y".to_string(), "p:q".to_string()),
        ];
        let key = RowKey::new("m", 0, "kairos_double", &tags);
        let enc = key.encode();
        assert_eq!(
            hex(&enc),
            "6d 00 00 00 00 00 00 00 00 00 00 0d 6b 61 69 72 6f 73 5f 64 6f 75 62 6c 65 61 3a 3a 62 3d 63 3d 3d 64 3a 78 3a 3d 79 3d 70 3d 3a 71 3a"
        );
        assert_eq!(RowKey::decode(&enc).unwrap().tags, tags);
    }

    #[test]
    fn negative_row_times() {
        // spec cassandra-storage.md §3.2 Quirk 1
        let w = 1_814_400_000;
        assert_eq!(row_time(-1, w), -2);
        assert_eq!(row_time(-3, w), -6);
        assert_eq!(row_time(-1_814_400_000, w), -1_814_400_000);
        assert_eq!(row_time(-1_814_400_001, w), -1_814_400_002);
        assert_eq!(row_time(-5_000_000_000, w), -6_371_200_000);
        assert_eq!(row_time(i64::MIN, w), i64::MIN - (i64::MIN % w));
    }

    #[test]
    fn tags_sort_in_java_order() {
        let tags = vec![
            ("\u{FF21}".to_string(), "1".to_string()),
            ("\u{1F600}".to_string(), "2".to_string()),
        ];
        let key = RowKey::new("m", 0, "kairos_long", &tags);
        assert_eq!(key.tags[0].0, "\u{1F600}");
    }

    #[test]
    fn trailing_pair_without_colon_is_dropped() {
        assert_eq!(
            parse_tag_string("a=b:c=d"),
            vec![("a".to_string(), "b".to_string())]
        );
    }
}
