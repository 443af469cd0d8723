#!/usr/bin/env bash
# Runs every test of kairosdb-rs on a fresh machine: checks formatting and lints, builds the
# server binary the end-to-end tests start, then runs the unit and end-to-end suites.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
    echo "test-all: cargo not found; install Rust (https://rustup.rs) first" >&2
    exit 1
fi

# A clean run writes about 6 GB (target/ and the services in .cache/); say so up front when the
# disk is short, since a full disk otherwise shows up as a compiler or Cassandra failure.
free_kb=$(df -Pk . | awk 'NR == 2 {print $4}')
if [ "${free_kb:-0}" -lt $((6 * 1024 * 1024)) ]; then
    echo "test-all: warning: only $((free_kb / 1024)) MB free under $PWD; a clean run needs about 6 GB" >&2
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== build the server binary and the plugin libraries used by the end-to-end tests"
cargo build -p kairosdb-server --bin kairosdb
cargo build -p mad-aggregator -p modulo-group-by \
    -p plugin-no-entry -p plugin-wrong-version -p plugin-clash -p plugin-faulty
echo "== deployment files: hadolint, helm lint, rendered manifests (installs both into .cache/ once)"
./scripts/deploy-lint.sh
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

# Everything below runs against real services the scripts install from Maven Central and
# start on loopback: one Cassandra and one Java KairosDB, shared by the tests that need them.
cleanup() {
    JAVA_KAIROSDB_RUN_DIR="$PWD/.cache/java-kairosdb/run-1.2" ./scripts/java-kairosdb.sh stop >/dev/null 2>&1 || true
    ./scripts/java-kairosdb.sh stop >/dev/null 2>&1 || true
    ./scripts/cassandra.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
echo "== start the test Cassandra (scripts/cassandra.sh)"
CASSANDRA_HEAP_MAX="${CASSANDRA_HEAP_MAX:-2g}" CASSANDRA_NATIVE_PORT=auto CASSANDRA_STORAGE_PORT=auto \
    ./scripts/cassandra.sh start
eval "$(./scripts/cassandra.sh env)"
export KAIROSDB_TEST_CASSANDRA="$CASSANDRA_HOST:$CASSANDRA_NATIVE_PORT"
export KAIROSDB_TEST_CASSANDRA_TLS_CA="$CASSANDRA_TLS_CA"
export KAIROSDB_TEST_CASSANDRA_PID="$CASSANDRA_PID"
echo "== the end-to-end suite again, on the Cassandra datastore (a keyspace per server)"
KAIROSDB_TEST_DATASTORE=cassandra KAIROSDB_TESTS_HUGE_MB=20 cargo test -p kairosdb-tests
echo "== the 1.2-to-Rust upgrade path: Java KairosDB 1.2.1-1 on a pre-1.3 (LEGACY) keyspace"
# One Java node at a time, each version in a run directory of its own.
java12() {
    JAVA_KAIROSDB_VERSION=1.2.1-1 JAVA_KAIROSDB_RUN_DIR="$PWD/.cache/java-kairosdb/run-1.2" \
        JAVA_KAIROSDB_KEYSPACE=kairosdb12 JAVA_KAIROSDB_DATASTORE=cassandra \
        JAVA_KAIROSDB_HTTP_PORT=auto JAVA_KAIROSDB_TELNET_PORT=auto ./scripts/java-kairosdb.sh "$@"
}
java12 start
eval "$(java12 env)"
KAIROSDB_TEST_JAVA_URL="$JAVA_KAIROSDB_URL" KAIROSDB_TEST_JAVA_KEYSPACE=kairosdb12 \
    cargo test -p kairosdb-tests --features java-compat --test cassandra_java
java12 stop
echo "== start Java KairosDB 1.3 on the same Cassandra (scripts/java-kairosdb.sh)"
JAVA_KAIROSDB_DATASTORE=cassandra JAVA_KAIROSDB_HTTP_PORT=auto JAVA_KAIROSDB_TELNET_PORT=auto \
    ./scripts/java-kairosdb.sh start
eval "$(./scripts/java-kairosdb.sh env)"
export KAIROSDB_TEST_JAVA_URL="$JAVA_KAIROSDB_URL"
echo "== Cassandra storage bytes, and cross-compatibility with the Java node on one keyspace"
cargo test -p kairosdb-tests --features java-compat --test cassandra --test cassandra_java \
    --test cassandra_tls --test services --test cassandra_health --test backpressure
echo "== differential conformance: same data and same requests to Java and Rust (prints a summary)"
cargo test -p kairosdb-tests --features java-compat --test differential -- --nocapture
