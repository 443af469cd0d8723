//! Why a telnet line was dropped; texts are the Java exception messages where Java has one.

/// A line that cannot be turned into a command (the Java server logs it and drops the line).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TelnetError {
    /// The line is not UTF-8 (we decode UTF-8 where Java decodes ISO-8859-1).
    #[error("cannot parse line: not valid UTF-8")]
    NotUtf8,
    /// A word the command needs is missing (Java `IndexOutOfBoundsException` of `List.get`).
    #[error("Index: {index}, Size: {size}")]
    MissingWord {
        /// Position of the missing word (the command word is 0).
        index: usize,
        /// Number of words on the line.
        size: usize,
    },
    /// The metric name is empty (a `""` word).
    #[error("metricName may not be empty.")]
    EmptyMetricName,
    /// A timestamp or value is not a number; the Java `NumberFormatException` message,
    /// e.g. `Malformed:  abc`, `Over/underflow:  ...`, `multiple points`.
    #[error("{0}")]
    Number(String),
    /// Tag number `i` has no `=` or nothing after it.
    #[error("tag[{0}] must be in the format 'name=value'.")]
    TagFormat(usize),
    /// Tag number `i` has an empty name (`=v`).
    #[error("tag[{0}].name may not be empty.")]
    EmptyTagName(usize),
    /// Tag number `i` has an empty value (`k==v`).
    #[error("tag[{0}].value may not be empty.")]
    EmptyTagValue(usize),
    /// `kairos_opt.ttl=<x>` where `x` is not an `int`.
    #[error("tag[kairos_opt.ttl] must be a number")]
    BadTtl,
    /// The same tag name twice (Guava `ImmutableSortedMap.Builder.build`).
    #[error("Multiple entries with same key: {name}={first} and {name}={second}")]
    DuplicateTag {
        /// The tag name.
        name: String,
        /// The value given first.
        first: String,
        /// The value given later.
        second: String,
    },
}
