//! A stored point record: an expiry header, then the Cassandra value encoding.

use plugin_api::Value;

use crate::datastore::value_codec::{self, ValueCodecError};

/// Header byte of a record that never expires.
const NO_EXPIRY: u8 = 0;
/// Header byte of a record followed by its expiry time (ms, i64 BE).
const EXPIRES: u8 = 1;

/// Appends the record for `value`, expiring at `expiry_ms` when set.
pub fn encode(
    value: &Value,
    expiry_ms: Option<i64>,
    out: &mut Vec<u8>,
) -> Result<(), ValueCodecError> {
    match expiry_ms {
        None => out.push(NO_EXPIRY),
        Some(t) => {
            out.push(EXPIRES);
            out.extend_from_slice(&t.to_be_bytes());
        }
    }
    value_codec::encode(value, out)
}

/// Whether a record is still live at `now_ms`, without decoding its value.
pub fn is_live(bytes: &[u8], now_ms: i64) -> bool {
    match bytes.first() {
        Some(&EXPIRES) => bytes
            .get(1..9)
            .and_then(|b| b.try_into().ok())
            .map(i64::from_be_bytes)
            .is_some_and(|t| t > now_ms),
        _ => true,
    }
}

/// Decodes a record; `Ok(None)` when it expired before `now_ms`.
pub fn decode(
    data_type: &str,
    bytes: &[u8],
    now_ms: i64,
) -> Result<Option<Value>, ValueCodecError> {
    match bytes.first() {
        Some(&NO_EXPIRY) => value_codec::decode(data_type, &bytes[1..]).map(Some),
        Some(&EXPIRES) => {
            let t = bytes
                .get(1..9)
                .and_then(|b| b.try_into().ok())
                .map(i64::from_be_bytes)
                .ok_or_else(|| ValueCodecError::Corrupt(data_type.to_string(), "short expiry"))?;
            if t <= now_ms {
                return Ok(None);
            }
            value_codec::decode(data_type, &bytes[9..]).map(Some)
        }
        _ => Err(ValueCodecError::Corrupt(
            data_type.to_string(),
            "bad record header",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_expiry() {
        let mut out = Vec::new();
        encode(&Value::Long(42), None, &mut out).unwrap();
        assert_eq!(out, [0, 0x54]);
        assert_eq!(
            decode("kairos_long", &out, 0).unwrap(),
            Some(Value::Long(42))
        );
        out.clear();
        encode(&Value::Double(1.5), Some(1000), &mut out).unwrap();
        assert_eq!(
            decode("kairos_double", &out, 999).unwrap(),
            Some(Value::Double(1.5))
        );
        assert_eq!(decode("kairos_double", &out, 1000).unwrap(), None);
        assert!(decode("kairos_double", &[7], 0).is_err());
        assert!(is_live(&out, 999) && !is_live(&out, 1000));
        assert!(is_live(&[0, 0x54], i64::MAX));
    }
}
