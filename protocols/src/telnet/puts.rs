//! `puts`: one string point with a millisecond timestamp (TELNET/PutStringCommand.java).
//!
//! # Format
//!
//! ```text
//! puts <metric> <timestamp-ms> <string-value> <tag>=<value> [<tag>=<value> ...]
//! ```
//!
//! The value is one word, stored verbatim; quote it to keep spaces (`"release 42"`).

use super::putm::{self, ValueKind};
use super::words::Words;
use super::TelnetError;
use crate::series::SeriesPoints;

/// Parses a `puts` line after its command word.
pub(super) fn parse(words: Words<'_>) -> Result<SeriesPoints, TelnetError> {
    let line = putm::split(words)?;
    let ts = putm::parse_long(line.timestamp())?;
    putm::finish(line, ts, ValueKind::Text)
}
