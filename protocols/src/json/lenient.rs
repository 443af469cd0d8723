//! A JSON reader as lenient as Gson's `JsonReader.setLenient(true)`, keeping number literals.
// (being written)

/// A parsed JSON value; numbers keep their literal text (type inference depends on it).
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number with its literal text, e.g. `1.0`, `1e3`.
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, members in document order (duplicates kept).
    Object(Vec<(String, Json)>),
}
