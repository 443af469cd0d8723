//! Host side: [`ForeignAggregatorFactory`] and friends implement the ordinary safe traits on
//! top of a plugin's vtables, so the query engine cannot tell a plugin from a built-in.
//!
//! Calls whose trait method cannot fail (`accepts`, `output_type`) record a failure as a
//! fault of the configured aggregator; its next `open`, `push` or `finish` reports it, so a
//! panic there still fails the query.

use std::ffi::c_void;
use std::mem::MaybeUninit;
use std::sync::{Arc, Mutex};

use super::json::{context_to_json, group_to_json, params_to_json};
use super::result::{guard, FfiErrorKind, FfiResult};
use super::types::FfiString;
use super::types::{borrow_points, copy_points, FfiPoint, FfiPointSink, FfiPointSlice, FfiStr};
use super::vtable::{FfiAggregator, FfiAggregatorFactory, FfiAggregatorState, ReleaseFn};
use crate::{
    AggregateError, Aggregator, AggregatorFactory, AggregatorState, DataPoint, GroupInfo,
    ParamError, ProcessorMetadata, QueryContext,
};

mod group_by;
mod load;

pub use group_by::{ForeignGroupBy, ForeignGroupByFactory};
pub use load::{load_plugin, read_api_version, LoadedPlugin};

/// Calls a string-returning vtable function.
pub(super) fn call_string(
    f: impl FnOnce(*mut FfiString) -> FfiResult,
) -> Result<String, FfiResult> {
    let mut out = FfiString::empty();
    let r = f(&mut out);
    if r.is_ok() {
        Ok(out.to_string_lossy())
    } else {
        Err(r)
    }
}

/// The name and metadata of a foreign factory, read once at load.
pub(super) fn describe(
    what: &str,
    name: impl FnOnce(*mut FfiString) -> FfiResult,
    metadata: impl FnOnce(*mut FfiString) -> FfiResult,
) -> Result<(String, ProcessorMetadata), String> {
    let fail = |r: FfiResult| {
        format!(
            "cannot describe {what}: {}",
            r.message().unwrap_or_else(|| "null".into())
        )
    };
    let name = call_string(name).map_err(fail)?;
    let json = call_string(metadata).map_err(fail)?;
    let metadata = serde_json::from_str(&json)
        .map_err(|e| format!("cannot read metadata of {what} '{name}': {e}"))?;
    Ok((name, metadata))
}

/// A vtable function writing a string.
type StringFn = unsafe extern "C" fn(state: *const c_void, out: *mut FfiString) -> FfiResult;

/// A factory's `create`, writing the vtable of a `P`.
type CreateFn<P> = unsafe extern "C" fn(
    state: *const c_void,
    params: FfiStr,
    ctx: FfiStr,
    out: *mut P,
) -> FfiResult;

/// What aggregator and group-by factory vtables have in common: owned state, `create` writing
/// a `P` vtable, and the name and metadata read at load.
pub(super) struct ForeignFactory<P> {
    state: *mut c_void,
    create: CreateFn<P>,
    release: ReleaseFn,
    pub(super) name: String,
    pub(super) metadata: ProcessorMetadata,
}

impl<P> ForeignFactory<P> {
    /// Takes ownership of the vtable's `state` and reads its name and metadata.
    ///
    /// # Safety
    /// As [`ForeignAggregatorFactory::new`].
    unsafe fn new(
        what: &str,
        state: *mut c_void,
        name: StringFn,
        metadata: StringFn,
        create: CreateFn<P>,
        release: ReleaseFn,
    ) -> Result<Self, String> {
        let described = describe(what, |o| name(state, o), |o| metadata(state, o));
        // Built first so that the state is released on every path.
        let mut f = ForeignFactory {
            state,
            create,
            release,
            name: String::new(),
            metadata: ProcessorMetadata::default(),
        };
        (f.name, f.metadata) = described?;
        Ok(f)
    }

    /// Calls `create`; the caller owns the vtable it wrote.
    pub(super) fn create(
        &self,
        params: &serde_json::Map<String, serde_json::Value>,
        ctx: &QueryContext,
    ) -> Result<P, ParamError> {
        let params = params_to_json(params);
        let ctx = context_to_json(ctx);
        let mut out = MaybeUninit::<P>::uninit();
        // SAFETY: borrowed strings outlive the call; `out` is written on success only.
        let r = unsafe {
            (self.create)(
                self.state,
                FfiStr::new(&params),
                FfiStr::new(&ctx),
                out.as_mut_ptr(),
            )
        };
        r.into_param_result()?;
        // SAFETY: a successful `create` wrote the vtable.
        Ok(unsafe { out.assume_init() })
    }
}

impl<P> Drop for ForeignFactory<P> {
    fn drop(&mut self) {
        // SAFETY: the state is owned by this value and released once.
        unsafe { (self.release)(self.state) }
    }
}

/// An aggregator factory living in a plugin.
pub struct ForeignAggregatorFactory(ForeignFactory<FfiAggregator>);

// SAFETY: the exporter builds the state from an `Arc<dyn AggregatorFactory>` (Send + Sync).
unsafe impl Send for ForeignAggregatorFactory {}
unsafe impl Sync for ForeignAggregatorFactory {}

impl ForeignAggregatorFactory {
    /// Takes ownership of `vt` and reads its name and metadata.
    ///
    /// # Safety
    /// `vt` must follow the contract of [`super::vtable`] (as the exporter's vtables do), and
    /// its code must stay loaded while this value and everything it creates live.
    pub unsafe fn new(vt: FfiAggregatorFactory) -> Result<Self, String> {
        ForeignFactory::new(
            "aggregator factory",
            vt.state,
            vt.name,
            vt.metadata,
            vt.create,
            vt.release,
        )
        .map(ForeignAggregatorFactory)
    }
}

impl AggregatorFactory for ForeignAggregatorFactory {
    fn name(&self) -> &str {
        &self.0.name
    }

    fn metadata(&self) -> ProcessorMetadata {
        self.0.metadata.clone()
    }

    fn create(
        &self,
        params: &serde_json::Map<String, serde_json::Value>,
        ctx: &QueryContext,
    ) -> Result<Box<dyn Aggregator>, ParamError> {
        Ok(Box::new(ForeignAggregator {
            vt: self.0.create(params, ctx)?,
            fault: Arc::new(Mutex::new(None)),
        }))
    }
}

/// A configured aggregator living in a plugin.
pub struct ForeignAggregator {
    vt: FfiAggregator,
    fault: Fault,
}

/// The first failure of a call that could not report it.
type Fault = Arc<Mutex<Option<String>>>;

fn record(fault: &Fault, r: FfiResult) {
    let mut f = fault.lock().unwrap_or_else(|e| e.into_inner());
    if f.is_none() {
        *f = Some(r.message().unwrap_or_else(|| "null".into()));
    }
}

fn check(fault: &Fault) -> Result<(), AggregateError> {
    match &*fault.lock().unwrap_or_else(|e| e.into_inner()) {
        Some(m) => Err(AggregateError::msg(m.clone())),
        None => Ok(()),
    }
}

// SAFETY: the exporter builds the state from a `Box<dyn Aggregator>` (Send + Sync).
unsafe impl Send for ForeignAggregator {}
unsafe impl Sync for ForeignAggregator {}

impl Drop for ForeignAggregator {
    fn drop(&mut self) {
        // SAFETY: the vtable is owned by this value and released once.
        unsafe { (self.vt.release)(self.vt.state) }
    }
}

impl Aggregator for ForeignAggregator {
    fn accepts(&self, group_type: &str) -> bool {
        let mut out = false;
        // SAFETY: `group_type` outlives the call; `out` is a valid bool.
        let r = unsafe { (self.vt.accepts)(self.vt.state, FfiStr::new(group_type), &mut out) };
        if !r.is_ok() {
            // Taking the group makes the host call `open`, which reports the fault.
            record(&self.fault, r);
            return true;
        }
        out
    }

    fn output_type(&self, input_type: &str) -> String {
        let state = self.vt.state;
        // SAFETY: `input_type` outlives the call.
        match call_string(|o| unsafe { (self.vt.output_type)(state, FfiStr::new(input_type), o) }) {
            Ok(t) => t,
            Err(r) => {
                record(&self.fault, r);
                input_type.to_string()
            }
        }
    }

    fn open(&self, group: &GroupInfo) -> Result<Box<dyn AggregatorState>, AggregateError> {
        check(&self.fault)?;
        let json = group_to_json(group);
        let mut out = MaybeUninit::<FfiAggregatorState>::uninit();
        // SAFETY: `json` outlives the call; `out` is written on success only.
        let r = unsafe { (self.vt.open)(self.vt.state, FfiStr::new(&json), out.as_mut_ptr()) };
        r.into_aggregate_result()?;
        Ok(Box::new(ForeignState {
            // SAFETY: a successful `open` wrote the vtable.
            vt: unsafe { out.assume_init() },
            fault: self.fault.clone(),
            buf: Vec::new(),
        }))
    }
}

/// Per-group state living in a plugin.
pub struct ForeignState {
    vt: FfiAggregatorState,
    fault: Fault,
    /// Borrowed views of the current batch; empty between calls.
    buf: Vec<FfiPoint>,
}

// SAFETY: the exporter builds the state from a `Box<dyn AggregatorState>` (Send); `buf` holds
// no pointers between calls.
unsafe impl Send for ForeignState {}

impl Drop for ForeignState {
    fn drop(&mut self) {
        // SAFETY: the vtable is owned by this value and released once.
        unsafe { (self.vt.release)(self.vt.state) }
    }
}

/// The host's output buffer behind an [`FfiPointSink`].
struct SinkCtx<'a> {
    out: &'a mut Vec<DataPoint>,
    error: Option<String>,
}

unsafe extern "C" fn sink_push(ctx: *mut c_void, points: FfiPointSlice) {
    let ctx = &mut *(ctx as *mut SinkCtx);
    let r = guard(
        FfiErrorKind::FAILED,
        "the host's point sink",
        || match copy_points(points, ctx.out) {
            Ok(()) => FfiResult::ok(),
            Err(e) => FfiResult::error(FfiErrorKind::FAILED, e),
        },
    );
    if !r.is_ok() && ctx.error.is_none() {
        ctx.error = r.message();
    }
}

impl ForeignState {
    /// Calls `f` with borrowed views of `batch` and a sink appending to `out`.
    fn call(
        &mut self,
        batch: &[DataPoint],
        out: &mut Vec<DataPoint>,
        f: impl FnOnce(&FfiAggregatorState, FfiPointSlice, FfiPointSink) -> FfiResult,
    ) -> Result<(), AggregateError> {
        check(&self.fault)?;
        borrow_points(batch, &mut self.buf);
        let mut ctx = SinkCtx { out, error: None };
        let sink = FfiPointSink {
            ctx: &mut ctx as *mut SinkCtx as *mut c_void,
            push: sink_push,
        };
        let r = f(&self.vt, FfiPointSlice::new(&self.buf), sink);
        self.buf.clear();
        r.into_aggregate_result()?;
        match ctx.error {
            Some(e) => Err(AggregateError::msg(e)),
            None => Ok(()),
        }
    }
}

impl AggregatorState for ForeignState {
    fn push(
        &mut self,
        batch: &[DataPoint],
        out: &mut Vec<DataPoint>,
    ) -> Result<(), AggregateError> {
        // SAFETY: `batch` (which the slice borrows) and the sink outlive the call.
        self.call(batch, out, |vt, slice, sink| unsafe {
            (vt.push)(vt.state, slice, sink)
        })
    }

    fn finish(&mut self, out: &mut Vec<DataPoint>) -> Result<(), AggregateError> {
        // SAFETY: the sink outlives the call.
        self.call(&[], out, |vt, _, sink| unsafe {
            (vt.finish)(vt.state, sink)
        })
    }
}
