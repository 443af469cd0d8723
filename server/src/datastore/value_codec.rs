//! `data_points.value` encodings per data type (DP/*DataPoint.java `writeValueToBuffer`,
//! UTIL/Util.java `packLong`; spec cassandra-storage.md §3.4, §3.5).

use plugin_api::Value;

/// Storage type of long values.
pub const LONG_TYPE: &str = "kairos_long";
/// Storage type of double values.
pub const DOUBLE_TYPE: &str = "kairos_double";
/// Storage type of string values.
pub const STRING_TYPE: &str = "kairos_string";

/// A value could not be encoded or decoded.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValueCodecError {
    /// Java `writeUTF` refuses strings over 65535 encoded bytes.
    #[error("cannot store string value: encoded length {0} exceeds 65535 bytes")]
    StringTooLong(usize),
    /// The stored bytes do not fit the data type.
    #[error("cannot decode {0} value: {1}")]
    Corrupt(String, &'static str),
    /// A data type this server does not know.
    #[error("cannot decode value: unknown data type '{0}'")]
    UnknownType(String),
}

/// The storage data type of a value.
pub fn data_type(v: &Value) -> &'static str {
    match v {
        Value::Long(_) => LONG_TYPE,
        Value::Double(_) => DOUBLE_TYPE,
        Value::Text(_) | Value::Null => STRING_TYPE,
    }
}

/// The group type (`number` / `text`) of a storage data type (DP/*Factory.java `getGroupType`).
pub fn group_type(data_type: &str) -> &'static str {
    if data_type == STRING_TYPE {
        "text"
    } else {
        "number"
    }
}

/// Appends the encoded value to `out`.
pub fn encode(v: &Value, out: &mut Vec<u8>) -> Result<(), ValueCodecError> {
    match v {
        Value::Long(l) => pack_long(*l, out),
        Value::Double(d) => {
            // Java writeDouble uses doubleToLongBits: every NaN becomes the canonical one.
            let bits = if d.is_nan() {
                0x7ff8_0000_0000_0000u64
            } else {
                d.to_bits()
            };
            out.extend_from_slice(&bits.to_be_bytes());
        }
        Value::Text(s) => write_utf(s, out)?,
        Value::Null => write_utf("", out)?,
    }
    Ok(())
}

/// Decodes a value of `data_type` (factory formats; `kairos_legacy` read through `row_keys`).
pub fn decode(data_type: &str, bytes: &[u8]) -> Result<Value, ValueCodecError> {
    match data_type {
        LONG_TYPE => unpack_long(bytes)
            .map(Value::Long)
            .ok_or_else(|| corrupt(data_type, "bad varint")),
        DOUBLE_TYPE => read_f64(bytes)
            .map(Value::Double)
            .ok_or_else(|| corrupt(data_type, "short double")),
        STRING_TYPE => read_utf(bytes)
            .map(Value::Text)
            .ok_or_else(|| corrupt(data_type, "bad modified UTF-8")),
        super::row_key::LEGACY_TYPE => match bytes.first() {
            Some(0) => unpack_long(&bytes[1..])
                .map(Value::Long)
                .ok_or_else(|| corrupt(data_type, "bad varint")),
            Some(_) => read_f64(&bytes[1..])
                .map(Value::Double)
                .ok_or_else(|| corrupt(data_type, "short double")),
            None => Err(corrupt(data_type, "empty value")),
        },
        other => Err(ValueCodecError::UnknownType(other.to_string())),
    }
}

fn corrupt(t: &str, why: &'static str) -> ValueCodecError {
    ValueCodecError::Corrupt(t.to_string(), why)
}

fn read_f64(bytes: &[u8]) -> Option<f64> {
    Some(f64::from_be_bytes(bytes.get(..8)?.try_into().ok()?))
}

/// Zig-zag then base-128 varint, low groups first (`Util.packLong`).
pub fn pack_long(v: i64, out: &mut Vec<u8>) {
    let mut u = ((v << 1) ^ (v >> 63)) as u64;
    while u & !0x7f != 0 {
        out.push((u as u8 & 0x7f) | 0x80);
        u >>= 7;
    }
    out.push(u as u8);
}

/// Inverse of [`pack_long`]; `None` on a truncated or over-long varint.
pub fn unpack_long(bytes: &[u8]) -> Option<i64> {
    let mut u: u64 = 0;
    for (i, b) in bytes.iter().enumerate().take(10) {
        u |= ((b & 0x7f) as u64) << (7 * i);
        if b & 0x80 == 0 {
            return Some(((u >> 1) as i64) ^ -((u & 1) as i64));
        }
    }
    None
}

/// Java `DataOutputStream.writeUTF`: u16 length, then modified UTF-8.
pub fn write_utf(s: &str, out: &mut Vec<u8>) -> Result<(), ValueCodecError> {
    let start = out.len();
    out.extend_from_slice(&[0, 0]);
    for unit in s.encode_utf16() {
        match unit {
            0x0001..=0x007f => out.push(unit as u8),
            0x0000 | 0x0080..=0x07ff => {
                out.push(0xc0 | (unit >> 6) as u8);
                out.push(0x80 | (unit & 0x3f) as u8);
            }
            _ => {
                out.push(0xe0 | (unit >> 12) as u8);
                out.push(0x80 | ((unit >> 6) & 0x3f) as u8);
                out.push(0x80 | (unit & 0x3f) as u8);
            }
        }
    }
    let len = out.len() - start - 2;
    if len > 0xffff {
        out.truncate(start);
        return Err(ValueCodecError::StringTooLong(len));
    }
    out[start..start + 2].copy_from_slice(&(len as u16).to_be_bytes());
    Ok(())
}

/// Java `DataInputStream.readUTF`; `None` on malformed input.
pub fn read_utf(bytes: &[u8]) -> Option<String> {
    let len = u16::from_be_bytes(bytes.get(..2)?.try_into().ok()?) as usize;
    let body = bytes.get(2..2 + len)?;
    let mut units = Vec::with_capacity(len);
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        if b & 0x80 == 0 {
            units.push(b as u16);
            i += 1;
        } else if b & 0xe0 == 0xc0 {
            let b2 = *body.get(i + 1)?;
            units.push((((b & 0x1f) as u16) << 6) | (b2 & 0x3f) as u16);
            i += 2;
        } else if b & 0xf0 == 0xe0 {
            let (b2, b3) = (*body.get(i + 1)?, *body.get(i + 2)?);
            units.push(
                (((b & 0x0f) as u16) << 12) | (((b2 & 0x3f) as u16) << 6) | (b3 & 0x3f) as u16,
            );
            i += 3;
        } else {
            return None;
        }
    }
    Some(String::from_utf16_lossy(&units))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: Value) -> Vec<u8> {
        let mut out = Vec::new();
        encode(&v, &mut out).unwrap();
        out
    }

    #[test]
    fn worked_values() {
        // spec cassandra-storage.md §3.4
        let cases: &[(i64, &[u8])] = &[
            (0, &[0x00]),
            (1, &[0x02]),
            (-1, &[0x01]),
            (42, &[0x54]),
            (63, &[0x7e]),
            (64, &[0x80, 0x01]),
            (-64, &[0x7f]),
            (-65, &[0x81, 0x01]),
            (300, &[0xd8, 0x04]),
            (-300, &[0xd7, 0x04]),
            (1_700_000_000_000, &[0x80, 0xa0, 0xab, 0xfe, 0xf9, 0x62]),
            (
                i64::MAX,
                &[0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
            ),
            (
                i64::MIN,
                &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
            ),
        ];
        for (v, bytes) in cases {
            assert_eq!(enc(Value::Long(*v)), *bytes, "{v}");
            assert_eq!(decode(LONG_TYPE, bytes).unwrap(), Value::Long(*v));
        }
        assert_eq!(enc(Value::Double(1.5)), [0x3f, 0xf8, 0, 0, 0, 0, 0, 0]);
        assert_eq!(enc(Value::Double(-0.25)), [0xbf, 0xd0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            enc(Value::Double(f64::from_bits(0x7ff0_0000_0000_0001))),
            [0x7f, 0xf8, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            enc(Value::Text("hello".into())),
            [0x00, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]
        );
    }

    #[test]
    fn modified_utf8() {
        let bytes = enc(Value::Text("hé\u{0}😀".into()));
        assert_eq!(
            bytes,
            [0x00, 0x0b, 0x68, 0xc3, 0xa9, 0xc0, 0x80, 0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]
        );
        assert_eq!(
            decode(STRING_TYPE, &bytes).unwrap(),
            Value::Text("hé\u{0}😀".into())
        );
    }

    #[test]
    fn too_long_string_is_refused() {
        let mut out = vec![9];
        assert_eq!(
            write_utf(&"x".repeat(70_000), &mut out),
            Err(ValueCodecError::StringTooLong(70_000))
        );
        assert_eq!(out, vec![9]);
    }

    #[test]
    fn legacy_factory_format() {
        assert_eq!(
            decode("kairos_legacy", &[0, 0x54]).unwrap(),
            Value::Long(42)
        );
        assert_eq!(
            decode("kairos_legacy", &[1, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]).unwrap(),
            Value::Double(1.5)
        );
    }
}
