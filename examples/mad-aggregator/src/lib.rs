//! An example third-party kairosdb-rs plugin, built only against `plugin-api`:
//!
//! - `mad`: the median absolute deviation of each sampling range, `median(|x - median(x)|)`,
//!   times an optional `scale` (1.4826 makes it a consistent estimate of the standard
//!   deviation of normal data);
//! - `plugin_sum`: the sum of each sampling range, a mirror of the built-in `sum` used to
//!   measure the cost of the plugin boundary.
//!
//! Both take `"sampling": {"value": N, "unit": "minutes"}`; ranges are aligned to multiples
//! of the sampling width since the epoch (UTC) and each result carries its range's start.

mod params;
mod range;

use plugin_api::ffi::PluginExports;

pub use params::Sampling;
pub use range::{MadFactory, PluginSumFactory};

/// The plugin's constructor: what it adds to the server's registry.
fn plugin() -> Result<PluginExports, String> {
    Ok(PluginExports::new()
        .aggregator(MadFactory)
        .aggregator(PluginSumFactory))
}

plugin_api::export_plugin!(plugin);
