//! `version`: the server answers one line (TELNET/VersionCommand.java).
//!
//! # Format
//!
//! ```text
//! version
//! ```
//!
//! Reply: `KairosDB <version>\n`. Words after the command are ignored. tcollector sends it to
//! test liveness.

use super::Command;

/// Parses a `version` line; its arguments are ignored.
pub(super) fn parse() -> Command {
    Command::Version
}
