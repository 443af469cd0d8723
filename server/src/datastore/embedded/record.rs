//! A point record of the first embedded layout (one fjall key per point): an expiry header,
//! then the Cassandra value encoding. Read only to migrate old stores ([`super::migrate`]).

use super::block::NEVER;

/// Header byte of a record that never expires.
const NO_EXPIRY: u8 = 0;
/// Header byte of a record followed by its expiry time (ms, i64 BE).
const EXPIRES: u8 = 1;

/// Splits a record into its expiry ([`NEVER`] when none) and its value bytes.
pub fn split(bytes: &[u8]) -> Result<(i64, &[u8]), &'static str> {
    match bytes.first() {
        Some(&NO_EXPIRY) => Ok((NEVER, &bytes[1..])),
        Some(&EXPIRES) => {
            let t = bytes
                .get(1..9)
                .and_then(|b| b.try_into().ok())
                .map(i64::from_be_bytes)
                .ok_or("short expiry")?;
            Ok((t, &bytes[9..]))
        }
        _ => Err("bad record header"),
    }
}

/// Appends a record for a value already in the Cassandra encoding (tests build old stores).
#[cfg(test)]
pub fn encode(value: &[u8], expiry_ms: Option<i64>, out: &mut Vec<u8>) {
    match expiry_ms {
        None => out.push(NO_EXPIRY),
        Some(t) => {
            out.push(EXPIRES);
            out.extend_from_slice(&t.to_be_bytes());
        }
    }
    out.extend_from_slice(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_records() {
        let mut out = Vec::new();
        encode(&[0x54], None, &mut out);
        assert_eq!(split(&out).unwrap(), (NEVER, &[0x54][..]));
        out.clear();
        encode(&[1, 2], Some(1000), &mut out);
        assert_eq!(split(&out).unwrap(), (1000, &[1, 2][..]));
        assert!(split(&[7]).is_err());
        assert!(split(&[1, 0]).is_err());
    }
}
