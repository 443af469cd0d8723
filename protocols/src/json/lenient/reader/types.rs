//! The reader's token, error and state types (Gson's `JsonToken`, `PEEKED_*`, `JsonScope`).

/// The Java exception class a reader failure corresponds to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// `com.google.gson.stream.MalformedJsonException` (an `IOException`).
    Malformed,
    /// `java.io.EOFException`.
    Eof,
    /// `java.lang.IllegalStateException` (a token of the wrong kind).
    IllegalState,
    /// `java.lang.NumberFormatException`.
    NumberFormat,
    /// Nesting beyond what we accept (Java would throw `StackOverflowError`).
    TooDeep,
}

/// A reader failure: the Java exception kind and its message (without the class name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ReadError {
    /// Which Java exception this is.
    pub kind: ErrorKind,
    /// The exception message.
    pub msg: String,
}

impl ReadError {
    /// The Java `Throwable.toString()`: class name, `: `, message.
    pub fn with_class(&self) -> String {
        let class = match self.kind {
            ErrorKind::Malformed => "com.google.gson.stream.MalformedJsonException",
            ErrorKind::Eof => "java.io.EOFException",
            ErrorKind::IllegalState => "java.lang.IllegalStateException",
            ErrorKind::NumberFormat => "java.lang.NumberFormatException",
            ErrorKind::TooDeep => return self.msg.clone(),
        };
        format!("{class}: {}", self.msg)
    }
}

/// Result of reader operations.
pub(crate) type Res<T> = Result<T, ReadError>;

/// Gson's `JsonToken`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Token {
    BeginArray,
    EndArray,
    BeginObject,
    EndObject,
    Name,
    String,
    Number,
    Boolean,
    Null,
    EndDocument,
}

impl Token {
    pub(super) fn java_name(self) -> &'static str {
        match self {
            Token::BeginArray => "BEGIN_ARRAY",
            Token::EndArray => "END_ARRAY",
            Token::BeginObject => "BEGIN_OBJECT",
            Token::EndObject => "END_OBJECT",
            Token::Name => "NAME",
            Token::String => "STRING",
            Token::Number => "NUMBER",
            Token::Boolean => "BOOLEAN",
            Token::Null => "NULL",
            Token::EndDocument => "END_DOCUMENT",
        }
    }
}

/// Gson's `PEEKED_*` constants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Peeked {
    None,
    BeginObject,
    EndObject,
    BeginArray,
    EndArray,
    True,
    False,
    Null,
    SingleQuoted,
    DoubleQuoted,
    Unquoted,
    SingleQuotedName,
    DoubleQuotedName,
    UnquotedName,
    Long,
    Number,
    Eof,
}

/// Gson's `JsonScope`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scope {
    EmptyArray,
    NonemptyArray,
    EmptyObject,
    DanglingName,
    NonemptyObject,
    EmptyDocument,
    NonemptyDocument,
}

/// A number token as Gson's `nextString()` would give it, without formatting longs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum NumberText<'a> {
    /// `PEEKED_LONG`: an integer literal that fits a long (its text is `Long.toString`).
    Long(i64),
    /// `PEEKED_NUMBER`: any other number, as written.
    Text(&'a str),
}
