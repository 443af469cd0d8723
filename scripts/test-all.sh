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
echo "== plugin FFI round trips under valgrind (memory errors and leaks across the boundary)"
if command -v valgrind >/dev/null 2>&1; then
    ffi_tests=$(cargo test -p kairosdb-plugin-api --lib --no-run --message-format=json 2>/dev/null \
        | sed -n 's/.*"executable":"\([^"]*plugin_api-[^"]*\)".*/\1/p' | head -n 1)
    valgrind -q --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
        --error-exitcode=9 \
        "$ffi_tests" ffi --test-threads=1
else
    echo "valgrind not installed: skipped"
fi
echo "== plugins built by another Rust compiler (nightly), loaded by this server"
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    cargo +nightly build -p mad-aggregator -p modulo-group-by \
        -p plugin-no-entry -p plugin-wrong-version -p plugin-clash -p plugin-faulty \
        --target-dir target/other-rustc
    KAIROSDB_PLUGIN_LIBS="$PWD/target/other-rustc/debug" cargo test -p kairosdb-tests --test plugins
else
    echo "no nightly toolchain: skipped"
fi
