#!/usr/bin/env bash
# Runs every test of kairosdb-rs on a fresh machine: checks formatting and lints, builds the
# server binary the end-to-end tests start, then runs the unit and end-to-end suites.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
    echo "test-all: cargo not found; install Rust (https://rustup.rs) first" >&2
    exit 1
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== build the server binary and the plugin libraries used by the end-to-end tests"
cargo build -p kairosdb-server --bin kairosdb
cargo build -p mad-aggregator -p modulo-group-by \
    -p plugin-no-entry -p plugin-wrong-version -p plugin-clash -p plugin-faulty
echo "== cargo test"
cargo test --workspace
