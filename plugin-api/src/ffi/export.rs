//! Plugin side: vtables built from ordinary trait objects. Every `extern "C"` body runs under
//! [`guard`], so a panic in plugin code becomes an error result.

use std::ffi::c_void;
use std::sync::Arc;

use super::json::{context_from_json, group_from_json, params_from_json};
use super::result::{guard, guard_release, FfiErrorKind, FfiResult};
use super::types::FfiString;
use super::types::{borrow_points, copy_points, FfiPoint, FfiPointSink, FfiPointSlice, FfiStr};
use super::vtable::{FfiAggregator, FfiAggregatorFactory, FfiAggregatorState};
use crate::{Aggregator, AggregatorFactory, AggregatorState, DataPoint};

mod group_by;

pub use group_by::export_group_by;

const INTERNAL: FfiErrorKind = FfiErrorKind::INTERNAL;
const FAILED: FfiErrorKind = FfiErrorKind::FAILED;

/// Writes a string result through `out`.
///
/// # Safety
/// `out` must be valid for writes.
pub(super) unsafe fn write_string(out: *mut FfiString, s: String) -> FfiResult {
    out.write(FfiString::new(s));
    FfiResult::ok()
}

/// Reads the borrowed parameters and context of a `create` call.
pub(super) unsafe fn create_args(
    params: FfiStr,
    ctx: FfiStr,
) -> Result<
    (
        serde_json::Map<String, serde_json::Value>,
        crate::QueryContext,
    ),
    FfiResult,
> {
    let err = |e: String| FfiResult::error(INTERNAL, e);
    let params = params_from_json(params.to_str().map_err(err)?).map_err(err)?;
    let ctx = context_from_json(ctx.to_str().map_err(err)?).map_err(err)?;
    Ok((params, ctx))
}

/// Hands `points` to the host's sink as one borrowed slice.
pub(super) unsafe fn emit(points: &[DataPoint], buf: &mut Vec<FfiPoint>, sink: &FfiPointSink) {
    if points.is_empty() {
        return;
    }
    borrow_points(points, buf);
    (sink.push)(sink.ctx, FfiPointSlice::new(buf));
    buf.clear();
}

/// A factory and its name (read once, for panic messages).
struct ExportedFactory {
    inner: Arc<dyn AggregatorFactory>,
    name: String,
    what: String,
}

unsafe fn agg_factory<'a>(state: *const c_void) -> &'a ExportedFactory {
    &*(state as *const ExportedFactory)
}

unsafe extern "C" fn agg_factory_name(state: *const c_void, out: *mut FfiString) -> FfiResult {
    let f = agg_factory(state);
    guard(INTERNAL, &f.what, || write_string(out, f.name.clone()))
}

unsafe extern "C" fn agg_factory_metadata(state: *const c_void, out: *mut FfiString) -> FfiResult {
    let f = agg_factory(state);
    guard(INTERNAL, &f.what, || {
        match serde_json::to_string(&f.inner.metadata()) {
            Ok(json) => write_string(out, json),
            Err(e) => FfiResult::error(INTERNAL, format!("cannot write metadata: {e}")),
        }
    })
}

unsafe extern "C" fn agg_factory_create(
    state: *const c_void,
    params: FfiStr,
    ctx: FfiStr,
    out: *mut FfiAggregator,
) -> FfiResult {
    let f = agg_factory(state);
    guard(INTERNAL, &f.what, || {
        let (params, ctx) = match create_args(params, ctx) {
            Ok(a) => a,
            Err(r) => return r,
        };
        match f.inner.create(&params, &ctx) {
            Ok(a) => {
                out.write(export_aggregator(a, &f.name));
                FfiResult::ok()
            }
            Err(e) => e.into(),
        }
    })
}

unsafe extern "C" fn agg_factory_release(state: *mut c_void) {
    guard_release(|| drop(Box::from_raw(state as *mut ExportedFactory)));
}

impl From<Arc<dyn AggregatorFactory>> for FfiAggregatorFactory {
    /// Exports `f`; calls `f.name()` once (call it where a panic is caught, as `load` does).
    fn from(f: Arc<dyn AggregatorFactory>) -> FfiAggregatorFactory {
        let name = f.name().to_string();
        let state = Box::new(ExportedFactory {
            what: format!("aggregator '{name}'"),
            inner: f,
            name,
        });
        FfiAggregatorFactory {
            state: Box::into_raw(state) as *mut c_void,
            name: agg_factory_name,
            metadata: agg_factory_metadata,
            create: agg_factory_create,
            release: agg_factory_release,
        }
    }
}

/// A configured aggregator and its name (for panic messages).
struct Exported {
    inner: Box<dyn Aggregator>,
    what: String,
}

/// Builds the vtable of a configured aggregator; `name` labels its panics.
pub fn export_aggregator(inner: Box<dyn Aggregator>, name: &str) -> FfiAggregator {
    let state = Box::new(Exported {
        inner,
        what: format!("aggregator '{name}'"),
    });
    FfiAggregator {
        state: Box::into_raw(state) as *mut c_void,
        accepts: agg_accepts,
        output_type: agg_output_type,
        open: agg_open,
        release: agg_release,
    }
}

unsafe extern "C" fn agg_accepts(state: *const c_void, t: FfiStr, out: *mut bool) -> FfiResult {
    let a = &*(state as *const Exported);
    guard(INTERNAL, &a.what, || match t.to_str() {
        Ok(t) => {
            out.write(a.inner.accepts(t));
            FfiResult::ok()
        }
        Err(e) => FfiResult::error(INTERNAL, e),
    })
}

unsafe extern "C" fn agg_output_type(
    state: *const c_void,
    t: FfiStr,
    out: *mut FfiString,
) -> FfiResult {
    let a = &*(state as *const Exported);
    guard(INTERNAL, &a.what, || match t.to_str() {
        Ok(t) => write_string(out, a.inner.output_type(t)),
        Err(e) => FfiResult::error(INTERNAL, e),
    })
}

unsafe extern "C" fn agg_open(
    state: *const c_void,
    group: FfiStr,
    out: *mut FfiAggregatorState,
) -> FfiResult {
    let a = &*(state as *const Exported);
    guard(FAILED, &a.what, || {
        let group = match group.to_str().and_then(group_from_json) {
            Ok(g) => g,
            Err(e) => return FfiResult::error(FAILED, e),
        };
        match a.inner.open(&group) {
            Ok(s) => {
                out.write(export_state(s, a.what.clone()));
                FfiResult::ok()
            }
            Err(e) => e.into(),
        }
    })
}

unsafe extern "C" fn agg_release(state: *mut c_void) {
    guard_release(|| drop(Box::from_raw(state as *mut Exported)));
}

/// Per-group state with reusable conversion buffers.
struct ExportedState {
    inner: Box<dyn AggregatorState>,
    what: String,
    input: Vec<DataPoint>,
    output: Vec<DataPoint>,
    ffi: Vec<FfiPoint>,
}

fn export_state(inner: Box<dyn AggregatorState>, what: String) -> FfiAggregatorState {
    let state = Box::new(ExportedState {
        inner,
        what,
        input: Vec::new(),
        output: Vec::new(),
        ffi: Vec::new(),
    });
    FfiAggregatorState {
        state: Box::into_raw(state) as *mut c_void,
        push: state_push,
        finish: state_finish,
        release: state_release,
    }
}

unsafe extern "C" fn state_push(
    state: *mut c_void,
    batch: FfiPointSlice,
    sink: FfiPointSink,
) -> FfiResult {
    let s = &mut *(state as *mut ExportedState);
    let ExportedState {
        inner,
        what,
        input,
        output,
        ffi,
    } = s;
    guard(FAILED, what, || {
        input.clear();
        if let Err(e) = copy_points(batch, input) {
            return FfiResult::error(FAILED, e);
        }
        output.clear();
        let r = inner.push(input, output);
        if r.is_ok() {
            emit(output, ffi, &sink);
        }
        r.into()
    })
}

unsafe extern "C" fn state_finish(state: *mut c_void, sink: FfiPointSink) -> FfiResult {
    let s = &mut *(state as *mut ExportedState);
    let ExportedState {
        inner,
        what,
        output,
        ffi,
        ..
    } = s;
    guard(FAILED, what, || {
        output.clear();
        let r = inner.finish(output);
        if r.is_ok() {
            emit(output, ffi, &sink);
        }
        r.into()
    })
}

unsafe extern "C" fn state_release(state: *mut c_void) {
    guard_release(|| drop(Box::from_raw(state as *mut ExportedState)));
}
