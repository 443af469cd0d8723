//! Any other first word, or a blank line: logged and counted, nothing is written back
//! (TELNET/TelnetServer.java `messageReceived`).

use super::Command;

/// The command for an unknown first word (empty for a blank line).
pub(super) fn parse(word: &str) -> Command {
    Command::Unknown(word.to_string())
}
