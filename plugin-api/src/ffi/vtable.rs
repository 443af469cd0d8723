//! The `#[repr(C)]` vtables: an opaque state pointer, `extern "C"` functions, and `release`.
//!
//! Every function returns an [`FfiResult`] and writes its value through an out pointer that
//! the caller owns; the callee writes it only on success. Vtables are moved by value: whoever
//! holds one last calls its `release` exactly once. The state behind a factory or configured
//! processor is shared by the host's threads (the exporter builds it from `Send + Sync`
//! trait objects); a per-group state is used by one thread at a time (`Send`).

use std::ffi::c_void;

use super::result::FfiResult;
use super::types::{FfiPointSink, FfiPointSlice, FfiStr, FfiString};

/// Frees a vtable's state on the side that created it.
pub type ReleaseFn = unsafe extern "C" fn(state: *mut c_void);

/// Builds configured aggregators ([`crate::AggregatorFactory`] across the boundary).
#[repr(C)]
pub struct FfiAggregatorFactory {
    /// Opaque factory state.
    pub state: *mut c_void,
    /// The query name (`"mad"`).
    pub name: unsafe extern "C" fn(state: *const c_void, out: *mut FfiString) -> FfiResult,
    /// [`crate::ProcessorMetadata`] as JSON (the `/api/v1/features` shape).
    pub metadata: unsafe extern "C" fn(state: *const c_void, out: *mut FfiString) -> FfiResult,
    /// Builds an aggregator from the JSON object of its parameters and the query context as
    /// JSON (see [`super::json`]).
    pub create: unsafe extern "C" fn(
        state: *const c_void,
        params: FfiStr,
        ctx: FfiStr,
        out: *mut FfiAggregator,
    ) -> FfiResult,
    /// Frees the state.
    pub release: ReleaseFn,
}

/// A configured aggregator ([`crate::Aggregator`] across the boundary).
#[repr(C)]
pub struct FfiAggregator {
    /// Opaque aggregator state.
    pub state: *mut c_void,
    /// Whether a group of this type is taken.
    pub accepts:
        unsafe extern "C" fn(state: *const c_void, group_type: FfiStr, out: *mut bool) -> FfiResult,
    /// The group type after this aggregator.
    pub output_type: unsafe extern "C" fn(
        state: *const c_void,
        input_type: FfiStr,
        out: *mut FfiString,
    ) -> FfiResult,
    /// Per-group state; the group is [`crate::GroupInfo`] as JSON.
    pub open: unsafe extern "C" fn(
        state: *const c_void,
        group: FfiStr,
        out: *mut FfiAggregatorState,
    ) -> FfiResult,
    /// Frees the state.
    pub release: ReleaseFn,
}

/// Per-group aggregation state ([`crate::AggregatorState`] across the boundary).
#[repr(C)]
pub struct FfiAggregatorState {
    /// Opaque per-group state.
    pub state: *mut c_void,
    /// Consumes a batch; output points go to `sink` (zero or more calls).
    pub push: unsafe extern "C" fn(
        state: *mut c_void,
        batch: FfiPointSlice,
        sink: FfiPointSink,
    ) -> FfiResult,
    /// Emits what is pending after the last batch.
    pub finish: unsafe extern "C" fn(state: *mut c_void, sink: FfiPointSink) -> FfiResult,
    /// Frees the state.
    pub release: ReleaseFn,
}

/// Builds configured group-bys ([`crate::GroupByFactory`] across the boundary).
#[repr(C)]
pub struct FfiGroupByFactory {
    /// Opaque factory state.
    pub state: *mut c_void,
    /// The query name (`"modulo"`).
    pub name: unsafe extern "C" fn(state: *const c_void, out: *mut FfiString) -> FfiResult,
    /// [`crate::ProcessorMetadata`] as JSON.
    pub metadata: unsafe extern "C" fn(state: *const c_void, out: *mut FfiString) -> FfiResult,
    /// Builds a group-by from its JSON parameters and the query context as JSON.
    pub create: unsafe extern "C" fn(
        state: *const c_void,
        params: FfiStr,
        ctx: FfiStr,
        out: *mut FfiGroupBy,
    ) -> FfiResult,
    /// Frees the state.
    pub release: ReleaseFn,
}

/// A configured group-by ([`crate::GroupBy`] across the boundary).
#[repr(C)]
pub struct FfiGroupBy {
    /// Opaque group-by state.
    pub state: *mut c_void,
    /// [`crate::GroupBy::tag_names`] as a JSON array of strings, or `null`.
    pub tag_names: unsafe extern "C" fn(state: *const c_void, out: *mut FfiString) -> FfiResult,
    /// Writes exactly `batch.len` group ids to `ids`.
    pub group_ids: unsafe extern "C" fn(
        state: *const c_void,
        batch: FfiPointSlice,
        ids: *mut i64,
    ) -> FfiResult,
    /// The compact JSON entry of a group id in a result's `group_by` array.
    pub result_json:
        unsafe extern "C" fn(state: *const c_void, id: i64, out: *mut FfiString) -> FfiResult,
    /// Frees the state.
    pub release: ReleaseFn,
}

/// Where a plugin's `load` hands its factories: host callbacks that take ownership.
#[repr(C)]
pub struct FfiRegistrar {
    /// The host's collection, opaque to the plugin.
    pub ctx: *mut c_void,
    /// Takes an aggregator factory.
    pub add_aggregator: unsafe extern "C" fn(ctx: *mut c_void, factory: FfiAggregatorFactory),
    /// Takes a group-by factory.
    pub add_group_by: unsafe extern "C" fn(ctx: *mut c_void, factory: FfiGroupByFactory),
}
