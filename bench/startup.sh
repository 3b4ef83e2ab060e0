#!/usr/bin/env bash
# Start-up and memory, JVM versus native, in one table (docs/native-build.md):
#   port        exec -> Veil's PostgreSQL port accepting TCP connections
#   ready       exec -> the first client connection authenticated by Veil and answered SELECT 1 (pgjdbc, loopback)
#   1st / 2nd   the first statements on a table after that (cold analysis: Calcite's first use), milliseconds
#   RSS idle    3 s after the first statements;  RSS N clients: with CLIENTS idle authenticated connections
# Upstream: a throw-away PostgreSQL (initdb, trust on loopback) with a small table; Veil with one local account,
# transaction pooling (idle clients hold no server connection), audit to files, the MySQL listener off, and a TLS
# certificate from files as a pod mounts it from a Secret (TLS=self-signed: none configured, Veil makes one).
# RUNTIME_ARGS: extra arguments for both (e.g. -Xmx64m; the native executable takes -Xmx / -Xmn at run time).
# Needs: target/quarkus-app (make package) and/or target/*-runner (make native); initdb, pg_ctl, java, openssl (TLS=file).
#   bench/startup.sh                 both that exist (TARGETS="jvm native");  RUNS=3 repeats each (every run shown)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CLIENTS=${CLIENTS:-1000}
RUNS=${RUNS:-1}
TLS=${TLS:-file}
RUNTIME_ARGS=${RUNTIME_ARGS:-}
LOGS=${LOGS:-}      # a directory to keep Veil's logs in
WRAP=${WRAP:-}      # a command prefix for Veil, e.g. "perf record -g -o startup.perf"
UPSTREAM_PORT=${UPSTREAM_PORT:-25433}
VEIL_PORT=${VEIL_PORT:-25432}
HTTP_PORT=${HTTP_PORT:-28080}
PG_BIN=${PG_BIN:-$(dirname "$(readlink -f "$(command -v initdb)")")}
JAVA=${JAVA:-java}
PGJDBC=${PGJDBC:-$(ls "$HOME"/.m2/repository/org/postgresql/postgresql/*/postgresql-*.jar | grep -v sources | sort -V | tail -n 1)}

die() { echo "startup.sh: $*" >&2; exit 2; }
[[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] || die "initdb / pg_ctl not found (set PG_BIN)"
[[ -f $PGJDBC ]] || die "no pgjdbc jar in ~/.m2 (run the test suite once, or set PGJDBC)"
WANT=${TARGETS:-jvm native}
targets=()
[[ " $WANT " == *" jvm "* && -f target/quarkus-app/quarkus-run.jar ]] && targets+=(jvm)
runner=$(ls target/*-runner 2>/dev/null | head -n 1 || true)
[[ " $WANT " == *" native "* && -n $runner ]] && targets+=(native)
((${#targets[@]})) || die "nothing to measure: make package and/or make native first"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(($(ulimit -n) > CLIENTS * 2 + 100)) || die "CLIENTS=$CLIENTS needs more open files than $(ulimit -n)"

TMP=$(mktemp -d -t veil-startup.XXXXXX)
chmod 755 "$TMP"
cleanup() {
    if [[ -n $LOGS ]]; then mkdir -p "$LOGS" && cp "$TMP"/veil-*.log "$LOGS"/ 2>/dev/null || true; fi
    if [[ -f $TMP/pg/postmaster.pid ]]; then run_pg "$PG_BIN/pg_ctl" -D "$TMP/pg" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT
# PostgreSQL refuses to run as root: the throw-away cluster belongs to nobody then.
run_pg() { if (($(id -u) == 0)); then runuser -u nobody -- "$@"; else "$@"; fi; }
(($(id -u) == 0)) && chown nobody "$TMP"
run_pg "$PG_BIN/initdb" -D "$TMP/pg" -A trust -U postgres >/dev/null
# One SCRAM user, for warming the client's own SCRAM code before the clock starts (StartupProbe).
sed -i '1i host all scram_warmup 127.0.0.1/32 scram-sha-256' "$TMP/pg/pg_hba.conf"
run_pg "$PG_BIN/pg_ctl" -D "$TMP/pg" -l "$TMP/pg.log" -w \
    -o "-p $UPSTREAM_PORT -k $TMP -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null
psql -qX -h 127.0.0.1 -p "$UPSTREAM_PORT" -U postgres -c "CREATE DATABASE bench" >/dev/null
psql -qX -h 127.0.0.1 -p "$UPSTREAM_PORT" -U postgres -c "SET password_encryption = 'scram-sha-256'" \
    -c "CREATE ROLE scram_warmup LOGIN PASSWORD 'warmup-secret'" >/dev/null
psql -qX -h 127.0.0.1 -p "$UPSTREAM_PORT" -U postgres -d bench -c \
    "CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 1000) g" >/dev/null

tls_args=()
if [[ $TLS == file ]]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=localhost" \
        -keyout "$TMP/tls.key" -out "$TMP/tls.crt" 2>/dev/null || die "openssl could not make the test certificate"
    chmod 644 "$TMP/tls.key"
    tls_args=(-Dveil.pg.tls.cert-file="$TMP/tls.crt" -Dveil.pg.tls.key-file="$TMP/tls.key")
elif [[ $TLS != self-signed ]]; then
    die "TLS=$TLS: file or self-signed"
fi

veil_args=(
    ${RUNTIME_ARGS} "${tls_args[@]}"
    -Dveil.demo.mode=off -Dveil.mysql.enabled=false
    -Dveil.pg.port="$VEIL_PORT" -Dveil.pg.max-client-connections=$((CLIENTS + 100)) -Dquarkus.http.port="$HTTP_PORT"
    -Dveil.pg.default-upstream=main -Dveil.upstreams.main.host=127.0.0.1 -Dveil.upstreams.main.port="$UPSTREAM_PORT"
    -Dveil.upstreams.main.database=bench -Dveil.upstreams.main.user=postgres -Dveil.upstreams.main.password=unused
    -Dveil.upstreams.main.tls.mode=disable -Dveil.upstreams.main.pool.mode=transaction
    -Dveil.local-accounts.bench.password=bench-secret -Dveil.identity.session.max-per-identity=$((CLIENTS + 100))
    -Dveil.audit.file.directory="$TMP/audit"
)

rows=()
for t in "${targets[@]}"; do
    for ((r = 1; r <= RUNS; r++)); do
        rm -rf "$TMP/audit"
        if [[ $t == jvm ]]; then cmd=($WRAP "$JAVA" "${veil_args[@]}" -jar target/quarkus-app/quarkus-run.jar)
        else cmd=($WRAP "$runner" "${veil_args[@]}"); fi
        rows+=("$("$JAVA" -cp "$PGJDBC" bench/StartupProbe.java "$t" "$VEIL_PORT" "$UPSTREAM_PORT" bench bench-secret \
            "$CLIENTS" "$TMP/veil-$t-$r.log" -- "${cmd[@]}")") || { tail -n 40 "$TMP/veil-$t-$r.log" >&2; die "$t run failed"; }
    done
done

printf '\n| %-6s | %8s | %8s | %11s | %11s | %12s | %17s |\n' "" "port ms" "ready ms" "1st stmt ms" "2nd stmt ms" "RSS idle MiB" "RSS $CLIENTS clients MiB"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "--------" "----------" "----------" "-------------" "-------------" "--------------" "-------------------"
for row in "${rows[@]}"; do
    IFS=$'\t' read -r label port ready first second idle many n <<<"$row"
    printf '| %-6s | %8s | %8s | %11s | %11s | %12s | %17s |\n' "$label" "$port" "$ready" "$first" "$second" "$idle" "$many"
    [[ $n == "$CLIENTS" ]] || echo "startup.sh: only $n clients connected" >&2
done
echo "($(nproc) cores, $(uname -m); $(date -u +%F); TLS=$TLS${RUNTIME_ARGS:+; $RUNTIME_ARGS})"
