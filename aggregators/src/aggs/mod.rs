//! The individual aggregators: range folds and the stream aggregators.

pub mod basic;
pub mod filter;
pub mod percentile;
pub mod pointwise;
pub mod rate;
pub mod save_as;
pub mod score;
pub mod sma;
pub mod stats;
pub mod stream;
pub mod trim;
