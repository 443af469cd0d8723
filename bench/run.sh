#!/usr/bin/env bash
# One command for the side-by-side figures of issue 8: builds release binaries, starts
# kairosdb-rs and the Java KairosDB on the same machine and the same backend (our embedded
# store against Java's H2; both on a test Cassandra of our own, plus the scylla driver writing
# the same rows directly), runs the same ingest and query scenarios with the same data against
# each, measures how kairosdb-rs scales with series count and time span, and writes
# bench/SIDE_BY_SIDE.md: the tables with ratios, the machine, the commit and every command.
#
#   bench/run.sh            the full run (60 s ingest scenarios; about 30 minutes)
#   bench/run.sh --quick    short scenarios and smaller seeds (about 7 minutes), for checking
#
# BENCH_ONLY="h2 cassandra series span" runs only the named sections (default: all four).
# Needs what scripts/cassandra.sh and scripts/java-kairosdb.sh need (JDK 17, mvn, python3).
# Everything it starts (kairosdb-rs, the Java KairosDB, Cassandra) runs from its own
# directories under a fresh /tmp/kairosdb-bench.*, so instances someone else started are left
# alone, and everything it started is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
QUICK=0
case "${1:-}" in
    --quick) QUICK=1 ;;
    "") ;;
    *)
        sed -n '2,16p' "$0" >&2
        exit 2
        ;;
esac
ONLY="${BENCH_ONLY:-h2 cassandra series span}"
want() { [[ " $ONLY " == *" $1 "* ]]; }

# Scenario sizes. INGEST_S: seconds per ingest scenario; QUERY_S: seconds per query phase (each
# query scenario runs one phase with 1 client thread, then one with 2 unless said otherwise;
# 40 s so that a phase on Cassandra, where the grouped query takes over a second, still holds
# about 30 raw queries: with under 20, the p95 is the slowest one).
# CMP_*: the data set queried on both sides (H2 cannot take 8.64M points in sane time: it seeds
# at roughly 10k points/s, so both sides get 1,000 series at one point per minute).
if [ "$QUICK" = 1 ]; then
    INGEST_S=10 QUERY_S=5 SCALE_INGEST_S=5 RAW_S=10
    CMP_SERIES=1000 CMP_MINUTES=120 CMP_INTERVAL=60000
    TARGET_MINUTES=120 SCALE_MINUTES=10
else
    INGEST_S=60 QUERY_S=40 SCALE_INGEST_S=30 RAW_S=60
    CMP_SERIES=1000 CMP_MINUTES=1440 CMP_INTERVAL=60000
    TARGET_MINUTES=1440 SCALE_MINUTES=60
fi
POINTS=1000000000 # ingest runs are bounded by time, not by this
# The same-work memory scenario offers both sides this many points/s (below what Java on H2
# acknowledges, about 7k), so RSS is compared for the same work rather than at each side's limit.
SAME_RATE="${BENCH_SAME_RATE:-5000}"
SERIES=10000
OUT="$ROOT/bench/SIDE_BY_SIDE.md"
WORK="$(mktemp -d /tmp/kairosdb-bench.XXXXXX)"
LOG="$WORK/log"
mkdir -p "$LOG"
JAVA_RUN="$WORK/java"
export CASSANDRA_DIR="$WORK/cassandra" CASSANDRA_HEAP_MAX=2g
RS_PID="" RS_DATA="" SAMPLER_PID="" CASSANDRA_STARTED=0 JAVA_STARTED=0
T0=$(date +%s)
declare -A V=() # figures by key: numbers, or "failed"
declare -A N=() # sample counts of latency figures
declare -A NOTE=()

say() { printf 'bench: [%4ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
stop_sampler() {
    [ -z "$SAMPLER_PID" ] || kill "$SAMPLER_PID" 2>/dev/null || true
    [ -z "$SAMPLER_PID" ] || wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
}
cleanup() {
    stop_sampler
    if [ -n "$RS_PID" ]; then
        kill "$RS_PID" 2>/dev/null || true
        wait "$RS_PID" 2>/dev/null || true
    fi
    [ "$JAVA_STARTED" = 0 ] || JAVA_KAIROSDB_RUN_DIR="$JAVA_RUN" ./scripts/java-kairosdb.sh stop >/dev/null 2>&1 || true
    [ "$CASSANDRA_STARTED" = 0 ] || ./scripts/cassandra.sh stop >/dev/null 2>&1 || true
    rm -rf "$WORK"/rs-data-* "$JAVA_RUN"/h2db* "$JAVA_RUN"/queue-* "$CASSANDRA_DIR/data"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building release binaries"
# What the binaries are built from, taken now: the tree may change during the run.
BUILT_FROM="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- server protocols aggregators plugin-api || echo ' (server with uncommitted changes)')"
cargo build --release -q -p kairosdb-server --bin kairosdb
cargo build --release -q -p kairosdb-bench --bin ingest --bin query --bin cassandra_raw
BIN="$ROOT/target/release"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
rss_now_mb() { awk '/^VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

# Samples the RSS of PID every 0.25 s into FILE ("time kB" lines) until stopped or PID exits.
start_sampler() {
    local pid="$1" file="$2"
    (while [ -d "/proc/$pid" ]; do
        awk -v t="$(date +%s.%N)" '/^VmRSS/ {print t, $2}' "/proc/$pid/status" 2>/dev/null || true
        sleep 0.25
    done) >"$file" &
    SAMPLER_PID=$!
}
# peak_mb FILE FROM TO: the largest RSS sampled between the two times, in MB.
peak_mb() {
    awk -v a="$2" -v b="$3" '$1 >= a && $1 <= b && $2 > m {m = $2} END {if (m) printf "%.0f", m/1024; else print "failed"}' "$1"
}

# Starts kairosdb-rs with extra environment ($@ as VAR=value); sets RS_PID, RS_HTTP, RS_TELNET.
start_rs() {
    RS_HTTP="127.0.0.1:$(free_port)"
    RS_TELNET="127.0.0.1:$(free_port)"
    RS_DATA="$WORK/rs-data-$RANDOM"
    local log="$LOG/rs-server-$RANDOM.log"
    env "$@" "$BIN/kairosdb" --data-dir "$RS_DATA" --bind "$RS_HTTP" --telnet "$RS_TELNET" >"$log" 2>&1 &
    RS_PID=$!
    for _ in $(seq 1 1200); do
        curl -sf "http://$RS_HTTP/api/v1/version" >/dev/null 2>&1 && return 0
        [ -d "/proc/$RS_PID" ] || break
        sleep 0.1
    done
    tail -n 30 "$log" >&2
    say "kairosdb-rs did not start (log: $log)"
    exit 1
}
stop_rs() {
    kill "$RS_PID"
    wait "$RS_PID" 2>/dev/null || true
    RS_PID=""
    rm -rf "$RS_DATA"
}

# Starts the Java KairosDB (datastore $1: h2 or cassandra) in its own run directory.
start_java() {
    rm -rf "$JAVA_RUN"
    JAVA_STARTED=1
    JAVA_KAIROSDB_RUN_DIR="$JAVA_RUN" JAVA_KAIROSDB_DATASTORE="$1" JAVA_KAIROSDB_HEAP_MAX=1g \
        JAVA_KAIROSDB_KEYSPACE="bench_java" JAVA_KAIROSDB_HTTP_PORT=auto JAVA_KAIROSDB_TELNET_PORT=auto \
        JAVA_KAIROSDB_CASSANDRA_HOSTS="${CONTACT:-}" ./scripts/java-kairosdb.sh start >&2
    eval "$(JAVA_KAIROSDB_RUN_DIR="$JAVA_RUN" ./scripts/java-kairosdb.sh env)"
    J_HTTP="${JAVA_KAIROSDB_URL#http://}"
    J_TELNET="127.0.0.1:$JAVA_KAIROSDB_TELNET_PORT"
    J_PID="$(cat "$JAVA_RUN/kairosdb.pid")"
}
stop_java() { JAVA_KAIROSDB_RUN_DIR="$JAVA_RUN" ./scripts/java-kairosdb.sh stop >&2; }

# result FILE PATTERN KEY: the value of KEY= on the first "result: PATTERN" line of FILE.
result() { sed -n "/^result: $2/ s/.* $3=\([^ ]*\).*/\1/p" "$1" | head -n 1; }

# ingest KEY HTTP TELNET ARGS...: runs the ingest tool; V[KEY] = acknowledged points/s.
ingest() {
    local key="$1" http="$2" telnet="$3"
    shift 3
    local out="$LOG/ingest-$key.txt"
    say "ingest $key: $*"
    echo "ingest --http $http --telnet $telnet --points $POINTS $*" >"$out"
    "$BIN/ingest" --http "$http" --telnet "$telnet" --points "$POINTS" "$@" >>"$out" 2>&1 || true
    V[$key]="$(result "$out" ingest rate)"
    [ -n "${V[$key]}" ] || V[$key]=failed
    if [ "$(result "$out" verify ok)" != true ]; then
        NOTE[$key]=" (not all queryable; see $out)"
    fi
}

# query KEY HTTP ARGS...: runs the query tool (--mix raw,agg unless ARGS say otherwise);
# V[KEY.raw.T] / V[KEY.agg.T] = p95 ms with T client threads, V[KEY.seed] = seed points/s.
query() {
    local key="$1" http="$2"
    shift 2
    local out="$LOG/query-$key.txt" kind t
    say "query $key: $*"
    echo "query --http $http --duration $QUERY_S $*" >"$out"
    "$BIN/query" --http "$http" --duration "$QUERY_S" --mix raw,agg "$@" >>"$out" 2>&1 || true
    for kind in raw agg; do
        for t in 1 2; do
            V[$key.$kind.$t]="$(result "$out" "kind=$kind threads=$t " p95_ms)"
            N[$key.$kind.$t]="$(result "$out" "kind=$kind threads=$t " ok)"
            [ -n "${V[$key.$kind.$t]}" ] || V[$key.$kind.$t]=failed
        done
    done
    local pts secs
    pts="$(result "$out" seed points)" secs="$(result "$out" seed secs)"
    V[$key.seed]="$(python3 -c 'import sys
try: print(f"{float(sys.argv[1])/float(sys.argv[2]):.0f}")
except Exception: print("failed")' "$pts" "$secs")"
}

# One side of the comparison (both on the same backend): the same-load scenario, the full-speed
# ingest scenarios, then the queries on the CMP data set; RSS idle and peaks in each phase.
# $1: key prefix.
side() {
    local k="$1" pid="$2" http="$3" telnet="$4" verify="$5" seed_timeout="$6"
    sleep 3
    V[$k.rss_idle]="$(rss_now_mb "$pid")"
    start_sampler "$pid" "$LOG/rss-$k.txt"
    local t0 t1 t2 t3
    # First, on a fresh process, the same offered load on both sides: memory for the same work.
    t0="$(now)"
    ingest "$k.same" "$http" "$telnet" --mode http --batch 1000 --concurrency 4 --series "$SERIES" \
        --duration "$INGEST_S" --rate "$SAME_RATE" --verify-timeout "$verify"
    t1="$(now)"
    V[$k.rss_same]="$(peak_mb "$LOG/rss-$k.txt" "$t0" "$t1")"
    ingest "$k.http" "$http" "$telnet" --mode http --batch 1000 --concurrency 4 --series "$SERIES" \
        --duration "$INGEST_S" --verify-timeout "$verify"
    ingest "$k.telnet" "$http" "$telnet" --mode telnet --series "$SERIES" --duration "$INGEST_S" \
        --verify-timeout "$verify"
    ingest "$k.big" "$http" "$telnet" --mode http --batch 20000 --concurrency 4 --series 1000 \
        --duration "$INGEST_S" --verify-timeout "$verify"
    ingest "$k.single" "$http" "$telnet" --mode http --batch 1 --concurrency 4 --series "$SERIES" \
        --duration "$INGEST_S" --verify-timeout "$verify"
    t2="$(now)"
    query "$k.q" "$http" --concurrency 1,2 --seed-series "$CMP_SERIES" --seed-minutes "$CMP_MINUTES" \
        --seed-interval-ms "$CMP_INTERVAL" --seed-timeout "$seed_timeout"
    t3="$(now)"
    stop_sampler
    # The query tool seeds at full speed, then queries; its seed line says when it switched.
    local ts
    ts="$(result "$LOG/query-$k.q.txt" seed done_at)"
    [ -n "$ts" ] || ts="$t3"
    V[$k.rss_ingest]="$(peak_mb "$LOG/rss-$k.txt" "$t1" "$t2")"
    V[$k.rss_seed]="$(peak_mb "$LOG/rss-$k.txt" "$t2" "$ts")"
    V[$k.rss_query]="$(peak_mb "$LOG/rss-$k.txt" "$ts" "$t3")"
}

# ---- 1. embedded store vs H2 -----------------------------------------------------------------
if want h2; then
    say "kairosdb-rs, embedded store"
    start_rs
    side rs "$RS_PID" "$RS_HTTP" "$RS_TELNET" 60 120
    stop_rs
    say "Java KairosDB, H2"
    start_java h2
    side jh2 "$J_PID" "$J_HTTP" "$J_TELNET" 300 900
    stop_java
fi

# ---- 2. both on the test Cassandra -----------------------------------------------------------
if want cassandra; then
    say "the test Cassandra (own directory $CASSANDRA_DIR, heap $CASSANDRA_HEAP_MAX)"
    mkdir -p "$CASSANDRA_DIR"
    for d in "$ROOT"/.cache/cassandra/dist-* "$ROOT/.cache/cassandra/cqlsh-venv"; do
        [ ! -e "$d" ] || ln -s "$(realpath "$d")" "$CASSANDRA_DIR/$(basename "$d")"
    done
    CASSANDRA_STARTED=1
    CASSANDRA_NATIVE_PORT=auto CASSANDRA_STORAGE_PORT=auto ./scripts/cassandra.sh start >&2
    eval "$(./scripts/cassandra.sh env)"
    CONTACT="$CASSANDRA_HOST:$CASSANDRA_NATIVE_PORT"
    for order in arrival partition; do
        say "cassandra_raw --order $order: the same rows through the scylla driver"
        f="$LOG/cassandra-raw-$order.txt"
        echo "cassandra_raw --contact $CONTACT --series $SERIES --points $POINTS --duration $RAW_S --order $order" >"$f"
        "$BIN/cassandra_raw" --contact "$CONTACT" --series "$SERIES" --points "$POINTS" --duration "$RAW_S" \
            --order "$order" >>"$f" 2>&1 || true
        V[raw.$order]="$(result "$f" cassandra_raw rate)"
        [ -n "${V[raw.$order]}" ] || V[raw.$order]=failed
    done
    say "kairosdb-rs on Cassandra"
    start_rs KAIROSDB_DATASTORE=cassandra KAIROSDB_CASSANDRA_CONTACT_POINTS="$CONTACT" \
        KAIROSDB_CASSANDRA_KEYSPACE=bench_rs
    side crs "$RS_PID" "$RS_HTTP" "$RS_TELNET" 300 600
    stop_rs
    say "Java KairosDB on Cassandra"
    start_java cassandra
    side cj "$J_PID" "$J_HTTP" "$J_TELNET" 300 900
    stop_java
    ./scripts/cassandra.sh stop >&2
    CASSANDRA_STARTED=0
fi

# ---- 3. kairosdb-rs on the embedded store: series count --------------------------------------
if want series; then
    for n in 1000 10000 100000; do
        say "kairosdb-rs, embedded, $n series"
        start_rs
        start_sampler "$RS_PID" "$LOG/rss-series-$n.txt"
        t1="$(now)"
        ingest "s$n" "$RS_HTTP" "$RS_TELNET" --mode http --batch 1000 --concurrency 4 --series "$n" \
            --duration "$SCALE_INGEST_S"
        t2="$(now)"
        stop_sampler
        V[s$n.rss]="$(peak_mb "$LOG/rss-series-$n.txt" "$t1" "$t2")"
        query "s$n.q" "$RS_HTTP" --concurrency 1 --seed-series "$n" --seed-minutes "$SCALE_MINUTES" \
            --seed-interval-ms 60000 --agg-subset 1000 --seed-timeout 300
        stop_rs
    done
fi

# ---- 4. kairosdb-rs on the embedded store: time span, and the issue's query targets ----------
if want span; then
    say "kairosdb-rs, embedded, time span"
    start_rs
    for span in day:1440 week:10080 month:43200; do
        query "t${span%%:*}" "$RS_HTTP" --concurrency 1 --seed-series 10 --seed-minutes "${span#*:}" \
            --seed-interval-ms 10000 --seed-timeout 300
    done
    stop_rs
    say "kairosdb-rs, embedded, 1,000 series at 10 s (the issue's latency targets)"
    start_rs
    start_sampler "$RS_PID" "$LOG/rss-target.txt"
    t1="$(now)"
    query target "$RS_HTTP" --concurrency 1,2 --seed-series 1000 --seed-minutes "$TARGET_MINUTES" \
        --seed-interval-ms 10000 --seed-timeout 300
    t2="$(now)"
    stop_sampler
    V[target.rss]="$(peak_mb "$LOG/rss-target.txt" "$t1" "$t2")"
    stop_rs
fi

# ---- the report ------------------------------------------------------------------------------
# cell KEY: the figure, with the sample count when few queries made it.
cell() {
    local v="${V[$1]:-failed}" n="${N[$1]:-}"
    if [ -n "$n" ] && [ "$v" != failed ] && [ "$n" -lt 20 ]; then v="$v (n=$n)"; fi
    printf '%s%s' "$v" "${NOTE[$1]:-}"
}
# ratio A B: A/B as "N.Nx".
ratio() {
    python3 -c 'import sys
try:
    r = float(sys.argv[1]) / float(sys.argv[2])
    print(f"{r:.1f}x" if r >= 0.95 else f"{r:.2f}x")
except Exception: print("failed")' "${V[$1]:-}" "${V[$2]:-}"
}
# row LABEL RS_KEY JAVA_KEY higher|lower
row() {
    local r
    if [ "$4" = higher ]; then r="$(ratio "$2" "$3")"; else r="$(ratio "$3" "$2")"; fi
    echo "| $1 | $(cell "$2") | $(cell "$3") | $r |"
}
compare_table() {
    local rs="$1" j="$2"
    local cmp="${CMP_SERIES} series x ${CMP_MINUTES} min at $((CMP_INTERVAL / 1000)) s"
    echo "| scenario | kairosdb-rs | Java | kairosdb-rs better by |"
    echo "|---|---|---|---|"
    row "HTTP ingest, 1,000-point batches, 4 threads (points/s)" "$rs.http" "$j.http" higher
    row "telnet \`putm\`, 2 connections (points/s)" "$rs.telnet" "$j.telnet" higher
    row "HTTP ingest, 20,000-point batches (1,000 series × 20 points), 4 threads (points/s)" "$rs.big" "$j.big" higher
    row "HTTP, one point per request, 4 threads (points/s)" "$rs.single" "$j.single" higher
    row "seeding the query data ($cmp; 20,000-point requests, 1 thread, until queryable; points/s)" "$rs.q.seed" "$j.q.seed" higher
    row "raw, 1 series x ${CMP_MINUTES} min, p95 ms, 1 client thread" "$rs.q.raw.1" "$j.q.raw.1" lower
    row "raw, 1 series x ${CMP_MINUTES} min, p95 ms, 2 client threads" "$rs.q.raw.2" "$j.q.raw.2" lower
    row "avg/1min group_by dc over $cmp, p95 ms, 1 client thread" "$rs.q.agg.1" "$j.q.agg.1" lower
    row "avg/1min group_by dc over $cmp, p95 ms, 2 client threads" "$rs.q.agg.2" "$j.q.agg.2" lower
    row "RSS idle, 3 s after start (MB)" "$rs.rss_idle" "$j.rss_idle" lower
    row "peak RSS under the same load: $SAME_RATE points/s offered to both, 1,000-point batches, 4 threads (MB; acknowledged: $(cell "$rs.same") / $(cell "$j.same") points/s)" "$rs.rss_same" "$j.rss_same" lower
    row "peak RSS during the ingest scenarios at full speed (MB)" "$rs.rss_ingest" "$j.rss_ingest" lower
    row "peak RSS while seeding the query data at full speed (MB)" "$rs.rss_seed" "$j.rss_seed" lower
    row "peak RSS during the queries (MB)" "$rs.rss_query" "$j.rss_query" lower
}
pct() {
    python3 -c 'import sys
try: print(f"{100*float(sys.argv[1])/float(sys.argv[2]):.0f} %")
except Exception: print("failed")' "${V[$1]:-}" "${V[$2]:-}"
}

{
    echo "# Side by side with the Java KairosDB (generated by bench/run.sh$([ "$QUICK" = 0 ] || echo ' --quick'))"
    echo
    echo "Machine: $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM,"
    echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; load generators on the same machine."
    echo "Commit $BUILT_FROM, $(date -u '+%F %H:%M UTC'); the run took $((($(date +%s) - T0) / 60)) min."
    echo "Java: KairosDB ${JAVA_KAIROSDB_VERSION:-1.3.0-1} (scripts/java-kairosdb.sh) on JDK $(java -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p'), heap 1 GiB, serial GC;"
    echo "Cassandra 5.0 (scripts/cassandra.sh), one node, heap $CASSANDRA_HEAP_MAX, on the same machine."
    echo
    echo "Ingest scenarios: ${INGEST_S} s each, ${SERIES} series over 10 metrics with 4 tags; a point counts once the"
    echo "server acknowledged it (Java: once it is in its ingest queue), and the tool then checks that every"
    echo "acknowledged point is queryable. Query scenarios: the query tool seeds its own metric (the same"
    echo "series, timestamps and values on both sides), then runs raw and agg round robin for ${QUERY_S} s with"
    echo "1 client thread (sequential: latency without queueing) and again with 2 (on 2 cores, p95 includes"
    echo "queueing behind the other thread). (n=...) marks figures from fewer than 20 queries."
    if want h2; then
        echo
        echo "## 1. Embedded store (kairosdb-rs) against H2 (Java)"
        echo
        echo "The aggregated query runs over ${CMP_SERIES} series at one point per minute, not the issue's 10 s"
        echo "spacing (8.64M points): Java on H2 seeds at about $(cell jh2.q.seed) points/s, so both sides get the"
        echo "same smaller data set. The issue's own figure for kairosdb-rs is in section 4."
        echo
        compare_table rs jh2
    fi
    if want cassandra; then
        echo
        echo "## 2. Both on the test Cassandra"
        echo
        compare_table crs cj
        echo
        echo "Cassandra itself (\`cassandra_raw\`: the scylla driver writing the same data_points rows, same series,"
        echo "timestamps and value types as the HTTP ingest, plus one row_keys row per series; UNLOGGED batches of"
        echo "200, 32 in flight, ${RAW_S} s each):"
        echo
        echo "| Cassandra itself | points/s | compared with | kairosdb-rs reaches | Java reaches |"
        echo "|---|---|---|---|---|"
        echo "| batches in arrival order (each spans 200 series, as the 1,000-point HTTP batches of one point per series do) | $(cell raw.arrival) | HTTP, 1,000-point batches | $(pct crs.http raw.arrival) | $(pct cj.http raw.arrival) |"
        echo "| batches of one partition (200 consecutive points of one series; Cassandra's best case) | $(cell raw.partition) | HTTP, 20,000-point batches (20 points per series) | $(pct crs.big raw.partition) | $(pct cj.big raw.partition) |"
        echo "| the same | $(cell raw.partition) | HTTP, 1,000-point batches | $(pct crs.http raw.partition) | $(pct cj.http raw.partition) |"
        echo
        echo "Issue target: kairosdb-rs reaches at least 80 % of what Cassandra accepts."
    fi
    if want series; then
        echo
        echo "## 3. kairosdb-rs, embedded store: series count"
        echo
        echo "Per row a fresh server: HTTP ingest (1,000-point batches, 4 threads, ${SCALE_INGEST_S} s; each batch"
        echo "touches 1,000 different series), then the query tool seeds the same number of series of another"
        echo "metric with ${SCALE_MINUTES} points each (one a minute) and measures, with 1 client thread: raw = one"
        echo "of those series (${SCALE_MINUTES} points); agg = avg/1min group_by dc over a fixed subset of 1,000 of"
        echo "them (tag filter subset=in), so the work per query stays the same while the store grows."
        echo
        echo "| series | ingest points/s | peak RSS during ingest (MB) | seed points/s | raw p95 ms | agg over 1,000 series p95 ms |"
        echo "|---|---|---|---|---|---|"
        for n in 1000 10000 100000; do
            echo "| $n | $(cell "s$n") | $(cell "s$n.rss") | $(cell "s$n.q.seed") | $(cell "s$n.q.raw.1") | $(cell "s$n.q.agg.1") |"
        done
    fi
    if want span; then
        echo
        echo "## 4. kairosdb-rs, embedded store: time span, and the issue's latency targets"
        echo
        echo "One server holding 10 series at one point every 10 s over 1 day, 1 week and 1 month (three metrics,"
        echo "seeded one after the other); raw = one series over the whole span; agg = avg/1min group_by dc over"
        echo "the 10 series over the whole span; 1 client thread."
        echo
        echo "| span | points per series | seed points/s | raw p95 ms | agg p95 ms |"
        echo "|---|---|---|---|---|"
        echo "| 1 day | 8640 | $(cell tday.seed) | $(cell tday.raw.1) | $(cell tday.agg.1) |"
        echo "| 1 week | 60480 | $(cell tweek.seed) | $(cell tweek.raw.1) | $(cell tweek.agg.1) |"
        echo "| 1 month (30 days) | 259200 | $(cell tmonth.seed) | $(cell tmonth.raw.1) | $(cell tmonth.agg.1) |"
        echo
        echo "Issue targets on a fresh server with 1,000 series at 10 s over ${TARGET_MINUTES} min ($((1000 * TARGET_MINUTES * 6)) points$([ "$TARGET_MINUTES" = 1440 ] || echo '; the full run seeds one day')):"
        echo
        echo "| query | p95 ms, 1 client thread | p95 ms, 2 client threads | target |"
        echo "|---|---|---|---|"
        echo "| raw, 1 series | $(cell target.raw.1) | $(cell target.raw.2) | under 2 ms |"
        echo "| avg/1min group_by dc over 1,000 series | $(cell target.agg.1) | $(cell target.agg.2) | under 300 ms |"
        echo
        echo "Seeding them: $(cell target.seed) points/s (1 thread, 20,000-point requests, until queryable); peak RSS"
        echo "during seeding and queries: $(cell target.rss) MB (target: bounded, under 512 MB during ingest)."
    fi
    echo
    echo "## Commands"
    echo
    echo "Every tool's command line is the first line of its output file under $LOG (kept until reboot);"
    echo "the server: \`kairosdb --data-dir DIR --bind ADDR --telnet ADDR\` (Cassandra: KAIROSDB_DATASTORE=cassandra,"
    echo "KAIROSDB_CASSANDRA_CONTACT_POINTS, KAIROSDB_CASSANDRA_KEYSPACE=bench_rs)."
    echo
    echo '```'
    for f in "$LOG"/*.txt; do
        case "$f" in */rss-*) continue ;; esac
        head -n 1 "$f"
    done
    echo '```'
} >"$OUT"
say "wrote $OUT"
cat "$OUT"
