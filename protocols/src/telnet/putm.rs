//! `putm`: one point with a millisecond timestamp (TELNET/PutMillisecondCommand.java).
//!
//! # Format
//!
//! ```text
//! putm <metric> <timestamp-ms> <value> <tag>=<value> [<tag>=<value> ...]
//! ```
//!
//! A value with a `.` is a double (Java `Double.parseDouble`), any other a long
//! (`Util.parseLong`). `kairos_opt.ttl=<int>` sets the TTL in seconds; a line without tags gets
//! the tag `add=tag`. `put` and `puts` share this grammar.

use nom::character::complete::{char, digit1};
use nom::combinator::opt;
use nom::{IResult, Parser};
use plugin_api::{DataPoint, Value};

use super::words::Words;
use super::TelnetError;
use crate::json::lenient::number;
use crate::series::SeriesPoints;

/// The TTL option, given as a tag and never stored as one.
const TTL_TAG: &str = "kairos_opt.ttl";

/// How the value word becomes a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ValueKind {
    /// A long or, with a `.`, a double (`put`, `putm`).
    Number,
    /// The word as text (`puts`).
    Text,
}

/// The words after the command word, read in Java's order: timestamp (word 2) first.
pub(super) struct Line<'a> {
    metric: &'a str,
    timestamp: &'a str,
    value: Option<&'a str>,
    tags: Words<'a>,
}

impl<'a> Line<'a> {
    /// The timestamp word.
    pub(super) fn timestamp(&self) -> &'a str {
        self.timestamp
    }
}

/// Takes words 1 to 3; a missing timestamp word fails like Java's `command.get(2)`.
pub(super) fn split(mut words: Words<'_>) -> Result<Line<'_>, TelnetError> {
    let metric = words.next();
    let timestamp = words.next();
    let value = words.next();
    match (metric, timestamp) {
        (Some(metric), Some(timestamp)) => Ok(Line {
            metric,
            timestamp,
            value,
            tags: words,
        }),
        _ => Err(TelnetError::MissingWord {
            index: 2,
            size: words.seen(),
        }),
    }
}

/// Parses a `putm` line after its command word.
pub(super) fn parse(words: Words<'_>) -> Result<SeriesPoints, TelnetError> {
    let line = split(words)?;
    let ts = parse_long(line.timestamp())?;
    finish(line, ts, ValueKind::Number)
}

/// `Util.parseLong`: an optional `-` and ASCII digits, in the long range; Java's texts.
pub(super) fn parse_long(s: &str) -> Result<i64, TelnetError> {
    fn sign_digits(s: &str) -> IResult<&str, (Option<char>, &str)> {
        (opt(char('-')), digit1).parse(s)
    }
    let err = |what: &str| Err(TelnetError::Number(format!("{what}:  {s}")));
    if s.is_empty() {
        // `s.charAt(0)` on an empty word.
        return Err(TelnetError::Number(
            "String index out of range: 0".to_string(),
        ));
    }
    if s == "-" {
        return err("Missing digits");
    }
    let Ok((rest, (minus, digits))) = sign_digits(s) else {
        return err("Malformed");
    };
    // Accumulate negatively so that Long.MIN_VALUE fits; overflow is found before any
    // later non-digit, as in Java's loop.
    let mut acc: i64 = 0;
    for d in digits.bytes() {
        match acc
            .checked_mul(10)
            .and_then(|v| v.checked_sub((d - b'0') as i64))
        {
            Some(v) => acc = v,
            None => return err("Over/underflow"),
        }
    }
    if !rest.is_empty() {
        return err("Malformed");
    }
    match minus {
        Some(_) => Ok(acc),
        None => acc.checked_neg().map_or_else(|| err("Over/underflow"), Ok),
    }
}

/// The value word as Java's `createDataPoint` reads it.
fn parse_value(word: &str, kind: ValueKind) -> Result<Value, TelnetError> {
    match kind {
        ValueKind::Text => Ok(Value::Text(word.to_string())),
        ValueKind::Number if word.contains('.') => number::parse_double(word)
            .map(Value::Double)
            .map_err(TelnetError::Number),
        ValueKind::Number => parse_long(word).map(Value::Long),
    }
}

/// Java `String.split("=")` read as a tag: the name and the value (the rest is lost, so
/// `a=b=c` is `a`=`b`), with the checks of `validateTag`.
fn split_tag(word: &str, i: usize) -> Result<(&str, &str), TelnetError> {
    let Some((name, rest)) = word.split_once('=') else {
        return Err(TelnetError::TagFormat(i));
    };
    // Trailing empty parts are removed by split: `k=`, `=`, `k==` have fewer than two parts.
    if rest.bytes().all(|b| b == b'=') {
        return Err(TelnetError::TagFormat(i));
    }
    if name.is_empty() {
        return Err(TelnetError::EmptyTagName(i));
    }
    let value = rest.split('=').next().unwrap_or_default();
    if value.is_empty() {
        return Err(TelnetError::EmptyTagValue(i));
    }
    Ok((name, value))
}

/// The common tail of `put`, `putm` and `puts` (`PutMillisecondCommand.execute`).
pub(super) fn finish(
    line: Line<'_>,
    timestamp: i64,
    kind: ValueKind,
) -> Result<SeriesPoints, TelnetError> {
    if line.metric.is_empty() {
        return Err(TelnetError::EmptyMetricName);
    }
    let Some(word) = line.value else {
        return Err(TelnetError::MissingWord {
            index: 3,
            size: line.tags.seen(),
        });
    };
    let value = parse_value(word, kind)?;
    let mut ttl = 0;
    let mut tags: Vec<(String, String)> = Vec::new();
    for word in line.tags {
        let (name, v) = split_tag(word, tags.len())?;
        if name == TTL_TAG {
            // Integer.parseInt: a sign is allowed; the option does not count as a tag.
            ttl = number::parse_int(v).map_err(|_| TelnetError::BadTtl)?;
        } else {
            tags.push((name.to_string(), v.to_string()));
        }
    }
    if tags.is_empty() {
        // Quirk: a line without tags is stored with add=tag (PutMillisecondCommand.execute).
        tags.push(("add".into(), "tag".into()));
    }
    SeriesPoints::sort_tags(&mut tags);
    if let Some(w) = tags.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(TelnetError::DuplicateTag {
            name: w[0].0.clone(),
            first: w[0].1.clone(),
            second: w[1].1.clone(),
        });
    }
    Ok(SeriesPoints {
        metric: line.metric.to_string(),
        tags,
        ttl: i64::from(ttl),
        points: vec![DataPoint { timestamp, value }],
    })
}
