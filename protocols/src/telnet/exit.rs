//! `exit`: our extension; the server closes the connection (Java ignores the word).
//!
//! # Format
//!
//! ```text
//! exit
//! ```

use super::Command;

/// Parses an `exit` line; its arguments are ignored.
pub(super) fn parse() -> Command {
    Command::Exit
}
