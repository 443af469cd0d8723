//! `put`: like `putm`, with the OpenTSDB seconds heuristic (TELNET/PutCommand.java).
//!
//! # Format
//!
//! ```text
//! put <metric> <timestamp> <value> <tag>=<value> [<tag>=<value> ...]
//! ```
//!
//! A timestamp below 3,000,000,000 is taken as seconds and multiplied by 1000 (so negative
//! ones are too); larger ones are milliseconds.

use super::putm::{self, ValueKind};
use super::words::Words;
use super::TelnetError;
use crate::series::SeriesPoints;

/// Below this a timestamp is in seconds ("backwards compatible hack for the next 30 years").
const SECONDS_LIMIT: i64 = 3_000_000_000;

/// Parses a `put` line after its command word.
pub(super) fn parse(words: Words<'_>) -> Result<SeriesPoints, TelnetError> {
    let line = putm::split(words)?;
    let mut ts = putm::parse_long(line.timestamp())?;
    if ts < SECONDS_LIMIT {
        // Java multiplies a long: wraps on overflow.
        ts = ts.wrapping_mul(1000);
    }
    putm::finish(line, ts, ValueKind::Number)
}
