//! Host side of a plugin's root: read its version, then run its `load` and wrap what it hands
//! over. Opening the library and finding the entry symbol are the host's business.

use std::ffi::c_void;

use super::{ForeignAggregatorFactory, ForeignGroupByFactory};
use crate::ffi::result::{guard, FfiErrorKind, FfiResult};
use crate::ffi::vtable::{FfiAggregatorFactory, FfiGroupByFactory, FfiRegistrar};
use crate::ffi::FfiPluginRoot;

/// What a plugin's `load` registered, ready for the [`crate::Registry`].
pub struct LoadedPlugin {
    /// The plugin's crate name, as it declares it.
    pub name: String,
    /// The plugin's own version, as it declares it.
    pub version: String,
    /// Its aggregator factories, in the order it registered them.
    pub aggregators: Vec<ForeignAggregatorFactory>,
    /// Its group-by factories, in the order it registered them.
    pub group_bys: Vec<ForeignGroupByFactory>,
}

/// Reads only the first field of a root: the API version the plugin was built against.
///
/// # Safety
/// `root` must point to at least 4 readable, aligned bytes (every root version starts so).
pub unsafe fn read_api_version(root: *const FfiPluginRoot) -> u32 {
    (root as *const u32).read()
}

/// The registrar's collection.
#[derive(Default)]
struct Collected {
    aggregators: Vec<ForeignAggregatorFactory>,
    group_bys: Vec<ForeignGroupByFactory>,
    error: Option<String>,
}

impl Collected {
    fn keep<T>(&mut self, r: Result<T, String>, into: impl FnOnce(&mut Self, T)) {
        match r {
            Ok(v) => into(self, v),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
    }
}

unsafe extern "C" fn add_aggregator(ctx: *mut c_void, vt: FfiAggregatorFactory) {
    let c = &mut *(ctx as *mut Collected);
    guard(FfiErrorKind::INTERNAL, "the host's registrar", || {
        c.keep(ForeignAggregatorFactory::new(vt), |c, f| {
            c.aggregators.push(f)
        });
        FfiResult::ok()
    });
}

unsafe extern "C" fn add_group_by(ctx: *mut c_void, vt: FfiGroupByFactory) {
    let c = &mut *(ctx as *mut Collected);
    guard(FfiErrorKind::INTERNAL, "the host's registrar", || {
        c.keep(ForeignGroupByFactory::new(vt), |c, f| c.group_bys.push(f));
        FfiResult::ok()
    });
}

/// Runs the plugin's constructor and wraps its factories; `Err` carries the reason.
///
/// # Safety
/// `root` must be a root of the current [`crate::API_VERSION`] (check it with
/// [`read_api_version`] first), and the library must stay loaded while the result lives.
pub unsafe fn load_plugin(root: &FfiPluginRoot) -> Result<LoadedPlugin, String> {
    let min = std::mem::size_of::<FfiPluginRoot>();
    if root.size < min {
        return Err(format!(
            "its root has {} bytes, this version has {min}",
            root.size
        ));
    }
    let mut collected = Collected::default();
    let registrar = FfiRegistrar {
        ctx: &mut collected as *mut Collected as *mut c_void,
        add_aggregator,
        add_group_by,
    };
    let r = (root.load)(registrar);
    if !r.is_ok() {
        return Err(r.message().unwrap_or_else(|| "null".into()));
    }
    if let Some(e) = collected.error {
        return Err(e);
    }
    let text = |s: crate::ffi::FfiStr| s.to_str().unwrap_or("?").to_string();
    Ok(LoadedPlugin {
        name: text(root.name),
        version: text(root.version),
        aggregators: collected.aggregators,
        group_bys: collected.group_bys,
    })
}
