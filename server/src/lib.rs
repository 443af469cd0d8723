//! kairosdb-rs server: ingest core, query engine, datastores, HTTP and telnet front-ends.

pub mod app;
pub mod config;
pub mod datastore;
pub mod http;
pub mod ingest;
pub mod listener;
pub mod metrics;
pub mod plugins;
pub mod probe;
pub mod query;
pub mod reporter;
pub mod state;
pub mod telnet;
#[cfg(test)]
pub(crate) mod test_rng;
