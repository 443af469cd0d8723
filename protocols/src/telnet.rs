//! The telnet line protocol (spec §5): one line in, one [`Command`] out.
//!
//! Framing (line length, `\r\n`) belongs to the server; this module parses a single line
//! without its terminator. Dispatch is on the first word, case-sensitive.

mod error;
mod exit;
mod put;
mod putm;
mod puts;
mod unknown;
mod version;
mod words;

pub use error::TelnetError;

use crate::series::SeriesPoints;
use words::Words;

/// A parsed telnet line.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// `put`, `putm` or `puts`: one point of one series.
    Put(SeriesPoints),
    /// `version`: answer `KairosDB <version>\n`.
    Version,
    /// `exit`: close the connection (our extension).
    Exit,
    /// Any other first word (empty for a blank line): ignored by the server.
    Unknown(String),
}

/// Parses one line (without `\n` / `\r\n`), decoded as UTF-8.
pub fn parse_line(line: &[u8]) -> Result<Command, TelnetError> {
    let line = std::str::from_utf8(line).map_err(|_| TelnetError::NotUtf8)?;
    let mut words = Words::new(line);
    let word = words.next().unwrap_or_default();
    Ok(match word {
        "put" => Command::Put(put::parse(words)?),
        "putm" => Command::Put(putm::parse(words)?),
        "puts" => Command::Put(puts::parse(words)?),
        "version" => version::parse(),
        "exit" => exit::parse(),
        other => unknown::parse(other),
    })
}

#[cfg(test)]
mod tests;
