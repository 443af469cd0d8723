#!/usr/bin/env bash
# A real Apache Cassandra 5.0 on loopback for the tests, from Maven Central.
#
#   scripts/cassandra.sh install      resolve cassandra-all + dependencies, install cqlsh (cached)
#   scripts/cassandra.sh start        install if needed, start on 127.0.0.1, wait until CQL answers
#   scripts/cassandra.sh stop         stop it (SIGTERM, then SIGKILL after 60 s)
#   scripts/cassandra.sh status       running or not, port, pid, RSS; exit 0 only if CQL answers
#   scripts/cassandra.sh cqlsh-check  run one CQL query through cqlsh; exit 0 if it answers
#   scripts/cassandra.sh cqlsh [ARGS] cqlsh connected to it (e.g. cqlsh -e 'DESCRIBE KEYSPACES')
#   scripts/cassandra.sh env          print CASSANDRA_HOST=... CASSANDRA_NATIVE_PORT=... lines
#   scripts/cassandra.sh wipe         stop it and delete its data (the download stays)
#
# Maven Central has no Cassandra 5 binary tarball (org.apache.cassandra:apache-cassandra stops at
# 4.0-alpha2), so this resolves org.apache.cassandra:cassandra-all with its runtime dependencies
# and runs org.apache.cassandra.service.CassandraDaemon itself, with a generated cassandra.yaml,
# logback.xml and the JVM options of Cassandra's conf/jvm-server.options + jvm17-server.options.
# See scripts/README.md for the environment variables, the layout and measured figures.
set -euo pipefail
KDB_TAG=cassandra
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

CASSANDRA_VERSION="${CASSANDRA_VERSION:-5.0.9}"
CASSANDRA_DIR="${CASSANDRA_DIR:-$KDB_CACHE/cassandra}"
# "auto": a free port chosen at start (`env` prints the port in use).
CASSANDRA_NATIVE_PORT="${CASSANDRA_NATIVE_PORT:-19042}"
CASSANDRA_STORAGE_PORT="${CASSANDRA_STORAGE_PORT:-17000}"
CASSANDRA_HEAP_MIN="${CASSANDRA_HEAP_MIN:-512m}"
CASSANDRA_HEAP_MAX="${CASSANDRA_HEAP_MAX:-1g}"
CASSANDRA_NUM_TOKENS="${CASSANDRA_NUM_TOKENS:-4}"
CASSANDRA_START_TIMEOUT="${CASSANDRA_START_TIMEOUT:-240}"
# Cassandra 5.0's guardrail; true (its default) accepts CREATE TABLE ... WITH COMPACT STORAGE,
# false refuses it as a cluster that disallows compact tables would.
CASSANDRA_COMPACT_TABLES="${CASSANDRA_COMPACT_TABLES:-true}"
# none: AllowAllAuthenticator (every client counts as a superuser, so no guardrail applies).
# password: PasswordAuthenticator; start creates the non-superuser login role
# $CASSANDRA_USER/$CASSANDRA_PASSWORD, to which guardrails such as compact_tables_enabled apply.
CASSANDRA_AUTH="${CASSANDRA_AUTH:-none}"
CASSANDRA_USER="${CASSANDRA_USER:-kairosdb}"
CASSANDRA_PASSWORD="${CASSANDRA_PASSWORD:-kairosdb}"
CQLSH_VERSION="${CQLSH_VERSION:-6.2.2}"

DIST="$CASSANDRA_DIR/dist-$CASSANDRA_VERSION"
LIB="$DIST/lib"
VENV="$CASSANDRA_DIR/cqlsh-venv"
RUN="$CASSANDRA_DIR/run"
DATA="$CASSANDRA_DIR/data"
PIDFILE="$RUN/cassandra.pid"
LOGFILE="$RUN/cassandra.log"
STATE="$RUN/state.env"
# On the java command line, so that `status`/`stop` recognise our process and no other.
MARKER="-Dkairosdb_rs.test_cassandra=$RUN"

installed() { [ -f "$DIST/.complete" ] && [ -x "$VENV/bin/cqlsh" ]; }

cmd_install() {
    if installed; then
        log "Cassandra $CASSANDRA_VERSION already installed in $DIST"
        return 0
    fi
    need_java17
    need_cmd python3 "install Python 3 (cqlsh is installed from PyPI into a venv)"
    mkdir -p "$CASSANDRA_DIR"
    local t0
    if [ ! -f "$DIST/.complete" ]; then
        t0="$(now_ms)"
        log "resolving org.apache.cassandra:cassandra-all:$CASSANDRA_VERSION and its runtime dependencies from Maven Central"
        mvn_resolve "$CASSANDRA_DIR/resolve-$CASSANDRA_VERSION" "$LIB" \
            "org.apache.cassandra:cassandra-all:$CASSANDRA_VERSION"
        [ -f "$LIB/cassandra-all-$CASSANDRA_VERSION.jar" ] ||
            die "Maven finished but $LIB/cassandra-all-$CASSANDRA_VERSION.jar is missing"
        ls "$LIB"/jamm-*.jar >/dev/null 2>&1 || die "no jamm jar among the resolved dependencies in $LIB"
        touch "$DIST/.complete"
        log "resolved $(find "$LIB" -name '*.jar' | wc -l) jars ($(du -sh "$LIB" | cut -f1)) in $((($(now_ms) - t0) / 1000)) s"
    fi
    if [ ! -x "$VENV/bin/cqlsh" ]; then
        t0="$(now_ms)"
        log "installing cqlsh==$CQLSH_VERSION from PyPI into $VENV"
        rm -rf "$VENV"
        python3 -m venv "$VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
        "$VENV/bin/pip" install -q --disable-pip-version-check "cqlsh==$CQLSH_VERSION" ||
            die "pip could not install cqlsh==$CQLSH_VERSION"
        log "cqlsh installed in $((($(now_ms) - t0) / 1000)) s"
    fi
}

running() { pid_alive "$PIDFILE" "$MARKER"; }

# A setting of the running instance (the one it was started with), else the configured one.
current() {
    if running && [ -f "$STATE" ]; then
        sed -n "s/^$1=//p" "$STATE"
    else
        printf '%s\n' "${!1}"
    fi
}
current_port() { current CASSANDRA_NATIVE_PORT; }

cqlsh_run() {
    # A private HOME: no user cqlshrc applies, and the history file stays in the cache.
    mkdir -p "$CASSANDRA_DIR/cqlsh-home"
    local -a login=()
    # The default superuser CassandraRoleManager creates when no role exists yet.
    [ "$(current CASSANDRA_AUTH)" = password ] && login=(-u cassandra -p cassandra)
    HOME="$CASSANDRA_DIR/cqlsh-home" "$VENV/bin/cqlsh" 127.0.0.1 "$(current_port)" \
        "${login[@]}" --connect-timeout=5 --request-timeout=30 "$@"
}

cql_answers() {
    local out # not piped into grep -q: cqlsh would die of SIGPIPE and pipefail report a failure
    out="$(cqlsh_run -e "SELECT release_version FROM system.local" 2>&1)" || return 1
    grep -qE '^ *[0-9]+\.[0-9]+' <<<"$out"
}

# A test CA and a node certificate for 127.0.0.1 (made once with the JDK's keytool): the node
# accepts TLS and plain CQL on one port (client_encryption_options.optional), and `env` prints
# CASSANDRA_TLS_CA, the PEM file a client trusts.
TLS="$RUN/tls"
TLS_PASS=kairosdb-rs-test
write_tls() {
    [ -f "$TLS/.complete" ] && return 0
    rm -rf "$TLS" && mkdir -p "$TLS"
    local kt=(keytool -storetype PKCS12 -storepass "$TLS_PASS" -keypass "$TLS_PASS")
    "${kt[@]}" -genkeypair -alias ca -dname CN=kairosdb-rs-test-ca -keyalg RSA -keysize 2048 \
        -validity 3650 -ext bc:c -keystore "$TLS/ca.p12" >/dev/null 2>&1 ||
        die "keytool could not make the test CA (is the JDK's keytool on PATH?)"
    "${kt[@]}" -exportcert -rfc -alias ca -keystore "$TLS/ca.p12" >"$TLS/ca.pem" 2>/dev/null
    "${kt[@]}" -genkeypair -alias node -dname CN=127.0.0.1 -keyalg RSA -keysize 2048 \
        -validity 3650 -keystore "$TLS/node.p12" >/dev/null 2>&1
    "${kt[@]}" -certreq -alias node -keystore "$TLS/node.p12" 2>/dev/null |
        "${kt[@]}" -gencert -alias ca -keystore "$TLS/ca.p12" -rfc -validity 3650 \
            -ext san=ip:127.0.0.1 -ext eku=serverAuth >"$TLS/node.pem" 2>/dev/null
    "${kt[@]}" -importcert -noprompt -alias ca -file "$TLS/ca.pem" -keystore "$TLS/node.p12" >/dev/null 2>&1
    "${kt[@]}" -importcert -alias node -file "$TLS/node.pem" -keystore "$TLS/node.p12" >/dev/null 2>&1 ||
        die "keytool could not sign the node certificate"
    touch "$TLS/.complete"
}

write_config() {
    local authenticator
    case "$CASSANDRA_AUTH" in
        none) authenticator=AllowAllAuthenticator ;;
        password) authenticator=PasswordAuthenticator ;;
        *) die "CASSANDRA_AUTH must be none or password, not '$CASSANDRA_AUTH'" ;;
    esac
    case "$CASSANDRA_COMPACT_TABLES" in
        true | false) ;;
        *) die "CASSANDRA_COMPACT_TABLES must be true or false, not '$CASSANDRA_COMPACT_TABLES'" ;;
    esac
    mkdir -p "$RUN" "$DATA"/{data,commitlog,saved_caches,hints,cdc_raw}
    write_tls
    cat >"$RUN/cassandra.yaml" <<EOF
# Generated by scripts/cassandra.sh on each start; edits are overwritten.
# A single test node on loopback: small caches and memtables, no auth, no JMX.
cluster_name: kairosdb-rs-test
num_tokens: $CASSANDRA_NUM_TOKENS
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "127.0.0.1:$CASSANDRA_STORAGE_PORT"
listen_address: 127.0.0.1
rpc_address: 127.0.0.1
storage_port: $CASSANDRA_STORAGE_PORT
native_transport_port: $CASSANDRA_NATIVE_PORT
start_native_transport: true

authenticator: $authenticator
authorizer: AllowAllAuthorizer
role_manager: CassandraRoleManager
network_authorizer: AllowAllNetworkAuthorizer

data_file_directories:
  - $DATA/data
commitlog_directory: $DATA/commitlog
saved_caches_directory: $DATA/saved_caches
hints_directory: $DATA/hints
cdc_raw_directory: $DATA/cdc_raw

commitlog_sync: periodic
commitlog_sync_period: 10000ms
commitlog_segment_size: 8MiB
commitlog_total_space: 512MiB

memtable_heap_space: 128MiB
memtable_offheap_space: 128MiB
key_cache_size: 16MiB
counter_cache_size: 8MiB
file_cache_size: 64MiB
concurrent_reads: 8
concurrent_writes: 8
concurrent_counter_writes: 8
concurrent_compactors: 1

compact_tables_enabled: $CASSANDRA_COMPACT_TABLES

# TLS and plain CQL on the one native port (the use_ssl tests trust $TLS/ca.pem).
client_encryption_options:
  enabled: true
  optional: true
  keystore: $TLS/node.p12
  keystore_password: $TLS_PASS
  store_type: PKCS12
  require_client_auth: false

# Tests drop keyspaces often; no snapshot on drop/truncate keeps that fast and the disk small.
auto_snapshot: false
EOF
    cat >"$RUN/logback.xml" <<EOF
<!-- Generated by scripts/cassandra.sh. Everything goes to stdout, which start redirects to the log. -->
<configuration scan="false">
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="STDOUT"/></root>
</configuration>
EOF
}

java_opts() {
    local jamm
    jamm="$(find "$LIB" -name 'jamm-*.jar' | sort | head -n 1)"
    # conf/jvm-server.options (less -XX:+AlwaysPreTouch, which would make all of -Xms resident).
    printf '%s\n' -ea -da:net.openhft... -XX:+UseThreadPriorities -XX:+HeapDumpOnOutOfMemoryError -XX:+ExitOnOutOfMemoryError \
        -XX:HeapDumpPath="$RUN" -Xss256k -XX:-UseBiasedLocking -XX:+UseTLAB -XX:+ResizeTLAB \
        -XX:+PerfDisableSharedMem -Djava.net.preferIPv4Stack=true
    # conf/jvm17-server.options (G1; the JPMS exports/opens Cassandra needs on Java 17).
    printf '%s\n' -XX:+UseG1GC -XX:+ParallelRefProcEnabled -XX:MaxTenuringThreshold=1 \
        -XX:G1RSetUpdatingPauseTimePercent=5 -XX:MaxGCPauseMillis=300 \
        -XX:InitiatingHeapOccupancyPercent=70 \
        -Djdk.attach.allowAttachSelf=true \
        --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
        --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED \
        --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED \
        --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED \
        --add-exports java.sql/java.sql=ALL-UNNAMED \
        --add-exports java.base/java.lang.ref=ALL-UNNAMED \
        --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED \
        --add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
        --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED \
        --add-opens java.base/java.lang.module=ALL-UNNAMED \
        --add-opens java.base/jdk.internal.loader=ALL-UNNAMED \
        --add-opens java.base/jdk.internal.ref=ALL-UNNAMED \
        --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED \
        --add-opens java.base/jdk.internal.math=ALL-UNNAMED \
        --add-opens java.base/jdk.internal.module=ALL-UNNAMED \
        --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED \
        --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
        --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
        --add-opens java.base/java.io=ALL-UNNAMED \
        --add-opens java.base/java.lang.reflect=ALL-UNNAMED \
        --add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED \
        --add-opens java.base/java.lang=ALL-UNNAMED \
        --add-opens java.base/java.util=ALL-UNNAMED \
        -Dio.netty.tryReflectionSetAccessible=true \
        -Dio.netty.allocator.useCacheForAllThreads=true -Dio.netty.allocator.maxOrder=11
    # What bin/cassandra and conf/cassandra-env.sh add, for this layout.
    printf '%s\n' "-Xms$CASSANDRA_HEAP_MIN" "-Xmx$CASSANDRA_HEAP_MAX" "-javaagent:$jamm" \
        "-Dcassandra.config=file://$RUN/cassandra.yaml" \
        "-Dlogback.configurationFile=file://$RUN/logback.xml" \
        "-Dcassandra.logdir=$RUN" "-Dcassandra.storagedir=$DATA" \
        -Dcassandra-foreground=yes \
        -Dcassandra.skip_wait_for_gossip_to_settle=0 \
        -Dcassandra.superuser_setup_delay_ms=0 \
        "$MARKER"
}

cmd_start() {
    if running; then
        local port
        port="$(current_port)"
        if { [ "$CASSANDRA_NATIVE_PORT" != auto ] && [ "$port" != "$CASSANDRA_NATIVE_PORT" ]; } ||
            [ "$(current CASSANDRA_AUTH)" != "$CASSANDRA_AUTH" ] ||
            [ "$(current CASSANDRA_COMPACT_TABLES)" != "$CASSANDRA_COMPACT_TABLES" ]; then
            die "already running (pid $(cat "$PIDFILE")) with native port $port, auth $(current CASSANDRA_AUTH), compact tables $(current CASSANDRA_COMPACT_TABLES), not the requested $CASSANDRA_NATIVE_PORT, $CASSANDRA_AUTH, $CASSANDRA_COMPACT_TABLES; stop it first"
        fi
        CASSANDRA_NATIVE_PORT="$port"
        if cql_answers; then
            log "already running (pid $(cat "$PIDFILE")), CQL on 127.0.0.1:$port"
            return 0
        fi
        log "already running (pid $(cat "$PIDFILE")) but CQL does not answer yet; waiting"
    else
        cmd_install
        [ "$CASSANDRA_NATIVE_PORT" != auto ] || CASSANDRA_NATIVE_PORT="$(free_port)"
        [ "$CASSANDRA_STORAGE_PORT" != auto ] || CASSANDRA_STORAGE_PORT="$(free_port)"
        require_free_port "$CASSANDRA_NATIVE_PORT" "Cassandra native/CQL" CASSANDRA_NATIVE_PORT
        require_free_port "$CASSANDRA_STORAGE_PORT" "Cassandra storage/gossip" CASSANDRA_STORAGE_PORT
        write_config
        {
            printf 'CASSANDRA_HOST=127.0.0.1\nCASSANDRA_NATIVE_PORT=%s\nCASSANDRA_VERSION=%s\n' \
                "$CASSANDRA_NATIVE_PORT" "$CASSANDRA_VERSION"
            printf 'CASSANDRA_AUTH=%s\nCASSANDRA_COMPACT_TABLES=%s\n' "$CASSANDRA_AUTH" "$CASSANDRA_COMPACT_TABLES"
            if [ "$CASSANDRA_AUTH" = password ]; then
                printf 'CASSANDRA_USER=%s\nCASSANDRA_PASSWORD=%s\n' "$CASSANDRA_USER" "$CASSANDRA_PASSWORD"
            fi
        } >"$STATE"
        java_opts >"$RUN/jvm.options"
        local -a opts
        mapfile -t opts <"$RUN/jvm.options"
        {
            echo "===== $(date -u +%FT%TZ) start: Cassandra $CASSANDRA_VERSION, CQL 127.0.0.1:$CASSANDRA_NATIVE_PORT"
        } >>"$LOGFILE"
        # setsid: Cassandra outlives the caller's process group (Ctrl-C of a test run); the
        # subshell is not a group leader, so setsid execs in place and $! is the JVM's pid.
        (cd "$RUN" && exec setsid java "${opts[@]}" -cp "$LIB/*" \
            org.apache.cassandra.service.CassandraDaemon </dev/null >>"$LOGFILE" 2>&1) &
        echo $! >"$PIDFILE"
        log "started pid $(cat "$PIDFILE"); log: $LOGFILE"
    fi
    local t0
    t0="$(now_ms)"
    wait_until "$CASSANDRA_START_TIMEOUT" "CQL listens on 127.0.0.1:$CASSANDRA_NATIVE_PORT" \
        "$PIDFILE" "$MARKER" "$LOGFILE" port_listening "$CASSANDRA_NATIVE_PORT"
    wait_until 60 "cqlsh gets an answer from 127.0.0.1:$CASSANDRA_NATIVE_PORT" \
        "$PIDFILE" "$MARKER" "$LOGFILE" cql_answers
    if [ "$CASSANDRA_AUTH" = password ]; then
        local out
        out="$(cqlsh_run -e "CREATE ROLE IF NOT EXISTS \"$CASSANDRA_USER\" WITH PASSWORD = '$CASSANDRA_PASSWORD' AND LOGIN = true AND SUPERUSER = false" 2>&1)" ||
            die "could not create the login role $CASSANDRA_USER: $out"
        log "login role $CASSANDRA_USER (password $CASSANDRA_PASSWORD, not a superuser) exists"
    fi
    log "CQL answers on 127.0.0.1:$CASSANDRA_NATIVE_PORT (waited $((($(now_ms) - t0) / 1000)) s; RSS $(rss_mib "$(cat "$PIDFILE")") MiB)"
}

cmd_stop() {
    stop_pid "$PIDFILE" "$MARKER" "Cassandra" 60
}

cmd_status() {
    if ! running; then
        echo "Cassandra: not running"
        return 3
    fi
    local pid port
    pid="$(cat "$PIDFILE")"
    port="$(current_port)"
    if cql_answers; then
        echo "Cassandra: running, pid $pid, CQL 127.0.0.1:$port answers, RSS $(rss_mib "$pid") MiB"
    else
        echo "Cassandra: process running (pid $pid, RSS $(rss_mib "$pid") MiB) but CQL 127.0.0.1:$port does not answer"
        return 1
    fi
}

cmd_cqlsh_check() {
    installed || die "not installed; run: $0 install"
    local out
    if ! out="$(cqlsh_run -e "SELECT cluster_name, release_version FROM system.local" 2>&1)"; then
        printf '%s\n' "$out" >&2
        die "cqlsh could not query 127.0.0.1:$(current_port)"
    fi
    printf '%s\n' "$out"
    grep -qE "$(printf '%s' "${CASSANDRA_VERSION%%-*}" | sed 's/\./\\./g')" <<<"$out" ||
        die "cqlsh answered but not with release_version $CASSANDRA_VERSION"
}

cmd_env() {
    printf 'CASSANDRA_HOST=127.0.0.1\nCASSANDRA_NATIVE_PORT=%s\n' "$(current_port)"
    [ ! -f "$TLS/.complete" ] || printf 'CASSANDRA_TLS_CA=%s\n' "$TLS/ca.pem"
    [ ! -f "$PIDFILE" ] || printf 'CASSANDRA_PID=%s\n' "$(cat "$PIDFILE")"
    if [ "$(current CASSANDRA_AUTH)" = password ]; then
        printf 'CASSANDRA_USER=%s\nCASSANDRA_PASSWORD=%s\n' "$(current CASSANDRA_USER)" "$(current CASSANDRA_PASSWORD)"
    fi
}

cmd_wipe() {
    cmd_stop
    rm -rf "$DATA"
    log "deleted $DATA"
}

case "${1:-}" in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    cqlsh-check) cmd_cqlsh_check ;;
    cqlsh)
        shift
        installed || die "not installed; run: $0 install"
        cqlsh_run "$@"
        ;;
    env) cmd_env ;;
    wipe) cmd_wipe ;;
    *)
        echo "usage: $0 {install|start|stop|status|cqlsh-check|cqlsh [ARGS]|env|wipe}" >&2
        exit 2
        ;;
esac
