//! The pre-1.3 `row_key_index`: its search keys (spec §2.4) and the pre-1.0 value format
//! (`ValueSerializer`, spec §3.5) of `kairos_legacy` rows found through it.

use plugin_api::Value;

use crate::datastore::RowKey;

/// Search key bounding `row_key_index` columns of `metric` at `row_time`: type `""`, no
/// tags, marker `0x00` for the start and `0xFF` for the end.
pub fn search_key(metric: &str, row_time: i64, end: bool) -> Vec<u8> {
    let mut key = RowKey::new(metric, row_time, "", &[]).encode();
    if end {
        // Layout: metric, NUL, 8-byte time, marker, length 0.
        key[metric.len() + 9] = 0xFF;
    }
    key
}

/// The (start, end) query ranges: a range spanning zero is split in two, because negative
/// row times sort after positive ones as unsigned bytes.
pub fn split_ranges(start: i64, end: i64) -> Vec<(i64, i64)> {
    if start < 0 && end >= 0 {
        vec![(start, -1), (0, end)]
    } else {
        vec![(start, end)]
    }
}

/// Decodes a pre-1.0 value: column bit 0 clear is a long (big-endian, leading zero bytes
/// stripped), set is a float (flag `01`) or a double (any other flag).
pub fn decode(column: [u8; 4], bytes: &[u8]) -> Result<Value, &'static str> {
    if column[3] & 1 == 0 {
        let mut v: i64 = 0;
        for b in bytes {
            v = (v << 8) | *b as i64;
        }
        return Ok(Value::Long(v));
    }
    match bytes.split_first() {
        Some((1, rest)) => {
            let f: [u8; 4] = rest
                .get(..4)
                .and_then(|s| s.try_into().ok())
                .ok_or("short float")?;
            Ok(Value::Double(f32::from_be_bytes(f) as f64))
        }
        Some((_, rest)) => {
            let d: [u8; 8] = rest
                .get(..8)
                .and_then(|s| s.try_into().ok())
                .ok_or("short double")?;
            Ok(Value::Double(f64::from_be_bytes(d)))
        }
        None => Err("empty double"),
    }
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
    fn search_keys_of_the_worked_example() {
        // spec cassandra-storage.md §2.5
        assert_eq!(
            hex(&search_key("sys.cpu", 1_698_278_400_000, false)),
            "73 79 73 2e 63 70 75 00 00 00 01 8b 69 47 e0 00 00 00"
        );
        assert_eq!(
            hex(&search_key("sys.cpu", 1_698_278_400_000, true)),
            "73 79 73 2e 63 70 75 00 00 00 01 8b 69 47 e0 00 ff 00"
        );
    }

    #[test]
    fn value_serializer_forms() {
        // spec cassandra-storage.md §3.5
        let long = [0, 0, 0, 0];
        assert_eq!(decode(long, &[]), Ok(Value::Long(0)));
        assert_eq!(decode(long, &[0x01]), Ok(Value::Long(1)));
        assert_eq!(decode(long, &[0x01, 0x00]), Ok(Value::Long(256)));
        assert_eq!(decode(long, &[0x01, 0x2c]), Ok(Value::Long(300)));
        assert_eq!(decode(long, &[0xff; 8]), Ok(Value::Long(-1)));
        let double = [0, 0, 0, 1];
        assert_eq!(
            decode(double, &[0x01, 0x3f, 0xc0, 0, 0]),
            Ok(Value::Double(1.5))
        );
        assert_eq!(
            decode(double, &[0x02, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]),
            Ok(Value::Double(1.5))
        );
        assert!(decode(double, &[]).is_err());
    }

    #[test]
    fn ranges_split_at_zero() {
        assert_eq!(split_ranges(-5, 5), vec![(-5, -1), (0, 5)]);
        assert_eq!(split_ranges(-5, -1), vec![(-5, -1)]);
        assert_eq!(split_ranges(0, 5), vec![(0, 5)]);
    }
}
