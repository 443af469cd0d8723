//! A stored block: up to [`BLOCK_POINTS`] points of one row, sorted by timestamp, no duplicates.
//!
//! Key: row id (u64 BE) + first timestamp (sign-flipped u64 BE, so keys sort by time).
//! Value: a fixed header, then timestamps, values and (when any point expires) expiries.
//! Numbers are compressed with pco (explicit modes: auto-detection costs ~5x the time on
//! blocks this small, see shared/notes/embedded-store.md); strings keep the Cassandra value
//! encoding, length-prefixed. Blocks under [`PCO_MIN`] points store numbers raw.

use pco::{ChunkConfig, DeltaSpec, ModeSpec};
use plugin_api::Value;

use crate::datastore::value_codec;

mod columns;
pub use columns::Columns;

/// Most points a block holds.
pub const BLOCK_POINTS: usize = 240;
/// Fewest points worth a pco section (its header costs tens of bytes).
const PCO_MIN: usize = 16;
/// Expiry of a point that never expires.
pub const NEVER: i64 = i64::MAX;

const VERSION: u8 = 1;
const HEADER: usize = 23;

/// A point as blocks and buffers hold it: timestamp, value, expiry (ms, [`NEVER`] = none).
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// Timestamp, ms.
    pub ts: i64,
    /// The value.
    pub value: Value,
    /// Expiry time, ms ([`NEVER`] when the point does not expire).
    pub expiry: i64,
}

/// A corrupt block.
#[derive(Debug, thiserror::Error)]
#[error("corrupt block: {0}")]
pub struct BlockError(pub String);

fn bad(what: &str) -> BlockError {
    BlockError(what.to_string())
}

/// Block key of `row_id` starting at `ts`.
pub fn key(row_id: u64, ts: i64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&row_id.to_be_bytes());
    k[8..].copy_from_slice(&((ts as u64) ^ (1 << 63)).to_be_bytes());
    k
}

/// The first timestamp in a block key.
pub fn key_ts(key: &[u8]) -> Result<i64, BlockError> {
    let b: [u8; 8] = key
        .get(8..16)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| bad("short key"))?;
    Ok((u64::from_be_bytes(b) ^ (1 << 63)) as i64)
}

/// What a block header says without decoding the points.
#[derive(Clone, Copy, Debug)]
pub struct Header {
    /// Number of points.
    pub n: usize,
    /// Last timestamp.
    pub last_ts: i64,
    /// Earliest expiry of any point ([`NEVER`] when none expires).
    pub min_expiry: i64,
}

/// Reads the header of an encoded block.
pub fn header(bytes: &[u8]) -> Result<Header, BlockError> {
    if bytes.len() < HEADER || bytes[0] != VERSION {
        return Err(bad("bad header"));
    }
    let n = u32::from_le_bytes(bytes[2..6].try_into().map_err(|_| bad("n"))?) as usize;
    let last_ts = i64::from_le_bytes(bytes[6..14].try_into().map_err(|_| bad("last"))?);
    let min_expiry = i64::from_le_bytes(bytes[14..22].try_into().map_err(|_| bad("exp"))?);
    Ok(Header {
        n,
        last_ts,
        min_expiry,
    })
}

fn kind(v: &Value) -> u8 {
    match v {
        Value::Long(_) => 0,
        Value::Double(_) => 1,
        Value::Text(_) | Value::Null => 2,
    }
}

fn push_section(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

fn take_section<'a>(bytes: &mut &'a [u8]) -> Result<&'a [u8], BlockError> {
    let len = bytes
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| bad("short section"))? as usize;
    let s = bytes.get(4..4 + len).ok_or_else(|| bad("short section"))?;
    *bytes = &bytes[4 + len..];
    Ok(s)
}

/// Encodes numbers: raw little-endian when few, pco otherwise.
fn encode_numbers<T: pco::data_types::Number>(
    nums: &[T],
    config: &ChunkConfig,
    raw: impl Fn(&T) -> [u8; 8],
    out: &mut Vec<u8>,
) -> Result<(), BlockError> {
    if nums.len() < PCO_MIN {
        let mut b = Vec::with_capacity(1 + nums.len() * 8);
        b.push(0);
        nums.iter().for_each(|n| b.extend_from_slice(&raw(n)));
        push_section(out, &b);
    } else {
        let mut b = vec![1];
        b.extend(pco::standalone::simple_compress(nums, config).map_err(|e| bad(&e.to_string()))?);
        push_section(out, &b);
    }
    Ok(())
}

/// Decodes `n` numbers of `section` into `out`, replacing what it held.
fn decode_numbers_into<T: pco::data_types::Number>(
    section: &[u8],
    n: usize,
    raw: impl Fn([u8; 8]) -> T,
    out: &mut Vec<T>,
) -> Result<(), BlockError> {
    out.clear();
    match section.first() {
        Some(0) => {
            let body = &section[1..];
            if body.len() != n * 8 {
                return Err(bad("point count mismatch"));
            }
            out.extend(
                body.chunks_exact(8)
                    .map(|c| raw(c.try_into().unwrap_or([0; 8]))),
            );
        }
        Some(1) => {
            out.resize(n, raw([0; 8]));
            let p = pco::standalone::simple_decompress_into::<T>(&section[1..], out)
                .map_err(|e| bad(&e.to_string()))?;
            if p.n_processed != n || !p.finished {
                return Err(bad("point count mismatch"));
            }
        }
        _ => return Err(bad("bad number section")),
    }
    Ok(())
}

fn ts_config() -> ChunkConfig {
    ChunkConfig::default()
        .with_mode_spec(ModeSpec::Classic)
        .with_delta_spec(DeltaSpec::TryConsecutive(1))
}

fn long_config() -> ChunkConfig {
    ChunkConfig::default()
        .with_mode_spec(ModeSpec::Classic)
        .with_delta_spec(DeltaSpec::Auto)
}

/// Doubles that are all multiples of one decimal step (gauges rounded to a few digits) get
/// pco's float-mult mode with that step, found in one cheap pass; others the classic mode.
fn double_config(values: &[f64]) -> ChunkConfig {
    let mode = (0..=6)
        .map(|k| 10f64.powi(k))
        .find(|scale| {
            values.iter().all(|v| {
                let x = v * scale;
                x.is_finite() && (x - x.round()).abs() <= 1e-9 * x.abs().max(1.0)
            })
        })
        .map(|scale| ModeSpec::TryFloatMult(1.0 / scale))
        .unwrap_or(ModeSpec::Classic);
    ChunkConfig::default()
        .with_mode_spec(mode)
        .with_delta_spec(DeltaSpec::Auto)
}

/// Encodes `cells` (sorted by timestamp, distinct, one value kind, not empty) as a block.
pub fn encode(cells: &[Cell], out: &mut Vec<u8>) -> Result<(), BlockError> {
    let first = cells.first().ok_or_else(|| bad("empty block"))?;
    let k = kind(&first.value);
    let min_expiry = cells.iter().map(|c| c.expiry).min().unwrap_or(NEVER);
    let max_expiry = cells.iter().map(|c| c.expiry).max().unwrap_or(NEVER);
    let expiry_mode = if min_expiry == NEVER {
        0
    } else if min_expiry == max_expiry {
        1
    } else {
        2
    };
    out.push(VERSION);
    out.push(k);
    out.extend_from_slice(&(cells.len() as u32).to_le_bytes());
    out.extend_from_slice(&cells[cells.len() - 1].ts.to_le_bytes());
    out.extend_from_slice(&min_expiry.to_le_bytes());
    out.push(expiry_mode);
    let ts: Vec<i64> = cells.iter().map(|c| c.ts).collect();
    encode_numbers(&ts, &ts_config(), |v| v.to_le_bytes(), out)?;
    match k {
        0 => {
            let v: Vec<i64> = cells
                .iter()
                .map(|c| match c.value {
                    Value::Long(l) => Ok(l),
                    _ => Err(bad("mixed value kinds")),
                })
                .collect::<Result<_, _>>()?;
            encode_numbers(&v, &long_config(), |v| v.to_le_bytes(), out)?;
        }
        1 => {
            let v: Vec<f64> = cells
                .iter()
                .map(|c| match c.value {
                    Value::Double(d) => Ok(d),
                    _ => Err(bad("mixed value kinds")),
                })
                .collect::<Result<_, _>>()?;
            encode_numbers(&v, &double_config(&v), |v| v.to_le_bytes(), out)?;
        }
        _ => {
            let mut b = Vec::new();
            let mut one = Vec::new();
            for c in cells {
                if kind(&c.value) != 2 {
                    return Err(bad("mixed value kinds"));
                }
                one.clear();
                value_codec::encode(&c.value, &mut one).map_err(|e| bad(&e.to_string()))?;
                push_section(&mut b, &one);
            }
            push_section(out, &b);
        }
    }
    if expiry_mode == 2 {
        let e: Vec<i64> = cells.iter().map(|c| c.expiry).collect();
        encode_numbers(&e, &ts_config(), |v| v.to_le_bytes(), out)?;
    }
    Ok(())
}

/// Decodes a block of a row of `data_type` into `out`.
pub fn decode(data_type: &str, bytes: &[u8], out: &mut Vec<Cell>) -> Result<(), BlockError> {
    let mut cols = Columns::default();
    cols.decode(data_type, bytes)?;
    out.reserve(cols.len());
    out.extend((0..cols.len()).map(|i| cols.take_cell(i)));
    Ok(())
}

#[cfg(test)]
mod tests;
