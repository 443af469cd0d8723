//! kairosdb-rs server library.
