#!/usr/bin/env bash
# Soak: SOAK_CLIENTS pgbench clients (default 1,000) through a Veil with transaction pooling on
# SOAK_POOL_SIZE server connections (default 20) for SOAK_MINUTES (default 2), printing Veil's resident
# memory (RSS) and Java heap every SOAK_SAMPLE_SECONDS (default 60). Memory that keeps growing from one
# sample to the next under a steady load is what this is for (issue 13 item 24); docs/benchmarks.md.
#
# Usage: bench/soak.sh   (the upstream must serve the pgbench database; bench/pg-bench.sh creates it)
# Every knob is an environment variable, below.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
HOST=127.0.0.1                      # loopback only

SOAK_MINUTES=${SOAK_MINUTES:-2}
SOAK_SAMPLE_SECONDS=${SOAK_SAMPLE_SECONDS:-60}
SOAK_CLIENTS=${SOAK_CLIENTS:-1000}
SOAK_THREADS=${SOAK_THREADS:-8}
SOAK_POOL_SIZE=${SOAK_POOL_SIZE:-20}
SOAK_MODE=${SOAK_MODE:-prepared}    # pgbench -M: simple | extended | prepared (named statements, re-prepared per connection)
SOAK_PG_PORT=${SOAK_PG_PORT:-15436}
SOAK_HTTP_PORT=${SOAK_HTTP_PORT:-8083}
UPSTREAM_PG_PORT=${UPSTREAM_PG_PORT:-15433}
UPSTREAM_USER=${UPSTREAM_USER:-postgres}
UPSTREAM_PASSWORD=${UPSTREAM_PASSWORD:-}
BENCH_DB=${BENCH_DB:-bench}
VEIL_USER=${VEIL_USER:-admin}
VEIL_PASSWORD=${VEIL_PASSWORD:-admin-demo}
VEIL_START_TIMEOUT=${VEIL_START_TIMEOUT:-90}
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}

export PGSSLMODE=disable PGGSSENCMODE=disable PGCONNECT_TIMEOUT=30
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE PGOPTIONS || true

log() { printf '[soak] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for v in SOAK_MINUTES SOAK_SAMPLE_SECONDS SOAK_CLIENTS SOAK_THREADS SOAK_POOL_SIZE SOAK_PG_PORT SOAK_HTTP_PORT UPSTREAM_PG_PORT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
((SOAK_MINUTES > 0 && SOAK_SAMPLE_SECONDS > 0)) || die "SOAK_MINUTES and SOAK_SAMPLE_SECONDS must be at least 1"
for c in pgbench pg_isready java curl ps setsid; do command -v "$c" >/dev/null || die "'$c' is required but not installed"; done
JAR=$ROOT/target/quarkus-app/quarkus-run.jar
[[ -f $JAR ]] || die "$JAR is missing (make package)"

# One socket per client in pgbench, and as many in Veil: raise the soft limit to the hard one if needed.
need_fds=$((SOAK_CLIENTS + 64))
if (($(ulimit -n) < need_fds)); then
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  (($(ulimit -n) >= need_fds)) || die "$SOAK_CLIENTS clients need $need_fds open files, the limit is $(ulimit -n) (raise the hard limit: ulimit -Hn, or LimitNOFILE)"
fi
pg_isready -q -h "$HOST" -p "$UPSTREAM_PG_PORT" -t 5 || die "no PostgreSQL on $HOST:$UPSTREAM_PG_PORT (start it, or run bench/pg-bench.sh with KEEP_TMP=1 first)"

mkdir -p "$RESULTS_DIR"
RUN_ID=$(date +%Y%m%d-%H%M%S)
VEIL_LOG=$RESULTS_DIR/soak-$RUN_ID-veil.log
PGBENCH_LOG=$RESULTS_DIR/soak-$RUN_ID-pgbench.log
AUDIT_DIR=$(mktemp -d -t veil-soak-audit.XXXXXX)
VEIL_PID="" PGBENCH_PID=""

cleanup() {
  local rc=$?
  set +e
  [[ -n $PGBENCH_PID ]] && kill -TERM "$PGBENCH_PID" 2>/dev/null && wait "$PGBENCH_PID" 2>/dev/null
  if [[ -n $VEIL_PID ]]; then
    kill -TERM -- "-$VEIL_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$VEIL_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$VEIL_PID" 2>/dev/null
  fi
  rm -rf "$AUDIT_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

cmd="java ${VEIL_JAVA_OPTS:-} -Dveil.demo.mode=off -Dveil.mysql.enabled=false"
cmd+=" -Dveil.pg.port=$SOAK_PG_PORT -Dquarkus.http.port=$SOAK_HTTP_PORT -Dveil.audit.file.directory=$AUDIT_DIR"
cmd+=" -Dveil.pg.max-client-connections=$((SOAK_CLIENTS + 100)) -Dveil.pg.max-authenticating-connections=$((SOAK_CLIENTS + 100))"
cmd+=" -Dveil.pg.max-authenticating-per-address=$((SOAK_CLIENTS + 100)) -Dveil.identity.session.max-per-identity=$((SOAK_CLIENTS + 100))"
cmd+=" -Dveil.upstreams.up.host=$HOST -Dveil.upstreams.up.port=$UPSTREAM_PG_PORT -Dveil.upstreams.up.user=$UPSTREAM_USER"
cmd+=" -Dveil.upstreams.up.database=$BENCH_DB -Dveil.upstreams.up.tls.mode=disable"
cmd+=" -Dveil.upstreams.up.pool.max-size=$SOAK_POOL_SIZE -Dveil.upstreams.up.pool.mode=transaction -Dveil.upstreams.up.pool.acquire-timeout=60s"
[[ -n $UPSTREAM_PASSWORD ]] && cmd+=" -Dveil.upstreams.up.password=$UPSTREAM_PASSWORD"
# The admin role reads /q/metrics (server connections, and the heap without a JDK).
cmd+=" -Dveil.local-accounts.$VEIL_USER.password=$VEIL_PASSWORD -Dveil.local-accounts.$VEIL_USER.roles=admin -jar $JAR"
log "starting Veil: $cmd  (log $VEIL_LOG)"
(cd "$ROOT" && exec setsid bash -c "exec $cmd") >"$VEIL_LOG" 2>&1 </dev/null &
VEIL_PID=$!
deadline=$((SECONDS + VEIL_START_TIMEOUT))
until [[ $(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://$HOST:$SOAK_HTTP_PORT/q/health/ready" || true) == 200 ]]; do
  kill -0 "$VEIL_PID" 2>/dev/null || { tail -n 40 "$VEIL_LOG" >&2; die "Veil failed to start"; }
  ((SECONDS < deadline)) || die "Veil not ready after ${VEIL_START_TIMEOUT}s (see $VEIL_LOG)"
  sleep 1
done

# The JVM is the process exec'd by setsid (same pid); the heap comes from jstat when the JDK has it, else
# from the metrics endpoint (jvm_memory_used_bytes, area heap).
heap_mb() {
  if command -v jstat >/dev/null; then
    jstat -gc "$VEIL_PID" 2>/dev/null | awk 'NR == 2 { printf "%.0f", ($3 + $4 + $6 + $8) / 1024 }'
  else
    curl -s --max-time 5 -u "$VEIL_USER:$VEIL_PASSWORD" "http://$HOST:$SOAK_HTTP_PORT/q/metrics" |
      awk '/^jvm_memory_used_bytes\{.*area="heap"/ { s += $NF } END { printf "%.0f", s / 1048576 }'
  fi
}
sample() { # label
  local rss
  rss=$(ps -o rss= -p "$VEIL_PID" | awk '{ printf "%.0f", $1 / 1024 }')
  printf '[soak] %-8s Veil RSS %6s MB  heap used %6s MB  server connections %s\n' "$1" "$rss" "$(heap_mb)" \
    "$(curl -s --max-time 5 -u "$VEIL_USER:$VEIL_PASSWORD" "http://$HOST:$SOAK_HTTP_PORT/q/metrics" | awk '/^veil_upstream_pool_size\{/ { s += $NF } END { print s + 0 }')"
}

log "$SOAK_CLIENTS clients, -M $SOAK_MODE, on $SOAK_POOL_SIZE server connections for $SOAK_MINUTES min (pgbench log $PGBENCH_LOG)"
sample start
PGPASSWORD=$VEIL_PASSWORD pgbench -n -S -M "$SOAK_MODE" -c "$SOAK_CLIENTS" -j "$SOAK_THREADS" -T $((SOAK_MINUTES * 60)) \
  -P "$SOAK_SAMPLE_SECONDS" -h "$HOST" -p "$SOAK_PG_PORT" -U "$VEIL_USER" "$BENCH_DB" >"$PGBENCH_LOG" 2>&1 &
PGBENCH_PID=$!
for ((m = 1; m * SOAK_SAMPLE_SECONDS <= SOAK_MINUTES * 60; m++)); do
  sleep "$SOAK_SAMPLE_SECONDS"
  kill -0 "$PGBENCH_PID" 2>/dev/null || break
  sample "+$((m * SOAK_SAMPLE_SECONDS))s"
done
rc=0
wait "$PGBENCH_PID" || rc=$?
PGBENCH_PID=""
sample end
grep -E '^(number of clients|number of transactions actually processed|number of failed|latency average|tps)' "$PGBENCH_LOG" | sed 's/^/[soak] /' >&2 || true
((rc == 0)) || { tail -n 20 "$PGBENCH_LOG" >&2; die "pgbench exited with status $rc"; }
