//! Loads one plugin library: open it, find the entry symbol, check the API version before
//! anything else, run the constructor, and register every factory or none.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use libloading::Library;
use plugin_api::ffi::{load_plugin, read_api_version, EntryFn, FfiPluginRoot, ENTRY_SYMBOL};
use plugin_api::{Registry, API_VERSION};

/// Why a plugin library was refused; the server logs it and goes on without the plugin.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The configured plugin directory could not be listed.
    #[error("cannot read plugin directory {path}: {reason}")]
    UnreadableDirectory {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        reason: String,
    },
    /// The library does not exist or the dynamic loader refused it.
    #[error("refused plugin {path}: cannot open the library: {reason}")]
    MissingLibrary {
        /// The library.
        path: PathBuf,
        /// The loader's error.
        reason: String,
    },
    /// The library has no `kairosdb_plugin_root` (or it returned no root).
    #[error("refused plugin {path}: no entry symbol `{ENTRY_SYMBOL}`: {reason}")]
    MissingSymbol {
        /// The library.
        path: PathBuf,
        /// The loader's error.
        reason: String,
    },
    /// The plugin was built against another plugin API version.
    #[error("refused plugin {path}: incompatible plugin API: {reason}")]
    IncompatibleVersion {
        /// The library.
        path: PathBuf,
        /// Which versions (or root sizes) differ.
        reason: String,
    },
    /// A processor name is taken by a built-in or an earlier plugin.
    #[error("refused plugin {path}: {kind} '{name}' clashes with a built-in or an earlier plugin")]
    NameClash {
        /// The library.
        path: PathBuf,
        /// `aggregator` or `group-by`.
        kind: &'static str,
        /// The taken name.
        name: String,
    },
    /// The plugin's constructor returned an error or panicked.
    #[error("refused plugin {path}: its constructor failed: {reason}")]
    Constructor {
        /// The library.
        path: PathBuf,
        /// The plugin's message.
        reason: String,
    },
}

/// Every library whose code ran: never unloaded, because the registry points into it and
/// unloading Rust code with live thread-local destructors is never safe.
static LIBRARIES: Mutex<Vec<Library>> = Mutex::new(Vec::new());

/// What a loaded plugin added to the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedSummary {
    /// The plugin's declared name.
    pub name: String,
    /// The plugin's declared version.
    pub version: String,
    /// Its aggregator names.
    pub aggregators: Vec<String>,
    /// Its group-by names.
    pub group_bys: Vec<String>,
}

/// Loads the library at `path` and registers its processors in `registry`.
pub fn load_library(path: &Path, registry: &mut Registry) -> Result<LoadedSummary, PluginError> {
    let at = || path.to_path_buf();
    // SAFETY: opening a library runs its initialisers; plugins are trusted by configuration.
    let lib = unsafe { Library::new(path) }.map_err(|e| PluginError::MissingLibrary {
        path: at(),
        reason: e.to_string(),
    })?;
    // SAFETY: the symbol is only called with the type every plugin API version exports.
    let entry: EntryFn = match unsafe { lib.get::<EntryFn>(ENTRY_SYMBOL.as_bytes()) } {
        Ok(sym) => *sym,
        Err(e) => {
            return Err(PluginError::MissingSymbol {
                path: at(),
                reason: e.to_string(),
            })
        }
    };
    // From here on plugin code runs: keep the library loaded for the life of the process.
    LIBRARIES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(lib);
    // SAFETY: a root is a static of the library, which is never unloaded.
    let root = unsafe { entry() };
    if root.is_null() {
        return Err(PluginError::MissingSymbol {
            path: at(),
            reason: "it returned no root".into(),
        });
    }
    // SAFETY: `root` is non-null and static; `register_root` reads the version first.
    unsafe { register_root(path, root, registry) }
}

/// Checks the root's version and size, runs the constructor, and registers every factory, or
/// none when one name is taken.
///
/// # Safety
/// `root` must point to a live plugin root whose code stays loaded for the process lifetime.
pub unsafe fn register_root(
    path: &Path,
    root: *const FfiPluginRoot,
    registry: &mut Registry,
) -> Result<LoadedSummary, PluginError> {
    let at = || path.to_path_buf();
    let incompatible = |reason: String| PluginError::IncompatibleVersion { path: at(), reason };
    let found = read_api_version(root);
    if found != API_VERSION {
        return Err(incompatible(format!(
            "built for version {found}, this server loads version {API_VERSION}"
        )));
    }
    let root = &*root;
    let size = std::mem::size_of::<FfiPluginRoot>();
    if root.size < size {
        return Err(incompatible(format!(
            "its version {found} root has {} bytes, expected at least {size}",
            root.size
        )));
    }
    let loaded =
        load_plugin(root).map_err(|reason| PluginError::Constructor { path: at(), reason })?;
    let mut next = registry.clone();
    let mut summary = LoadedSummary {
        name: loaded.name,
        version: loaded.version,
        aggregators: Vec::new(),
        group_bys: Vec::new(),
    };
    for f in loaded.aggregators {
        let name = plugin_api::AggregatorFactory::name(&f).to_string();
        next.register_aggregator(Arc::new(f))
            .map_err(|_| PluginError::NameClash {
                path: at(),
                kind: "aggregator",
                name: name.clone(),
            })?;
        summary.aggregators.push(name);
    }
    for f in loaded.group_bys {
        let name = plugin_api::GroupByFactory::name(&f).to_string();
        next.register_group_by(Arc::new(f))
            .map_err(|_| PluginError::NameClash {
                path: at(),
                kind: "group-by",
                name: name.clone(),
            })?;
        summary.group_bys.push(name);
    }
    *registry = next;
    Ok(summary)
}

#[cfg(test)]
mod tests;
