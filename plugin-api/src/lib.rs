//! The stable API that built-in and third-party aggregators and group-bys are written against.
//!
//! A query runs in three steps as far as a processor is concerned:
//! 1. the host parses the query JSON and calls a factory's `create` with the processor's JSON
//!    parameters and a [`QueryContext`];
//! 2. for every output group, the host asks the configured processor for per-group state
//!    ([`Aggregator::open`]) or group ids ([`GroupBy::group_id`]);
//! 3. points flow through in batches (slices), never one call per point.
//!
//! Third-party plugins are dynamic libraries that talk to the host through [`ffi`] (a C ABI)
//! and export themselves with [`export_plugin!`].
//!
//! Errors a plugin reports are typed: [`ParamError`] while parsing (HTTP 400 or 500),
//! [`AggregateError`] while running (HTTP 500).

pub mod aggregator;
pub mod context;
pub mod error;
pub mod ffi;
pub mod group_by;
pub mod metadata;
pub mod params;
pub mod point;
pub mod registry;

pub use aggregator::{Aggregator, AggregatorFactory, AggregatorState, GroupInfo};
pub use context::{Order, PointSink, QueryContext};
pub use error::{AggregateError, ParamError};
pub use group_by::{GroupBy, GroupByFactory};
pub use metadata::{ProcessorMetadata, PropertyMetadata, ValidationMetadata};
pub use point::{DataPoint, Value};
pub use registry::{Registry, RegistryError};

/// The JSON crate of the factory signatures, re-exported so plugins need no other dependency.
pub use serde_json;

/// Version of this API; a plugin built against another version is refused.
pub const API_VERSION: u32 = 1;
