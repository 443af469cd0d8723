//! Shared pieces of the `ingest` and `query` load generators.
