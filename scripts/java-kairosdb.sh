#!/usr/bin/env bash
# The real Java KairosDB on loopback, for differential and cross-compatibility tests.
#
#   scripts/java-kairosdb.sh install   download the distribution from Maven Central (cached)
#   scripts/java-kairosdb.sh start     install if needed, start, wait until GET /api/v1/version answers
#   scripts/java-kairosdb.sh stop      stop it
#   scripts/java-kairosdb.sh status    running or not, URL, datastore, RSS; exit 0 only if HTTP answers
#   scripts/java-kairosdb.sh env       print JAVA_KAIROSDB_URL=... JAVA_KAIROSDB_TELNET=... lines
#   scripts/java-kairosdb.sh wipe      stop it and delete its H2 database and ingest queue
#
# Upstream KairosDB does publish to Maven Central, as org.kairosdb:kairosdb (versions 0.9.4 ..
# 1.3.0-1); each version there also carries the binary distribution as a tar.gz (bin/, conf/,
# lib/ with every runtime jar, webroot/), which is what this script runs:
# org.kairosdb.core.Main -c run -p <generated kairosdb.conf>, with the distribution's jars
# (1.2.x and older read a kairosdb.properties instead; the script writes whichever applies).
# (io.inscopemetrics.kairosdb:kairosdb does not exist there; see scripts/README.md.)
#
# Datastore: JAVA_KAIROSDB_DATASTORE=h2 (default; embedded H2 under the cache dir) or cassandra
# (the test Cassandra of scripts/cassandra.sh, or JAVA_KAIROSDB_CASSANDRA_HOSTS). All variables
# are listed in scripts/README.md.
set -euo pipefail
KDB_TAG=java-kairosdb
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

JAVA_KAIROSDB_VERSION="${JAVA_KAIROSDB_VERSION:-1.3.0-1}"
JAVA_KAIROSDB_DIR="${JAVA_KAIROSDB_DIR:-$KDB_CACHE/java-kairosdb}"
# "auto": a free port chosen at start (`env` prints the ports in use).
JAVA_KAIROSDB_HTTP_PORT="${JAVA_KAIROSDB_HTTP_PORT:-18480}"
JAVA_KAIROSDB_TELNET_PORT="${JAVA_KAIROSDB_TELNET_PORT:-14442}"
JAVA_KAIROSDB_DATASTORE="${JAVA_KAIROSDB_DATASTORE:-h2}"
JAVA_KAIROSDB_KEYSPACE="${JAVA_KAIROSDB_KEYSPACE:-kairosdb}"
# Unset: the test Cassandra of scripts/cassandra.sh (its port and, with CASSANDRA_AUTH=password,
# its login role, as `scripts/cassandra.sh env` prints them). Else a comma-separated host:port list.
JAVA_KAIROSDB_CASSANDRA_HOSTS="${JAVA_KAIROSDB_CASSANDRA_HOSTS:-}"
# JAVA_KAIROSDB_DATA_POINTS_CREATE_WITH unset: Java's own default for
# kairosdb.datastore.cassandra.table_create_with.data_points, "WITH COMPACT STORAGE" (Cassandra
# 5.0 accepts it while its compact_tables_enabled guardrail is on, its default). Set, even to "",
# it replaces that clause: "" creates data_points with the same CQL columns without COMPACT
# STORAGE, e.g. against a Cassandra that refuses compact tables.
# Cassandra login (empty: no credentials sent; default: the test Cassandra's, see above).
JAVA_KAIROSDB_CASSANDRA_USER="${JAVA_KAIROSDB_CASSANDRA_USER:-}"
JAVA_KAIROSDB_CASSANDRA_PASSWORD="${JAVA_KAIROSDB_CASSANDRA_PASSWORD:-}"
JAVA_KAIROSDB_HEAP_MAX="${JAVA_KAIROSDB_HEAP_MAX:-512m}"
JAVA_KAIROSDB_TIME_ZONE="${JAVA_KAIROSDB_TIME_ZONE:-UTC}"
JAVA_KAIROSDB_REPORTER="${JAVA_KAIROSDB_REPORTER:-off}"
JAVA_KAIROSDB_EXTRA_CONF="${JAVA_KAIROSDB_EXTRA_CONF:-}"
JAVA_KAIROSDB_START_TIMEOUT="${JAVA_KAIROSDB_START_TIMEOUT:-120}"

DIST="$JAVA_KAIROSDB_DIR/dist-$JAVA_KAIROSDB_VERSION"
# One instance per run dir: set JAVA_KAIROSDB_RUN_DIR (and other ports) for a second one.
RUN="${JAVA_KAIROSDB_RUN_DIR:-$JAVA_KAIROSDB_DIR/run}"
PIDFILE="$RUN/kairosdb.pid"
LOGFILE="$RUN/kairosdb.log"
STATE="$RUN/state.env"
MARKER="-Dkairosdb_rs.test_java_kairosdb=$RUN"

installed() { [ -f "$DIST/.complete" ]; }

cmd_install() {
    if installed; then
        log "Java KairosDB $JAVA_KAIROSDB_VERSION already installed in $DIST"
        return 0
    fi
    need_java17
    need_cmd mvn "install Maven (Debian: apt-get install maven)"
    local coord="org.kairosdb:kairosdb:$JAVA_KAIROSDB_VERSION:tar.gz" dl="$JAVA_KAIROSDB_DIR/download" t0
    t0="$(now_ms)"
    log "downloading $coord (the binary distribution) from Maven Central"
    mkdir -p "$dl"
    if ! mvn -B -q -Dmaven.repo.local="$KDB_M2_REPO" "$KDB_DEPENDENCY_PLUGIN:copy" \
        -Dartifact="$coord" -DoutputDirectory="$dl" >"$dl/mvn.log" 2>&1; then
        tail -n 40 "$dl/mvn.log" >&2
        die "Maven could not fetch $coord (full log: $dl/mvn.log)"
    fi
    local tgz="$dl/kairosdb-$JAVA_KAIROSDB_VERSION.tar.gz"
    [ -s "$tgz" ] || die "Maven finished but $tgz is missing"
    rm -rf "$DIST" "$DIST.tmp"
    mkdir -p "$DIST.tmp"
    tar -xzf "$tgz" -C "$DIST.tmp" --strip-components=1 || die "could not unpack $tgz"
    [ -f "$DIST.tmp/lib/kairosdb-$JAVA_KAIROSDB_VERSION.jar" ] ||
        die "$tgz has no lib/kairosdb-$JAVA_KAIROSDB_VERSION.jar; not a KairosDB distribution?"
    if ! compgen -G "$DIST.tmp/lib/jaxb-api-*.jar" >/dev/null &&
        ! compgen -G "$DIST.tmp/lib/jakarta.xml.bind-api-*.jar" >/dev/null; then
        # 1.2.x and older expect the JAXB API of Java 8 (removed from the JDK in 11): without it
        # Jersey fails with ClassNotFoundException: javax.xml.bind.JAXBContext.
        log "this distribution has no JAXB API jar; adding javax.xml.bind:jaxb-api:2.3.1 from Maven Central"
        mvn_resolve "$JAVA_KAIROSDB_DIR/resolve-jaxb" "$DIST.tmp/lib-jdk11" "javax.xml.bind:jaxb-api:2.3.1"
    fi
    mv "$DIST.tmp" "$DIST"
    touch "$DIST/.complete"
    log "installed $(find "$DIST/lib" -name '*.jar' | wc -l) jars ($(du -sh "$DIST" | cut -f1)) in $((($(now_ms) - t0) / 1000)) s"
}

running() { pid_alive "$PIDFILE" "$MARKER"; }

state_get() { sed -n "s/^$1=//p" "$STATE" 2>/dev/null; }

http_port() {
    if running && [ -f "$STATE" ]; then state_get JAVA_KAIROSDB_HTTP_PORT; else echo "$JAVA_KAIROSDB_HTTP_PORT"; fi
}

version_answers() {
    curl -fsS -m 5 "http://127.0.0.1:$(http_port)/api/v1/version" 2>/dev/null | grep -q KairosDB
}

# Points the Cassandra settings at the running test Cassandra of scripts/cassandra.sh.
use_test_cassandra() {
    local k v
    while IFS='=' read -r k v; do
        case "$k" in
            CASSANDRA_NATIVE_PORT) JAVA_KAIROSDB_CASSANDRA_HOSTS="127.0.0.1:$v" ;;
            CASSANDRA_USER) [ -n "$JAVA_KAIROSDB_CASSANDRA_USER" ] || JAVA_KAIROSDB_CASSANDRA_USER="$v" ;;
            CASSANDRA_PASSWORD) [ -n "$JAVA_KAIROSDB_CASSANDRA_PASSWORD" ] || JAVA_KAIROSDB_CASSANDRA_PASSWORD="$v" ;;
        esac
    done < <("$KDB_REPO_ROOT/scripts/cassandra.sh" env)
    [ -n "$JAVA_KAIROSDB_CASSANDRA_HOSTS" ] || die "scripts/cassandra.sh env printed no CASSANDRA_NATIVE_PORT"
}

# The config file start passes with -p: 1.3 reads HOCON (kairosdb.conf), 1.2 and older Java
# properties (kairosdb.properties). In a directory of its own: 1.2 also loads every other
# *.properties file next to it, and KairosDB writes kairosdb_guid.properties into its cwd.
config_file() {
    if [ -f "$DIST/conf/kairosdb.conf" ]; then echo "$RUN/conf/kairosdb.conf"; else echo "$RUN/conf/kairosdb.properties"; fi
}

write_config() {
    mkdir -p "$RUN/conf"
    local datastore
    case "$JAVA_KAIROSDB_DATASTORE" in
        h2) datastore=org.kairosdb.datastore.h2.H2Module ;;
        cassandra) datastore=org.kairosdb.datastore.cassandra.CassandraModule ;;
        *) die "JAVA_KAIROSDB_DATASTORE must be h2 or cassandra, not '$JAVA_KAIROSDB_DATASTORE'" ;;
    esac
    local conf
    conf="$(config_file)"
    if [[ "$conf" == *.conf ]]; then
        local hosts="" h
        local -a host_list
        IFS=, read -r -a host_list <<<"$JAVA_KAIROSDB_CASSANDRA_HOSTS"
        for h in "${host_list[@]}"; do hosts+="${hosts:+, }\"$h\""; done
        {
            cat <<EOF
# Generated by scripts/java-kairosdb.sh on each start; edits are overwritten. Only the keys set
# here differ from the distribution's defaults (kairosdb.conf inside the KairosDB jar).
# query_cache.cache_dir: the default, <java.io.tmpdir>/kairos_cache, is shared by every node on
# the machine, and each node empties it when it starts, deleting the files of queries another
# node is running (HTTP 500 java.io.FileNotFoundException .../kairos_cache/...json).
kairosdb: {
	jetty.address: "127.0.0.1"
	jetty.port: $JAVA_KAIROSDB_HTTP_PORT
	jetty.static_web_root: "$DIST/webroot"
	telnetserver.address: "127.0.0.1"
	telnetserver.port: $JAVA_KAIROSDB_TELNET_PORT
	queue_processor.queue_path: "$RUN/queue-$JAVA_KAIROSDB_DATASTORE"
	service.datastore: "$datastore"
	datastore.h2.database_path: "$RUN/h2db"
	query_cache.cache_dir: "$RUN/kairos_cache"
	datastore.cassandra.write_cluster.cql_host_list: [$hosts]
	datastore.cassandra.write_cluster.keyspace: "$JAVA_KAIROSDB_KEYSPACE"
EOF
            if [ -n "$JAVA_KAIROSDB_CASSANDRA_USER" ]; then
                printf '\tdatastore.cassandra.write_cluster.auth.user_name: "%s"\n' "$JAVA_KAIROSDB_CASSANDRA_USER"
                printf '\tdatastore.cassandra.write_cluster.auth.password: "%s"\n' "$JAVA_KAIROSDB_CASSANDRA_PASSWORD"
            fi
            if [ -n "${JAVA_KAIROSDB_DATA_POINTS_CREATE_WITH+set}" ]; then
                printf '\tdatastore.cassandra.table_create_with.data_points: "%s"\n' "$JAVA_KAIROSDB_DATA_POINTS_CREATE_WITH"
            fi
            # The reporter writes KairosDB's own kairosdb.* metrics into the datastore every
            # minute, which would show up in /metricnames of a differential test.
            [ "$JAVA_KAIROSDB_REPORTER" = on ] || printf '\tservice.reporter: "<disabled>"\n'
            echo "}"
            [ -z "$JAVA_KAIROSDB_EXTRA_CONF" ] || printf 'include file("%s")\n' "$(realpath "$JAVA_KAIROSDB_EXTRA_CONF")"
        } >"$conf"
    else
        # 1.2 and older: data_points is always created WITH COMPACT STORAGE (hard-coded).
        [ -z "${JAVA_KAIROSDB_DATA_POINTS_CREATE_WITH+set}" ] ||
            die "JAVA_KAIROSDB_DATA_POINTS_CREATE_WITH needs KairosDB 1.3 (table_create_with); $JAVA_KAIROSDB_VERSION hard-codes WITH COMPACT STORAGE"
        {
            cat <<EOF
# Generated by scripts/java-kairosdb.sh on each start; edits are overwritten. Only the keys set
# here differ from the distribution's defaults (kairosdb.properties inside the KairosDB jar).
kairosdb.jetty.address=127.0.0.1
kairosdb.jetty.port=$JAVA_KAIROSDB_HTTP_PORT
kairosdb.jetty.static_web_root=$DIST/webroot
kairosdb.telnetserver.address=127.0.0.1
kairosdb.telnetserver.port=$JAVA_KAIROSDB_TELNET_PORT
kairosdb.queue_processor.queue_path=$RUN/queue-$JAVA_KAIROSDB_DATASTORE
kairosdb.service.datastore=$datastore
kairosdb.datastore.h2.database_path=$RUN/h2db
kairosdb.query_cache.cache_dir=$RUN/kairos_cache
kairosdb.datastore.cassandra.cql_host_list=$JAVA_KAIROSDB_CASSANDRA_HOSTS
kairosdb.datastore.cassandra.keyspace=$JAVA_KAIROSDB_KEYSPACE
EOF
            if [ -n "$JAVA_KAIROSDB_CASSANDRA_USER" ]; then
                printf 'kairosdb.datastore.cassandra.auth.user_name=%s\n' "$JAVA_KAIROSDB_CASSANDRA_USER"
                printf 'kairosdb.datastore.cassandra.auth.password=%s\n' "$JAVA_KAIROSDB_CASSANDRA_PASSWORD"
            fi
            [ "$JAVA_KAIROSDB_REPORTER" = on ] || echo 'kairosdb.service.reporter=<disabled>'
            [ -z "$JAVA_KAIROSDB_EXTRA_CONF" ] || cat "$JAVA_KAIROSDB_EXTRA_CONF"
        } >"$conf"
    fi
    mkdir -p "$RUN/logging"
    cat >"$RUN/logging/logback.xml" <<'EOF'
<!-- Generated by scripts/java-kairosdb.sh: everything to stdout, which start redirects to the log.
     The appender must be called "stdout": KairosDB's Main looks it up by that name. -->
<configuration>
  <appender name="stdout" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{HH:mm:ss.SSS} [%thread] %-5level [%file:%line] - %msg%n</pattern></encoder>
  </appender>
  <logger name="org.kairosdb.datastore.h2.orm" level="WARN"/>
  <root level="INFO"><appender-ref ref="stdout"/></root>
</configuration>
EOF
}

cmd_start() {
    if running; then
        local port ds
        port="$(http_port)"
        ds="$(state_get JAVA_KAIROSDB_DATASTORE)"
        if { [ "$JAVA_KAIROSDB_HTTP_PORT" != auto ] && [ "$port" != "$JAVA_KAIROSDB_HTTP_PORT" ]; } ||
            [ "$ds" != "$JAVA_KAIROSDB_DATASTORE" ]; then
            die "already running on port $port with datastore $ds (pid $(cat "$PIDFILE")), not port $JAVA_KAIROSDB_HTTP_PORT with $JAVA_KAIROSDB_DATASTORE; stop it first"
        fi
        JAVA_KAIROSDB_HTTP_PORT="$port"
        JAVA_KAIROSDB_TELNET_PORT="$(state_get JAVA_KAIROSDB_TELNET_PORT)"
        if version_answers; then
            log "already running (pid $(cat "$PIDFILE")), http://127.0.0.1:$port, datastore $ds"
            return 0
        fi
        log "already running (pid $(cat "$PIDFILE")) but HTTP does not answer yet; waiting"
    else
        cmd_install
        need_cmd curl "install curl"
        [ "$JAVA_KAIROSDB_HTTP_PORT" != auto ] || JAVA_KAIROSDB_HTTP_PORT="$(free_port)"
        [ "$JAVA_KAIROSDB_TELNET_PORT" != auto ] || JAVA_KAIROSDB_TELNET_PORT="$(free_port)"
        require_free_port "$JAVA_KAIROSDB_HTTP_PORT" "Java KairosDB HTTP" JAVA_KAIROSDB_HTTP_PORT
        require_free_port "$JAVA_KAIROSDB_TELNET_PORT" "Java KairosDB telnet" JAVA_KAIROSDB_TELNET_PORT
        if [ "$JAVA_KAIROSDB_DATASTORE" = cassandra ]; then
            [ -n "$JAVA_KAIROSDB_CASSANDRA_HOSTS" ] || use_test_cassandra
            local first="${JAVA_KAIROSDB_CASSANDRA_HOSTS%%,*}"
            port_listening "${first##*:}" ||
                die "no Cassandra listens on ${first}; start one first (scripts/cassandra.sh start) or set JAVA_KAIROSDB_CASSANDRA_HOSTS"
        fi
        write_config
        printf 'JAVA_KAIROSDB_URL=http://127.0.0.1:%s\nJAVA_KAIROSDB_HTTP_PORT=%s\nJAVA_KAIROSDB_TELNET_PORT=%s\nJAVA_KAIROSDB_DATASTORE=%s\nJAVA_KAIROSDB_VERSION=%s\n' \
            "$JAVA_KAIROSDB_HTTP_PORT" "$JAVA_KAIROSDB_HTTP_PORT" "$JAVA_KAIROSDB_TELNET_PORT" \
            "$JAVA_KAIROSDB_DATASTORE" "$JAVA_KAIROSDB_VERSION" >"$STATE"
        local -a opts=(
            -Xms64m "-Xmx$JAVA_KAIROSDB_HEAP_MAX" -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError
            "-Duser.timezone=$JAVA_KAIROSDB_TIME_ZONE" -Djava.net.preferIPv4Stack=true
            # Error texts as KairosDB's Java 8 runtime words them, stable over the run: no
            # preallocated message-less exceptions once a throw site is hot (an ArithmeticException
            # "/ by zero" would turn into a null message), no JDK 14+ "helpful" NullPointerException
            # texts (Java 8's message is null).
            -XX:-OmitStackTraceInFastThrow -XX:-ShowCodeDetailsInExceptionMessages
            # Guice 4.2's cglib defines classes through ClassLoader.defineClass; bigqueue unmaps
            # its pages through sun.nio.ch.DirectBuffer. Both are closed on Java 17 by default.
            # Hibernate Validator (the query's group-by beans) reads java.util.AbstractList's
            # modCount by reflection: without java.util open every tag group-by answers 500
            # "error during validation of [<tag>]" (InaccessibleObjectException in the log).
            --add-opens java.base/java.lang=ALL-UNNAMED
            --add-opens java.base/java.util=ALL-UNNAMED
            --add-opens java.base/java.nio=ALL-UNNAMED
            --add-exports java.base/sun.nio.ch=ALL-UNNAMED
            "$MARKER"
        )
        echo "===== $(date -u +%FT%TZ) start: KairosDB $JAVA_KAIROSDB_VERSION, http 127.0.0.1:$JAVA_KAIROSDB_HTTP_PORT, datastore $JAVA_KAIROSDB_DATASTORE" >>"$LOGFILE"
        # cwd $RUN: KairosDB writes kairosdb_guid.properties into its working directory.
        (cd "$RUN" && exec setsid java "${opts[@]}" -cp "$RUN/logging:$DIST/lib/*:$DIST/lib-jdk11/*" \
            org.kairosdb.core.Main -c run -p "$(config_file)" </dev/null >>"$LOGFILE" 2>&1) &
        echo $! >"$PIDFILE"
        log "started pid $(cat "$PIDFILE"); log: $LOGFILE"
    fi
    local t0
    t0="$(now_ms)"
    wait_until "$JAVA_KAIROSDB_START_TIMEOUT" "GET http://127.0.0.1:$JAVA_KAIROSDB_HTTP_PORT/api/v1/version answers" \
        "$PIDFILE" "$MARKER" "$LOGFILE" version_answers
    log "$(curl -fsS "http://127.0.0.1:$JAVA_KAIROSDB_HTTP_PORT/api/v1/version") answers on http://127.0.0.1:$JAVA_KAIROSDB_HTTP_PORT, telnet 127.0.0.1:$JAVA_KAIROSDB_TELNET_PORT, datastore $JAVA_KAIROSDB_DATASTORE (waited $((($(now_ms) - t0) / 1000)) s; RSS $(rss_mib "$(cat "$PIDFILE")") MiB)"
}

cmd_stop() {
    stop_pid "$PIDFILE" "$MARKER" "Java KairosDB" 30
}

cmd_status() {
    if ! running; then
        echo "Java KairosDB: not running"
        return 3
    fi
    local pid port
    pid="$(cat "$PIDFILE")"
    port="$(http_port)"
    if version_answers; then
        echo "Java KairosDB: running, pid $pid, http://127.0.0.1:$port answers, telnet 127.0.0.1:$(state_get JAVA_KAIROSDB_TELNET_PORT), datastore $(state_get JAVA_KAIROSDB_DATASTORE), RSS $(rss_mib "$pid") MiB"
    else
        echo "Java KairosDB: process running (pid $pid, RSS $(rss_mib "$pid") MiB) but http://127.0.0.1:$port does not answer"
        return 1
    fi
}

cmd_env() {
    if running && [ -f "$STATE" ]; then
        grep -E '^JAVA_KAIROSDB_(URL|HTTP_PORT|TELNET_PORT|DATASTORE)=' "$STATE"
    else
        printf 'JAVA_KAIROSDB_URL=http://127.0.0.1:%s\nJAVA_KAIROSDB_HTTP_PORT=%s\nJAVA_KAIROSDB_TELNET_PORT=%s\nJAVA_KAIROSDB_DATASTORE=%s\n' \
            "$JAVA_KAIROSDB_HTTP_PORT" "$JAVA_KAIROSDB_HTTP_PORT" "$JAVA_KAIROSDB_TELNET_PORT" "$JAVA_KAIROSDB_DATASTORE"
    fi
}

cmd_wipe() {
    cmd_stop
    rm -rf "$RUN"/h2db* "$RUN"/queue-*
    log "deleted the H2 database and ingest queues under $RUN (Cassandra data: scripts/cassandra.sh wipe, or DROP KEYSPACE $JAVA_KAIROSDB_KEYSPACE)"
}

case "${1:-}" in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    wipe) cmd_wipe ;;
    *)
        echo "usage: $0 {install|start|stop|status|env|wipe}" >&2
        exit 2
        ;;
esac
