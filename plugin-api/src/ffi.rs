//! The binary boundary between the server and plugins built as dynamic libraries.
//!
//! Only `#[repr(C)]` types and `extern "C"` functions cross it, so a plugin built with another
//! Rust compiler (or another copy of this crate of the same [`API_VERSION`]) works. A plugin
//! author never touches this module directly: implement [`crate::AggregatorFactory`] /
//! [`crate::GroupByFactory`] as the built-ins do and call [`export_plugin!`](crate::export_plugin).
//!
//! - **Entry**: the library exports [`ENTRY_SYMBOL`], an [`EntryFn`] returning a static
//!   [`FfiPluginRoot`]. Its first field is the API version; the host reads it before anything
//!   else and refuses any other version. Later versions only append fields (`size` tells how
//!   many the plugin has).
//! - **Load**: the root's `load` runs the plugin's constructor and hands each factory to the
//!   host through an [`FfiRegistrar`]; vtables ([`vtable`]) carry an opaque state pointer,
//!   function pointers and `release`.
//! - **Data**: points cross as borrowed [`FfiPointSlice`]s of [`FfiPoint`] (timestamp, value
//!   kind, value bits; text as a borrowed pointer + length, null as a kind without payload);
//!   output points go back through the host's [`FfiPointSink`], which copies them.
//! - **JSON**: parameters, the query context (without its sink: plugins cannot write points),
//!   group info and metadata cross as JSON strings ([`json`]).
//! - **Errors**: every call returns an [`FfiResult`] (kind `Invalid`, `InvalidNoContext`,
//!   `Internal` or `Failed` plus a message), mapped back to [`crate::ParamError`] (HTTP 400 or
//!   500) or [`crate::AggregateError`] (HTTP 500).
//! - **Panics**: every exported function runs under [`guard`], so a panic in plugin code
//!   becomes an error result, never an abort. Plugins must be built with `panic = "unwind"`
//!   (the default).
//! - **Memory**: each side frees what it allocated ([`FfiString::release`], vtable `release`).

pub mod export;
pub mod foreign;
pub mod json;
pub mod result;
pub mod types;
pub mod vtable;

#[cfg(test)]
mod tests;

use std::sync::Arc;

pub use export::{export_aggregator, export_group_by};
pub use foreign::{
    load_plugin, read_api_version, ForeignAggregator, ForeignAggregatorFactory, ForeignGroupBy,
    ForeignGroupByFactory, LoadedPlugin,
};
pub use result::{guard, FfiErrorKind, FfiResult};
pub use types::{FfiPoint, FfiPointSink, FfiPointSlice, FfiStr, FfiString};
pub use vtable::{
    FfiAggregator, FfiAggregatorFactory, FfiAggregatorState, FfiGroupBy, FfiGroupByFactory,
    FfiRegistrar,
};

use crate::{AggregatorFactory, GroupByFactory, API_VERSION};

/// Name of the symbol every plugin library exports (an [`EntryFn`]).
pub const ENTRY_SYMBOL: &str = "kairosdb_plugin_root";

/// The entry symbol's type: returns the plugin's static root.
pub type EntryFn = unsafe extern "C" fn() -> *const FfiPluginRoot;

/// The plugin's constructor as the root exposes it: hands every factory to `registrar`.
pub type LoadFn = unsafe extern "C" fn(registrar: FfiRegistrar) -> FfiResult;

/// What a plugin library exports; fields are only ever appended.
#[repr(C)]
#[derive(Debug)]
pub struct FfiPluginRoot {
    /// The [`API_VERSION`] the plugin was built against. Always the first field.
    pub api_version: u32,
    /// `size_of::<FfiPluginRoot>()` as the plugin was built (later versions are larger).
    pub size: usize,
    /// The plugin's name (its crate name), static.
    pub name: FfiStr,
    /// The plugin's own version, static.
    pub version: FfiStr,
    /// Runs the constructor and registers the factories.
    pub load: LoadFn,
}

// SAFETY: a root only holds static strings and a function pointer.
unsafe impl Sync for FfiPluginRoot {}

impl FfiPluginRoot {
    /// A root of this crate's [`API_VERSION`].
    pub const fn new(name: &'static str, version: &'static str, load: LoadFn) -> FfiPluginRoot {
        FfiPluginRoot {
            api_version: API_VERSION,
            size: std::mem::size_of::<FfiPluginRoot>(),
            name: FfiStr::new(name),
            version: FfiStr::new(version),
            load,
        }
    }
}

/// The factories a plugin exports, built by its constructor.
#[derive(Default)]
pub struct PluginExports {
    /// Aggregator factories.
    pub aggregators: Vec<Arc<dyn AggregatorFactory>>,
    /// Group-by factories.
    pub group_bys: Vec<Arc<dyn GroupByFactory>>,
}

impl PluginExports {
    /// No factories yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an aggregator factory.
    pub fn aggregator(mut self, f: impl AggregatorFactory + 'static) -> Self {
        self.aggregators.push(Arc::new(f));
        self
    }

    /// Adds a group-by factory.
    pub fn group_by(mut self, f: impl GroupByFactory + 'static) -> Self {
        self.group_bys.push(Arc::new(f));
        self
    }
}

/// The body of a plugin's `load`: runs `constructor` under [`guard`] and hands its factories
/// to the host (used by [`export_plugin!`](crate::export_plugin)).
///
/// # Safety
/// `registrar` must be the host's registrar, valid for this call.
pub unsafe fn load_exports(
    registrar: FfiRegistrar,
    constructor: impl FnOnce() -> Result<PluginExports, String>,
) -> FfiResult {
    guard(FfiErrorKind::INTERNAL, "the plugin constructor", || {
        let exports = match constructor() {
            Ok(e) => e,
            Err(e) => return FfiResult::error(FfiErrorKind::INTERNAL, e),
        };
        for f in exports.aggregators {
            (registrar.add_aggregator)(registrar.ctx, FfiAggregatorFactory::from(f));
        }
        for f in exports.group_bys {
            (registrar.add_group_by)(registrar.ctx, FfiGroupByFactory::from(f));
        }
        FfiResult::ok()
    })
}

/// Exports a plugin: generates the `kairosdb_plugin_root` entry symbol from a constructor
/// `fn() -> Result<PluginExports, String>` (an `Err` refuses the plugin with that reason).
///
/// ```ignore
/// fn plugin() -> Result<plugin_api::ffi::PluginExports, String> {
///     Ok(plugin_api::ffi::PluginExports::new().aggregator(MyFactory))
/// }
/// plugin_api::export_plugin!(plugin);
/// ```
#[macro_export]
macro_rules! export_plugin {
    ($constructor:path) => {
        /// The plugin's entry symbol (generated by `export_plugin!`).
        #[no_mangle]
        pub extern "C" fn kairosdb_plugin_root() -> *const $crate::ffi::FfiPluginRoot {
            unsafe extern "C" fn load(
                registrar: $crate::ffi::FfiRegistrar,
            ) -> $crate::ffi::FfiResult {
                $crate::ffi::load_exports(registrar, $constructor)
            }
            static ROOT: $crate::ffi::FfiPluginRoot = $crate::ffi::FfiPluginRoot::new(
                env!("CARGO_PKG_NAME"),
                env!("CARGO_PKG_VERSION"),
                load,
            );
            &ROOT
        }
    };
}
