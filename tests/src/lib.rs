//! Helpers for end-to-end tests: start the real binary, talk HTTP and telnet to it.

pub mod client;
pub mod http;
pub mod json;
pub mod poll;
pub mod server;
pub mod telnet;

pub use client::string_results;
pub use http::Response;
pub use poll::{eventually, eventually_within};
pub use server::{Server, ServerOptions};
pub use telnet::TelnetClient;

/// Absolute path of a file under the shared conformance folder (`/work/shared/conformance` or
/// `$KAIROSDB_CONFORMANCE_DIR`).
pub fn conformance_path(rel: &str) -> std::path::PathBuf {
    let base = std::env::var_os("KAIROSDB_CONFORMANCE_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance")
        });
    base.join(rel)
}

/// Text of a conformance file; panics with the path when missing.
pub fn conformance_file(rel: &str) -> String {
    let p = conformance_path(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}
