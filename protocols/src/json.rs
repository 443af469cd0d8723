//! HTTP JSON formats.

pub mod datapoints;
pub mod format;
pub mod lenient;
pub mod query;
