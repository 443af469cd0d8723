//! The individual aggregators: range folds and the stream aggregators.

pub mod basic;
pub mod dev;
pub mod first_last;
pub mod least_squares;
pub mod percentile;
