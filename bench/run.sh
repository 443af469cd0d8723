#!/usr/bin/env bash
# One command for the side-by-side figures of issue 8: builds release binaries, starts
# kairosdb-rs and the Java KairosDB on the same machine and the same backend (our embedded
# store against Java's H2; both on the test Cassandra, plus the scylla driver writing the same
# rows directly), runs the same ingest and query scenarios against each, and writes
# bench/SIDE_BY_SIDE.md: the table with ratios, the machine, the commit and every command.
#
#   bench/run.sh            the full run (60 s ingest scenarios; about 25 minutes)
#   bench/run.sh --quick    short scenarios (about 8 minutes), for checking the script
#
# Needs what scripts/cassandra.sh and scripts/java-kairosdb.sh need (JDK 17, mvn, python3).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
QUICK=0
[ "${1:-}" != --quick ] || QUICK=1
if [ "$QUICK" = 1 ]; then DUR=10; POINTS=1000000; QDUR=10; else DUR=60; POINTS=100000000; QDUR=30; fi
OUT="$ROOT/bench/SIDE_BY_SIDE.md"
WORK="$(mktemp -d /tmp/kairosdb-bench.XXXXXX)"
LOG="$WORK/log"
mkdir -p "$LOG"
RS_PID=""
JAVA_RUN="$ROOT/.cache/java-kairosdb/run-bench"

say() { printf 'bench: %s\n' "$*" >&2; }
cleanup() {
    [ -z "$RS_PID" ] || kill "$RS_PID" 2>/dev/null || true
    JAVA_KAIROSDB_RUN_DIR="$JAVA_RUN" ./scripts/java-kairosdb.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

say "building release binaries"
cargo build --release -q -p kairosdb-server --bin kairosdb
cargo build --release -q -p kairosdb-bench --bin ingest --bin query --bin cassandra_raw
BIN="$ROOT/target/release"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }
hwm_mb() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }
java_pid() { cat "$JAVA_RUN/kairosdb.pid"; }

# Starts kairosdb-rs with extra environment ($@ as VAR=value); sets RS_PID, RS_HTTP, RS_TELNET.
start_rs() {
    RS_HTTP="127.0.0.1:$(free_port)"
    RS_TELNET="127.0.0.1:$(free_port)"
    local data="$WORK/rs-data-$RANDOM"
    env "$@" "$BIN/kairosdb" --data-dir "$data" --bind "$RS_HTTP" --telnet "$RS_TELNET" \
        >"$LOG/rs-$RANDOM.log" 2>&1 &
    RS_PID=$!
    for _ in $(seq 1 300); do
        curl -sf "http://$RS_HTTP/api/v1/version" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    say "kairosdb-rs did not start"; return 1
}
stop_rs() { kill "$RS_PID"; wait "$RS_PID" 2>/dev/null || true; RS_PID=""; }

# Starts the Java KairosDB (datastore $1: h2 or cassandra) in its own run directory.
start_java() {
    JAVA_KAIROSDB_RUN_DIR="$JAVA_RUN" ./scripts/java-kairosdb.sh stop >/dev/null 2>&1 || true
    rm -rf "$JAVA_RUN"
    JAVA_KAIROSDB_RUN_DIR="$JAVA_RUN" JAVA_KAIROSDB_DATASTORE="$1" JAVA_KAIROSDB_HEAP_MAX=1g \
        JAVA_KAIROSDB_KEYSPACE="bench_java_$$" JAVA_KAIROSDB_HTTP_PORT=auto JAVA_KAIROSDB_TELNET_PORT=auto \
        ./scripts/java-kairosdb.sh start >&2
    eval "$(JAVA_KAIROSDB_RUN_DIR="$JAVA_RUN" ./scripts/java-kairosdb.sh env)"
    J_HTTP="${JAVA_KAIROSDB_URL#http://}"
    J_TELNET="127.0.0.1:$JAVA_KAIROSDB_TELNET_PORT"
}
stop_java() { JAVA_KAIROSDB_RUN_DIR="$JAVA_RUN" ./scripts/java-kairosdb.sh stop >&2; }

# ingest NAME HTTP TELNET ARGS...: runs the ingest tool, prints points/s (or "failed").
ingest() {
    local name="$1" http="$2" telnet="$3"
    shift 3
    local out="$LOG/ingest-$name.txt"
    echo "ingest --http $http --telnet $telnet $*" >"$out"
    if "$BIN/ingest" --http "$http" --telnet "$telnet" --duration "$DUR" --points "$POINTS" "$@" >>"$out" 2>&1; then
        sed -n 's/^ingest: .* = \([0-9]*\) points\/s$/\1/p' "$out" | tail -n 1
    else
        echo "failed"
    fi
}

# query NAME HTTP KIND ARGS...: p95 latency (ms) of KIND from the query tool.
query() {
    local name="$1" http="$2" kind="$3"
    shift 3
    local out="$LOG/query-$name.txt"
    echo "query --http $http $*" >"$out"
    "$BIN/query" --http "$http" --duration "$QDUR" "$@" >>"$out" 2>&1 || true
    grep -F "$kind" "$out" | grep -F "p95" | sed -n 's/.*p95 *\([0-9.]*\) ms.*/\1/p' | head -n 1
}

ratio() { python3 -c "import sys; a,b=sys.argv[1],sys.argv[2]
try: print(f'{float(a)/float(b):.1f}x')
except Exception: print('–')" "$1" "$2"; }

ROWS=()
row() { ROWS+=("| $1 | $2 | $3 | $4 |"); }

# ---- embedded store vs H2 ---------------------------------------------------------------
say "kairosdb-rs, embedded store"
start_rs
RS_IDLE=$(rss_mb "$RS_PID")
rs_http=$(ingest rs-http "$RS_HTTP" "$RS_TELNET" --mode http --batch 1000 --concurrency 4)
rs_telnet=$(ingest rs-telnet "$RS_HTTP" "$RS_TELNET" --mode telnet)
rs_single=$(ingest rs-single "$RS_HTTP" "$RS_TELNET" --mode http --batch 1 --concurrency 4)
RS_PEAK=$(hwm_mb "$RS_PID")
rs_raw=$(query rs-raw "$RS_HTTP" "raw 1 series" --mix raw --seed-series 100)
rs_agg=$(query rs-agg "$RS_HTTP" "avg/1min group_by" --mix agg --seed-series 1000 --seed-interval-ms 10000)
RS_QPEAK=$(hwm_mb "$RS_PID")
stop_rs

say "Java KairosDB, H2"
start_java h2
J_IDLE=$(rss_mb "$(java_pid)")
j_http=$(ingest java-http "$J_HTTP" "$J_TELNET" --mode http --batch 1000 --concurrency 4)
j_telnet=$(ingest java-telnet "$J_HTTP" "$J_TELNET" --mode telnet)
j_single=$(ingest java-single "$J_HTTP" "$J_TELNET" --mode http --batch 1 --concurrency 4)
J_PEAK=$(hwm_mb "$(java_pid)")
j_raw=$(query java-raw "$J_HTTP" "raw 1 series" --mix raw --seed-series 100)
j_agg=$(query java-agg "$J_HTTP" "avg/1min group_by" --mix agg --seed-series 1000 --seed-interval-ms 10000)
stop_java

row "embedded vs H2: HTTP ingest, 1,000-point batches (points/s)" "$rs_http" "$j_http" "$(ratio "$rs_http" "$j_http")"
row "embedded vs H2: telnet putm (points/s)" "$rs_telnet" "$j_telnet" "$(ratio "$rs_telnet" "$j_telnet")"
row "embedded vs H2: HTTP, one point per request (points/s)" "$rs_single" "$j_single" "$(ratio "$rs_single" "$j_single")"
row "embedded vs H2: raw, 1 series 1 day, p95 (ms; lower is better)" "$rs_raw" "$j_raw" "$(ratio "$j_raw" "$rs_raw")"
row "embedded vs H2: avg/1min group_by dc, p95 (ms; lower is better)" "$rs_agg" "$j_agg" "$(ratio "$j_agg" "$rs_agg")"
row "embedded vs H2: RSS idle (MB; lower is better)" "$RS_IDLE" "$J_IDLE" "$(ratio "$J_IDLE" "$RS_IDLE")"
row "embedded vs H2: peak RSS during ingest (MB; lower is better)" "$RS_PEAK" "$J_PEAK" "$(ratio "$J_PEAK" "$RS_PEAK")"

# ---- series scaling on the embedded store -------------------------------------------------
SCALE=()
for n in 1000 10000 100000; do
    say "kairosdb-rs, embedded, $n series"
    start_rs
    r=$(ingest "rs-series-$n" "$RS_HTTP" "$RS_TELNET" --mode http --batch 1000 --concurrency 4 --series "$n")
    SCALE+=("| $n | $r | $(hwm_mb "$RS_PID") |")
    stop_rs
done

# ---- Cassandra ----------------------------------------------------------------------------
say "the test Cassandra"
CASSANDRA_NATIVE_PORT=auto CASSANDRA_STORAGE_PORT=auto ./scripts/cassandra.sh start >&2
eval "$(./scripts/cassandra.sh env)"
CONTACT="$CASSANDRA_HOST:$CASSANDRA_NATIVE_PORT"
raw=$("$BIN/cassandra_raw" --contact "$CONTACT" --points 1000000 2>&1 | tee "$LOG/cassandra-raw.txt" |
    sed -n 's/.* = \([0-9]*\) points\/s.*/\1/p')
start_rs KAIROSDB_DATASTORE=cassandra KAIROSDB_CASSANDRA_CONTACT_POINTS="$CONTACT" \
    KAIROSDB_CASSANDRA_KEYSPACE="bench_rs_$$"
c_rs=$(ingest rs-cassandra "$RS_HTTP" "$RS_TELNET" --mode http --batch 1000 --concurrency 4)
c_rs_raw=$(query rs-cassandra-raw "$RS_HTTP" "raw 1 series" --mix raw --seed-series 100)
C_RS_PEAK=$(hwm_mb "$RS_PID")
stop_rs
JAVA_KAIROSDB_CASSANDRA_HOSTS="$CONTACT" start_java cassandra
c_j=$(ingest java-cassandra "$J_HTTP" "$J_TELNET" --mode http --batch 1000 --concurrency 4)
c_j_raw=$(query java-cassandra-raw "$J_HTTP" "raw 1 series" --mix raw --seed-series 100)
C_J_PEAK=$(hwm_mb "$(java_pid)")
stop_java
./scripts/cassandra.sh cqlsh -e "DROP KEYSPACE IF EXISTS bench_rs_$$; DROP KEYSPACE IF EXISTS bench_java_$$" >/dev/null 2>&1 || true

row "Cassandra: HTTP ingest, 1,000-point batches (points/s)" "$c_rs" "$c_j" "$(ratio "$c_rs" "$c_j")"
row "Cassandra: raw, 1 series 1 day, p95 (ms; lower is better)" "$c_rs_raw" "$c_j_raw" "$(ratio "$c_j_raw" "$c_rs_raw")"
row "Cassandra: peak RSS (MB; lower is better)" "$C_RS_PEAK" "$C_J_PEAK" "$(ratio "$C_J_PEAK" "$C_RS_PEAK")"

{
    echo "# Side by side with the Java KairosDB (generated by bench/run.sh$([ "$QUICK" = 0 ] || echo ' --quick'))"
    echo
    echo "Machine: $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM;"
    echo "load generators on the same machine. Commit $(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes'), $(date -u +%F)."
    echo "Java: KairosDB ${JAVA_KAIROSDB_VERSION:-1.3.0-1} (scripts/java-kairosdb.sh) on JDK $(java -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p'), heap 1 GiB."
    echo "Ingest scenarios: ${DUR} s or ${POINTS} points each, 10,000 series; queries: ${QDUR} s each, 2 threads."
    echo
    echo "| scenario | kairosdb-rs | Java | ratio (rs better by) |"
    echo "|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "Cassandra itself (scylla driver, the same data_points rows, UNLOGGED batches of 200, 32 in flight): ${raw:-?} points/s;"
    echo "kairosdb-rs reaches $(python3 -c "import sys
try: print(f'{100*float(sys.argv[1])/float(sys.argv[2]):.0f} %')
except Exception: print('–')" "$c_rs" "$raw") of it."
    echo
    echo "## Series count (kairosdb-rs, embedded, HTTP 1,000-point batches)"
    echo
    echo "| series | points/s | peak RSS (MB) |"
    echo "|---|---|---|"
    printf '%s\n' "${SCALE[@]}"
    echo
    echo "Peak RSS of kairosdb-rs during the query scenarios (1,000 series seeded): ${RS_QPEAK} MB."
    echo "Raw outputs of every tool: $LOG (kept until reboot)."
} >"$OUT"
say "wrote $OUT"
cat "$OUT"
