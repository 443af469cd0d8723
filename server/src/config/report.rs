//! `kairosdb config`: reads a Java configuration file and prints, key by key, how kairosdb-rs
//! takes it, or the equivalent `KAIROSDB_*` environment or kairosdb-rs config file.

use std::path::Path;

use super::migrate::{classify, env_settable, Status, Verdict};
use super::{keys, parse_file, ConfigError};

/// What `kairosdb config` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// One line per key with its status, then a summary.
    Report,
    /// `KAIROSDB_*=value` lines for the keys kairosdb-rs honours.
    Env,
    /// A kairosdb-rs `kairosdb.conf` with the keys it honours, under their kairosdb-rs names.
    Conf,
}

impl Output {
    /// Parses `report`, `env` or `conf`.
    pub fn parse(text: &str) -> Option<Output> {
        match text {
            "report" => Some(Output::Report),
            "env" => Some(Output::Env),
            "conf" => Some(Output::Conf),
            _ => None,
        }
    }
}

/// One classified key of the file.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The key as written in the Java file.
    pub key: String,
    /// The value as written.
    pub value: String,
    /// What kairosdb-rs does with it.
    pub verdict: Verdict,
}

impl Entry {
    /// The kairosdb-rs name of an honoured key; `None` when it is not honoured.
    pub fn target(&self) -> Option<&str> {
        match &self.verdict.status {
            Status::Applied => Some(&self.key),
            Status::Renamed(to) => Some(to),
            _ => None,
        }
    }
}

/// Reads and classifies every key of a Java configuration file, in file order (a key set twice
/// keeps its last value, as in Java).
pub fn read(path: &Path) -> Result<Vec<Entry>, ConfigError> {
    let mut entries: Vec<Entry> = Vec::new();
    for (key, value) in parse_file(path)? {
        entries.retain(|e| e.key != key);
        let verdict = classify(&key, &value);
        entries.push(Entry {
            key,
            value,
            verdict,
        });
    }
    Ok(entries)
}

/// Whether the file can be used as it is: nothing unsupported or invalid.
pub fn acceptable(entries: &[Entry]) -> bool {
    entries
        .iter()
        .all(|e| !matches!(e.verdict.status, Status::Unsupported | Status::Invalid))
}

/// Quotes a HOCON value; lists stay as written.
fn hocon_value(v: &str) -> String {
    let t = v.trim();
    if t.starts_with('[') && t.ends_with(']') {
        return t.to_string();
    }
    format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Renders the chosen output.
pub fn render(entries: &[Entry], output: Output) -> String {
    let mut out = String::new();
    match output {
        Output::Report => {
            let width = entries.iter().map(|e| e.key.len()).max().unwrap_or(0);
            for e in entries {
                let label = e.verdict.status.label();
                let mut line = format!("{label:<15} {:<width$}", e.key);
                if let Status::Renamed(to) = &e.verdict.status {
                    line.push_str(&format!(" -> {to}"));
                }
                if !e.verdict.note.is_empty() {
                    line.push_str(&format!("  ({})", e.verdict.note));
                }
                out.push_str(line.trim_end());
                out.push('\n');
            }
            let count =
                |f: fn(&Status) -> bool| entries.iter().filter(|e| f(&e.verdict.status)).count();
            out.push_str(&format!(
                "{} applied, {} renamed, {} not applicable, {} unsupported, {} invalid\n",
                count(|s| *s == Status::Applied),
                count(|s| matches!(s, Status::Renamed(_))),
                count(|s| *s == Status::NotApplicable),
                count(|s| *s == Status::Unsupported),
                count(|s| *s == Status::Invalid),
            ));
        }
        Output::Env => {
            for e in entries {
                let Some(target) = e.target() else { continue };
                if env_settable(target) {
                    out.push_str(&format!(
                        "{}={}\n",
                        keys::env_name(target),
                        shell_quote(&e.verdict.value)
                    ));
                } else {
                    out.push_str(&format!(
                        "# {target} cannot be set by environment: put it in a config file\n"
                    ));
                }
            }
        }
        Output::Conf => {
            out.push_str(
                "# kairosdb-rs configuration, converted by `kairosdb config --print conf`\n",
            );
            for e in entries {
                if let Some(target) = e.target() {
                    out.push_str(&format!("{target} = {}\n", hocon_value(&e.verdict.value)));
                }
            }
        }
    }
    out
}

/// Quotes a value for a POSIX shell / env file when it needs it.
fn shell_quote(v: &str) -> String {
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/:,@+".contains(c));
    if plain {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(hocon_value("[\"a\", \"b\"]"), "[\"a\", \"b\"]");
        assert_eq!(hocon_value("x\"y"), "\"x\\\"y\"");
        assert_eq!(shell_quote("localhost:9042,b"), "localhost:9042,b");
        assert_eq!(
            shell_quote("{'class': 'x'}"),
            "'{'\\''class'\\'': '\\''x'\\''}'"
        );
    }
}
