//! KairosDB wire formats as pure functions: bytes in, typed values out, and back.
//!
//! Nothing here does I/O. The server's stream layer (gzip, body limits, line framing,
//! counters) sits on top.

pub mod json;
pub mod series;
pub mod telnet;

pub use series::{java_cmp, SeriesPoints};
