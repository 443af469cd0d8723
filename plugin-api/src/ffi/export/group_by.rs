//! Plugin side of group-bys: vtables built from [`GroupByFactory`] and [`GroupBy`] objects.

use std::ffi::c_void;
use std::sync::Arc;

use super::{create_args, write_string};
use crate::ffi::result::{guard, guard_release, FfiErrorKind, FfiResult};
use crate::ffi::types::{copy_points, FfiPointSlice, FfiStr, FfiString};
use crate::ffi::vtable::{FfiGroupBy, FfiGroupByFactory};
use crate::{GroupBy, GroupByFactory};

const INTERNAL: FfiErrorKind = FfiErrorKind::INTERNAL;
const FAILED: FfiErrorKind = FfiErrorKind::FAILED;

/// A factory and its name (read once, for panic messages).
struct ExportedFactory {
    inner: Arc<dyn GroupByFactory>,
    name: String,
    what: String,
}

unsafe fn factory<'a>(state: *const c_void) -> &'a ExportedFactory {
    &*(state as *const ExportedFactory)
}

unsafe extern "C" fn factory_name(state: *const c_void, out: *mut FfiString) -> FfiResult {
    let f = factory(state);
    guard(INTERNAL, &f.what, || write_string(out, f.name.clone()))
}

unsafe extern "C" fn factory_metadata(state: *const c_void, out: *mut FfiString) -> FfiResult {
    let f = factory(state);
    guard(INTERNAL, &f.what, || {
        match serde_json::to_string(&f.inner.metadata()) {
            Ok(json) => write_string(out, json),
            Err(e) => FfiResult::error(INTERNAL, format!("cannot write metadata: {e}")),
        }
    })
}

unsafe extern "C" fn factory_create(
    state: *const c_void,
    params: FfiStr,
    ctx: FfiStr,
    out: *mut FfiGroupBy,
) -> FfiResult {
    let f = factory(state);
    guard(INTERNAL, &f.what, || {
        let (params, ctx) = match create_args(params, ctx) {
            Ok(a) => a,
            Err(r) => return r,
        };
        match f.inner.create(&params, &ctx) {
            Ok(g) => {
                out.write(export_group_by(g, &f.name));
                FfiResult::ok()
            }
            Err(e) => e.into(),
        }
    })
}

unsafe extern "C" fn factory_release(state: *mut c_void) {
    guard_release(|| drop(Box::from_raw(state as *mut ExportedFactory)));
}

impl From<Arc<dyn GroupByFactory>> for FfiGroupByFactory {
    /// Exports `f`; calls `f.name()` once (call it where a panic is caught, as `load` does).
    fn from(f: Arc<dyn GroupByFactory>) -> FfiGroupByFactory {
        let name = f.name().to_string();
        let state = Box::new(ExportedFactory {
            what: format!("group-by '{name}'"),
            inner: f,
            name,
        });
        FfiGroupByFactory {
            state: Box::into_raw(state) as *mut c_void,
            name: factory_name,
            metadata: factory_metadata,
            create: factory_create,
            release: factory_release,
        }
    }
}

/// A configured group-by and its label.
struct Exported {
    inner: Box<dyn GroupBy>,
    what: String,
}

/// Builds the vtable of a configured group-by; `name` labels its panics.
pub fn export_group_by(inner: Box<dyn GroupBy>, name: &str) -> FfiGroupBy {
    let state = Box::new(Exported {
        inner,
        what: format!("group-by '{name}'"),
    });
    FfiGroupBy {
        state: Box::into_raw(state) as *mut c_void,
        tag_names,
        group_ids,
        result_json,
        release,
    }
}

unsafe extern "C" fn tag_names(state: *const c_void, out: *mut FfiString) -> FfiResult {
    let g = &*(state as *const Exported);
    guard(INTERNAL, &g.what, || {
        match serde_json::to_string(&g.inner.tag_names()) {
            Ok(json) => write_string(out, json),
            Err(e) => FfiResult::error(INTERNAL, format!("cannot write tag names: {e}")),
        }
    })
}

unsafe extern "C" fn group_ids(
    state: *const c_void,
    batch: FfiPointSlice,
    ids: *mut i64,
) -> FfiResult {
    let g = &*(state as *const Exported);
    guard(FAILED, &g.what, || {
        // `GroupBy` is shared between threads, so the buffers are per call.
        let mut points = Vec::new();
        if let Err(e) = copy_points(batch, &mut points) {
            return FfiResult::error(FAILED, e);
        }
        let mut out = Vec::with_capacity(points.len());
        if let Err(e) = g.inner.group_ids(&points, &mut out) {
            return e.into();
        }
        if out.len() != points.len() {
            let msg = format!(
                "{} gave {} group ids for {} points",
                g.what,
                out.len(),
                points.len()
            );
            return FfiResult::error(FAILED, msg);
        }
        if !out.is_empty() {
            std::ptr::copy_nonoverlapping(out.as_ptr(), ids, out.len());
        }
        FfiResult::ok()
    })
}

unsafe extern "C" fn result_json(state: *const c_void, id: i64, out: *mut FfiString) -> FfiResult {
    let g = &*(state as *const Exported);
    guard(FAILED, &g.what, || {
        write_string(out, g.inner.result_json(id))
    })
}

unsafe extern "C" fn release(state: *mut c_void) {
    guard_release(|| drop(Box::from_raw(state as *mut Exported)));
}
