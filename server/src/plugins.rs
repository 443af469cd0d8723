//! Third-party aggregators and group-bys, loaded at start-up from dynamic libraries
//! (`kairosdb.plugins.directory`, `kairosdb.plugins.paths`) and registered after the
//! built-ins. A refused library is logged on one line with its path and reason; the server
//! starts without it.

pub mod loader;

use std::collections::HashSet;
use std::path::PathBuf;

use plugin_api::Registry;

pub use loader::{load_library, LoadedSummary, PluginError};

use crate::config::PluginOptions;

/// The libraries to load: the directory's shared libraries by file name, then the listed
/// paths; a library reached twice (same canonical path) once.
pub fn candidates(options: &PluginOptions) -> (Vec<PathBuf>, Vec<PluginError>) {
    let mut paths = Vec::new();
    let mut errors = Vec::new();
    if let Some(dir) = &options.directory {
        match std::fs::read_dir(dir) {
            Ok(entries) => {
                let mut found: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.is_file()
                            && p.file_name()
                                .and_then(|n| n.to_str())
                                .is_some_and(|n| n.ends_with(std::env::consts::DLL_SUFFIX))
                    })
                    .collect();
                found.sort();
                paths.extend(found);
            }
            Err(e) => errors.push(PluginError::UnreadableDirectory {
                path: dir.clone(),
                reason: e.to_string(),
            }),
        }
    }
    paths.extend(options.paths.iter().cloned());
    let mut seen = HashSet::new();
    paths.retain(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
    (paths, errors)
}

/// Loads every configured plugin into `registry`, logging each outcome; returns what loaded.
pub fn load_all(options: &PluginOptions, registry: &mut Registry) -> Vec<LoadedSummary> {
    let (paths, errors) = candidates(options);
    for e in errors {
        tracing::error!("{e}");
    }
    let mut loaded = Vec::new();
    for path in paths {
        match load_library(&path, registry) {
            Ok(s) => {
                tracing::info!(
                    path = %path.display(),
                    plugin = %s.name,
                    version = %s.version,
                    aggregators = ?s.aggregators,
                    group_bys = ?s.group_bys,
                    "plugin loaded"
                );
                loaded.push(s);
            }
            Err(e) => tracing::error!("{e}"),
        }
    }
    loaded
}
