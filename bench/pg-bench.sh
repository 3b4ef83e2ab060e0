#!/usr/bin/env bash
# Veil PostgreSQL benchmark: direct PostgreSQL vs Veil (audit to file on, and
# off; session pooling, and transaction pooling with target veil-tx) vs
# PgBouncer (transaction and session pooling) vs a plain TCP relay (HAProxy, the
# floor of any gateway here), pgbench select-only, loopback only.
#
# Usage: bench/pg-bench.sh            (normally through `make bench`)
# Every knob is an environment variable; see bench/README.md.
# shellcheck disable=SC2317  # functions reached only through traps
# shellcheck disable=SC2059  # the table's printf format is a variable on purpose
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)

# --------------------------------------------------------------------------
# Configuration (all overridable from the environment)
# --------------------------------------------------------------------------
HOST=127.0.0.1                      # loopback only, deliberately not configurable
TARGETS=${TARGETS:-"direct tcp-relay veil veil-noaudit veil-policy-engineer veil-policy-analyst veil-policy-admin pgbouncer-tx pgbouncer-session"}
MODES=${MODES:-"simple prepared"}

VEIL_PG_PORT=${VEIL_PG_PORT:-15432}
VEIL_NOAUDIT_PG_PORT=${VEIL_NOAUDIT_PG_PORT:-15434}     # second Veil, audit off
VEIL_NOAUDIT_HTTP_PORT=${VEIL_NOAUDIT_HTTP_PORT:-8081}
VEIL_TX_PG_PORT=${VEIL_TX_PG_PORT:-15435}               # third Veil, transaction pooling, audit on
VEIL_TX_HTTP_PORT=${VEIL_TX_HTTP_PORT:-8082}
VEIL_TX_POOL_SIZE=${VEIL_TX_POOL_SIZE:-20}             # its server connections, whatever CLIENTS is
VEIL_POLICY_PG_PORT=${VEIL_POLICY_PG_PORT:-15436}       # fourth Veil, audit on, the demo policy in force
VEIL_POLICY_HTTP_PORT=${VEIL_POLICY_HTTP_PORT:-8083}
VEIL_POLICY_FILE=${VEIL_POLICY_FILE:-$ROOT/src/main/resources/dev/veil/demo/demo-policy.yaml}
VEIL_AUDIT_DURABILITY=${VEIL_AUDIT_DURABILITY:-fsync} # fsync | write, for the audited Veil
VEIL_READS_DURABLE_BEFORE=${VEIL_READS_DURABLE_BEFORE:-none} # none | reply | run, for the audited Veil
UPSTREAM_PG_PORT=${UPSTREAM_PG_PORT:-15433}
PGB_TX_PORT=${PGB_TX_PORT:-16432}
PGB_SESSION_PORT=${PGB_SESSION_PORT:-16433}
RELAY_PG_PORT=${RELAY_PG_PORT:-16434}                   # target tcp-relay (bench/tcp-relay.sh)
VEIL_HTTP_PORT=${VEIL_HTTP_PORT:-8080}
VEIL_HEALTH_URL=${VEIL_HEALTH_URL:-http://$HOST:$VEIL_HTTP_PORT/q/health/ready}
VEIL_START_TIMEOUT=${VEIL_START_TIMEOUT:-90}
VEIL_STOP_TIMEOUT=${VEIL_STOP_TIMEOUT:-20}
VEIL_CMD=${VEIL_CMD:-}
START_VEIL=${START_VEIL:-auto}      # auto | 1 | 0

VEIL_USER=${VEIL_USER:-admin}
VEIL_PASSWORD=${VEIL_PASSWORD:-admin-demo}
UPSTREAM_USER=${UPSTREAM_USER:-postgres}
UPSTREAM_PASSWORD=${UPSTREAM_PASSWORD:-}
PGBOUNCER_USER=${PGBOUNCER_USER:-}  # OS user pgbouncer runs as (it refuses root)
PGBOUNCER_POOL_SIZE=${PGBOUNCER_POOL_SIZE:-8}

BENCH_DB=${BENCH_DB:-bench}
SCALE=${SCALE:-10}
CLIENTS=${CLIENTS:-8}
THREADS=${THREADS:-2}
DURATION=${DURATION:-20}            # seconds, multi-client runs
DURATION_1C=${DURATION_1C:-10}      # seconds, single-client runs
WARMUP=${WARMUP:-5}                 # seconds per target and mode, 0 = none
JIT_WARMUP=${JIT_WARMUP:-20}        # seconds per mode of extra warm-up for each Veil process, before the per-target ones
MASK_ROWS=${MASK_ROWS:-1000000}     # rows of the masking run (table bench_people), 0 = no masking run
MASK_REPEAT=${MASK_REPEAT:-3}       # reads per account in the masking run; the fastest counts
BENCH_REINIT=${BENCH_REINIT:-0}     # 1 = re-run pgbench -i even if the data looks right
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}
KEEP_TMP=${KEEP_TMP:-0}
CPU_SPLIT=${CPU_SPLIT:-0}           # 1 = pgbench and the upstream on the first half of the cores, the target in the path on the other half

# Same transport for every target: no TLS / GSS negotiation on loopback.
export PGSSLMODE=${PGSSLMODE:-disable}
export PGGSSENCMODE=${PGGSSENCMODE:-disable}
export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-10}
# Never let a caller's libpq settings leak into a target.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE PGOPTIONS || true

RUN_ID=$(date +%Y%m%d-%H%M%S)
MD_FILE=$RESULTS_DIR/pg-$RUN_ID.md
RAW_LOG=$RESULTS_DIR/pg-$RUN_ID.log
VEIL_LOG=$RESULTS_DIR/pg-$RUN_ID-veil.log
VEIL_NOAUDIT_LOG=$RESULTS_DIR/pg-$RUN_ID-veil-noaudit.log
VEIL_TX_LOG=$RESULTS_DIR/pg-$RUN_ID-veil-tx.log
VEIL_POLICY_LOG=$RESULTS_DIR/pg-$RUN_ID-veil-policy.log
# The audited Veil writes its audit files here (a real disk, so fsync costs what it costs).
VEIL_AUDIT_DIR=$RESULTS_DIR/pg-$RUN_ID-audit

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
# Messages go to the script's original stderr (fd 9), even from a trap that
# fires while a function's output is redirected to a log file.
exec 9>&2
log() { printf '[pg-bench] %s\n' "$*" >&9; }
die() { log "ERROR: $*"; exit 1; }

has_target() { [[ " $TARGETS " == *" $1 "* ]]; }

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# Alive and not a zombie.
proc_alive() {
  local st
  st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ -n $st && $st != Z* ]]
}

http_status() {
  curl -s -o /dev/null --max-time 2 -w '%{http_code}' "$1" 2>/dev/null || true
}

fcalc() { awk "BEGIN { printf \"$1\", $2 }"; }

# psql straight to the upstream server
psql_up() {
  PGPASSWORD=$UPSTREAM_PASSWORD psql -X -q -v ON_ERROR_STOP=1 \
    -h "$HOST" -p "$UPSTREAM_PG_PORT" -U "$UPSTREAM_USER" "$@"
}

# Background a command (output appended to a file) and wait for it, so that
# INT/TERM traps run at once.
CHILD_PID=""
run_child() { # outfile cmd...
  local out=$1
  shift
  "$@" >>"$out" 2>&1 </dev/null 9>&- &
  CHILD_PID=$!
  local rc=0
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=""
  return "$rc"
}

stop_pid() { # pid timeout_s
  local pid=$1 t=$2 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < t * 5; i++)); do proc_alive "$pid" || break; sleep 0.2; done
  if proc_alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}

# --------------------------------------------------------------------------
# Cleanup: everything this script started goes away, on any exit.
# --------------------------------------------------------------------------
TMP=""
VEIL_PID=""          # also the process-group id (started with setsid)
VEIL2_PID=""         # the Veil with audit off (target veil-noaudit)
VEIL3_PID=""         # the Veil with transaction pooling (target veil-tx)
VEIL4_PID=""         # the Veil with the demo policy (targets veil-policy-engineer, -analyst, -admin)
VEIL_OWNS_UPSTREAM=0 # upstream came up only because we started Veil
PGB_PIDS=()

listener_pid() { # port -> pid of the listening process (best effort)
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2 || true
}

stop_veil() {
  [[ -n $VEIL_PID ]] || return 0
  local pg=$VEIL_PID i
  log "stopping Veil (pid $pg)"
  kill -TERM -- "-$pg" 2>/dev/null || true
  for ((i = 0; i < VEIL_STOP_TIMEOUT * 5; i++)); do proc_alive "$pg" || break; sleep 0.2; done
  if proc_alive "$pg"; then
    log "Veil did not stop within ${VEIL_STOP_TIMEOUT}s: SIGKILL"
    kill -KILL -- "-$pg" 2>/dev/null || true
  fi
  wait "$pg" 2>/dev/null || true
  kill -KILL -- "-$pg" 2>/dev/null || true   # stragglers of its process group
  VEIL_PID=""
  # An embedded PostgreSQL is started through pg_ctl, which detaches the
  # postmaster into its own session: if Veil did not stop it, we do.
  if ((VEIL_OWNS_UPSTREAM)); then
    for ((i = 0; i < 15; i++)); do port_open "$UPSTREAM_PG_PORT" || break; sleep 0.2; done
    if port_open "$UPSTREAM_PG_PORT"; then
      local pm
      pm=$(listener_pid "$UPSTREAM_PG_PORT")
      if [[ -n $pm ]]; then
        log "embedded PostgreSQL (pid $pm) survived Veil: fast shutdown"
        kill -INT "$pm" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do kill -0 "$pm" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$pm" 2>/dev/null; then kill -KILL "$pm" 2>/dev/null || true; fi
      fi
    fi
  fi
}

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  if [[ -n $CHILD_PID ]]; then stop_pid "$CHILD_PID" 5; fi
  local p
  for p in "${PGB_PIDS[@]}"; do stop_pid "$p" 5; done
  if [[ -n $VEIL2_PID ]]; then
    kill -TERM -- "-$VEIL2_PID" 2>/dev/null || true
    stop_pid "$VEIL2_PID" "$VEIL_STOP_TIMEOUT"
    kill -KILL -- "-$VEIL2_PID" 2>/dev/null || true
  fi
  if [[ -n $VEIL3_PID ]]; then
    kill -TERM -- "-$VEIL3_PID" 2>/dev/null || true
    stop_pid "$VEIL3_PID" "$VEIL_STOP_TIMEOUT"
    kill -KILL -- "-$VEIL3_PID" 2>/dev/null || true
  fi
  if [[ -n $VEIL4_PID ]]; then
    kill -TERM -- "-$VEIL4_PID" 2>/dev/null || true
    stop_pid "$VEIL4_PID" "$VEIL_STOP_TIMEOUT"
    kill -KILL -- "-$VEIL4_PID" 2>/dev/null || true
  fi
  stop_veil
  if [[ $KEEP_TMP != 1 && -d $VEIL_AUDIT_DIR ]]; then rm -rf "$VEIL_AUDIT_DIR"; fi
  if [[ $KEEP_TMP != 1 && -d $VEIL_AUDIT_DIR-tx ]]; then rm -rf "$VEIL_AUDIT_DIR-tx"; fi
  if [[ $KEEP_TMP != 1 && -d $VEIL_AUDIT_DIR-policy ]]; then rm -rf "$VEIL_AUDIT_DIR-policy"; fi
  if [[ -n $TMP && -d $TMP ]]; then
    if [[ $KEEP_TMP == 1 ]]; then log "kept temp dir $TMP"; else rm -rf "$TMP"; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------
for t in $TARGETS; do
  case $t in direct | tcp-relay | veil | veil-noaudit | veil-tx | veil-policy-engineer | veil-policy-analyst | veil-policy-admin | pgbouncer-tx | pgbouncer-session) ;;
    *) die "unknown target '$t' (known: direct tcp-relay veil veil-noaudit veil-tx veil-policy-engineer veil-policy-analyst veil-policy-admin pgbouncer-tx pgbouncer-session)" ;;
  esac
done
for m in $MODES; do
  case $m in simple | extended | prepared) ;; *) die "unknown pgbench mode '$m'" ;; esac
done
[[ -n ${TARGETS// /} ]] || die "TARGETS is empty"
case $VEIL_AUDIT_DURABILITY in fsync | write) ;; *) die "VEIL_AUDIT_DURABILITY must be fsync or write" ;; esac
case $VEIL_READS_DURABLE_BEFORE in none | reply | run) ;; *) die "VEIL_READS_DURABLE_BEFORE must be none, reply or run" ;; esac
for v in VEIL_PG_PORT VEIL_NOAUDIT_PG_PORT VEIL_NOAUDIT_HTTP_PORT VEIL_TX_PG_PORT VEIL_TX_HTTP_PORT VEIL_TX_POOL_SIZE UPSTREAM_PG_PORT PGB_TX_PORT PGB_SESSION_PORT VEIL_HTTP_PORT \
  VEIL_START_TIMEOUT VEIL_STOP_TIMEOUT SCALE CLIENTS THREADS DURATION DURATION_1C WARMUP JIT_WARMUP \
  PGBOUNCER_POOL_SIZE; do
  is_uint "${!v}" || die "$v must be a non-negative integer (got '${!v}')"
done
[[ $BENCH_DB =~ ^[a-z_][a-z0-9_]*$ ]] || die "BENCH_DB must be a plain lower-case identifier"
case $START_VEIL in auto | 0 | 1) ;; *) die "START_VEIL must be auto, 1 or 0" ;; esac
case $CPU_SPLIT in 0 | 1) ;; *) die "CPU_SPLIT must be 0 or 1" ;; esac
CLIENT_CPUS="" GATEWAY_CPUS=""
if ((CPU_SPLIT)); then
  command -v taskset >/dev/null || die "CPU_SPLIT=1 needs taskset (util-linux)"
  cores=$(nproc)
  ((cores >= 2)) || die "CPU_SPLIT=1 needs at least 2 cores"
  CLIENT_CPUS="0-$((cores / 2 - 1))" GATEWAY_CPUS="$((cores / 2))-$((cores - 1))"
fi
for c in pgbench psql curl awk ss setsid timeout; do
  command -v "$c" >/dev/null || die "'$c' is required but not installed"
done

# pgbench holds a socket per client (CLIENTS=1000 for the 1,000-clients-on-20-connections run): raise the
# soft limit on open files as far as the hard limit allows, and say so when that is not enough.
need_fds=$((CLIENTS + 64))
if (($(ulimit -n) < need_fds)); then
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  (($(ulimit -n) >= need_fds)) || die "CLIENTS=$CLIENTS needs $need_fds open files, the limit is $(ulimit -n) (raise the hard limit: ulimit -Hn, or LimitNOFILE)"
fi

mkdir -p "$RESULTS_DIR"
TMP=$(mktemp -d -t veil-pg-bench.XXXXXX)
chmod 755 "$TMP"
: >"$RAW_LOG"
log "run $RUN_ID: targets [$TARGETS], modes [$MODES], scale $SCALE"
log "raw output: $RAW_LOG"

# --------------------------------------------------------------------------
# Veil (also provides the upstream PostgreSQL in demo mode)
# --------------------------------------------------------------------------
start_veil() {
  if [[ -z $VEIL_CMD ]]; then
    command -v java >/dev/null || die "java is required to start Veil"
    local jar=$ROOT/target/quarkus-app/quarkus-run.jar
    if [[ ! -f $jar ]]; then
      log "Veil jar missing ($jar): building with mvn -B -q package -DskipTests"
      command -v mvn >/dev/null || die "mvn not found, cannot build Veil"
      run_child "$RAW_LOG" mvn -B -q -f "$ROOT/pom.xml" package -DskipTests ||
        die "Veil build failed (see $RAW_LOG)"
      [[ -f $jar ]] || die "build finished but $jar is still missing"
    fi
    # Ports as Veil's configuration names them today (veil.pg.port,
    # veil.demo.postgres-port, quarkus.http.port); set VEIL_CMD to override.
    # The MySQL side stays off (no embedded MariaDB competing for the CPU);
    # bench/mysql-bench.sh measures it.
    VEIL_CMD="java ${VEIL_JAVA_OPTS:-} -Dveil.pg.port=$VEIL_PG_PORT -Dveil.demo.postgres-port=$UPSTREAM_PG_PORT"
    VEIL_CMD+=" -Dveil.mysql.enabled=false -Dveil.demo.policy=false"  # the policy's cost: targets veil-policy-*
    VEIL_CMD+=" -Dveil.audit.file.directory=$VEIL_AUDIT_DIR -Dveil.audit.durability=$VEIL_AUDIT_DURABILITY -Dveil.audit.reads-durable-before=$VEIL_READS_DURABLE_BEFORE"
    VEIL_CMD+=" -Dquarkus.http.port=$VEIL_HTTP_PORT -jar target/quarkus-app/quarkus-run.jar"
  fi
  if port_open "$VEIL_PG_PORT"; then
    die "port $VEIL_PG_PORT is already in use: another Veil running? (START_VEIL=0 benchmarks the running one)"
  fi
  if port_open "$VEIL_HTTP_PORT"; then
    die "port $VEIL_HTTP_PORT is already in use (Veil's HTTP port; set VEIL_HTTP_PORT/VEIL_HEALTH_URL if Veil uses another)"
  fi
  local upstream_was_up=0
  port_open "$UPSTREAM_PG_PORT" && upstream_was_up=1

  log "starting Veil: $VEIL_CMD  (in $ROOT, log $VEIL_LOG)"
  # setsid: Veil gets its own process group, so the cleanup reaches its children.
  (cd "$ROOT" && exec setsid bash -c "$VEIL_CMD") >"$VEIL_LOG" 2>&1 </dev/null 9>&- &
  VEIL_PID=$!
  # If the upstream port opens now, it is Veil's embedded PostgreSQL: ours to stop.
  ((upstream_was_up)) || VEIL_OWNS_UPSTREAM=1
  local started=$SECONDS

  local deadline=$((SECONDS + VEIL_START_TIMEOUT)) code="" rc=0
  while :; do
    if ! proc_alive "$VEIL_PID"; then
      wait "$VEIL_PID" 2>/dev/null || rc=$?
      kill -KILL -- "-$VEIL_PID" 2>/dev/null || true
      VEIL_PID=""
      log "Veil exited with status $rc before becoming ready; last lines of its log:"
      tail -n 60 "$VEIL_LOG" | sed 's/^/    /' >&9
      die "Veil failed to start"
    fi
    code=$(http_status "$VEIL_HEALTH_URL")
    [[ $code == 200 ]] && break
    if ((SECONDS >= deadline)); then
      log "Veil not ready after ${VEIL_START_TIMEOUT}s ($VEIL_HEALTH_URL -> HTTP ${code:-none}); last lines of its log:"
      tail -n 60 "$VEIL_LOG" | sed 's/^/    /' >&9
      die "Veil failed to become ready"
    fi
    sleep 1
  done
  log "Veil is ready ($VEIL_HEALTH_URL -> 200) after $((SECONDS - started))s"
}

need_veil=0
case $START_VEIL in
  1) need_veil=1 ;;
  0) need_veil=0 ;;
  auto)
    if has_target veil || ! port_open "$UPSTREAM_PG_PORT"; then need_veil=1; fi
    ;;
esac
if ((need_veil)); then start_veil; fi

# Upstream must answer (embedded demo PostgreSQL or one you run yourself).
for ((i = 0; i < 30; i++)); do
  pg_isready -q -h "$HOST" -p "$UPSTREAM_PG_PORT" -t 2 && break
  sleep 1
done
pg_isready -q -h "$HOST" -p "$UPSTREAM_PG_PORT" -t 2 ||
  die "upstream PostgreSQL on $HOST:$UPSTREAM_PG_PORT is not accepting connections"

# --------------------------------------------------------------------------
# The side Veils: each its own packaged-jar process in front of the same
# upstream, started and awaited the same way.
# --------------------------------------------------------------------------
# The upstream and the listener of a side Veil: "java … $(side_veil_base PG_PORT HTTP_PORT POOL_SIZE)".
side_veil_base() {
  local opts="-Dveil.demo.mode=off -Dveil.pg.port=$1 -Dquarkus.http.port=$2"
  opts+=" -Dveil.upstreams.up.host=$HOST -Dveil.upstreams.up.port=$UPSTREAM_PG_PORT"
  opts+=" -Dveil.upstreams.up.user=$UPSTREAM_USER -Dveil.upstreams.up.database=$BENCH_DB"
  opts+=" -Dveil.upstreams.up.tls.mode=disable -Dveil.upstreams.up.pool.max-size=$3"
  [[ -n $UPSTREAM_PASSWORD ]] && opts+=" -Dveil.upstreams.up.password=$UPSTREAM_PASSWORD"
  printf '%s' "$opts"
}

# start_side_veil NAME PG_PORT HTTP_PORT LOG PID_VAR OPTS: starts the jar with OPTS, sets PID_VAR (the cleanup
# stops it) and waits until its readiness check answers 200.
start_side_veil() {
  local name=$1 pg_port=$2 http_port=$3 logfile=$4 pid_var=$5 opts=$6
  local jar=$ROOT/target/quarkus-app/quarkus-run.jar
  [[ -f $jar ]] || die "$name needs $jar (make package)"
  port_open "$pg_port" && die "port $pg_port ($name) is already in use"
  local cmd="java ${VEIL_JAVA_OPTS:-} $opts -jar $jar"
  log "starting $name: $cmd  (log $logfile)"
  (cd "$ROOT" && exec setsid bash -c "$cmd") >"$logfile" 2>&1 </dev/null 9>&- &
  printf -v "$pid_var" '%s' "$!"
  local pid=$!
  local deadline=$((SECONDS + VEIL_START_TIMEOUT))
  until [[ $(http_status "http://$HOST:$http_port/q/health/ready") == 200 ]]; do
    proc_alive "$pid" || { tail -n 40 "$logfile" | sed 's/^/    /' >&9; die "$name failed to start"; }
    ((SECONDS < deadline)) || die "$name not ready after ${VEIL_START_TIMEOUT}s (see $logfile)"
    sleep 1
  done
  log "$name is ready on $HOST:$pg_port"
}

# A second Veil with the audit log off, fronting the same upstream: the
# difference between it and "veil" is what recording every statement costs.
start_veil_noaudit() {
  local opts="-Dveil.audit.enabled=false $(side_veil_base "$VEIL_NOAUDIT_PG_PORT" "$VEIL_NOAUDIT_HTTP_PORT" 50)"
  opts+=" -Dveil.local-accounts.$VEIL_USER.password=$VEIL_PASSWORD"
  start_side_veil veil-noaudit "$VEIL_NOAUDIT_PG_PORT" "$VEIL_NOAUDIT_HTTP_PORT" "$VEIL_NOAUDIT_LOG" VEIL2_PID "$opts"
}

# The audit settings of "veil", writing to their own directory.
side_veil_audit() {
  printf '%s' "-Dveil.audit.file.directory=$1 -Dveil.audit.durability=$VEIL_AUDIT_DURABILITY -Dveil.audit.reads-durable-before=$VEIL_READS_DURABLE_BEFORE -Dveil.mysql.enabled=false"
}

# A third Veil with transaction pooling (audit on, as "veil"): VEIL_TX_POOL_SIZE
# server connections shared by all CLIENTS (CLIENTS=1000 shows 1,000 clients on
# 20 connections). Its listener limits are raised for that many clients, all
# from 127.0.0.1.
start_veil_tx() {
  local opts
  opts="$(side_veil_audit "$VEIL_AUDIT_DIR-tx") $(side_veil_base "$VEIL_TX_PG_PORT" "$VEIL_TX_HTTP_PORT" "$VEIL_TX_POOL_SIZE")"
  opts+=" -Dveil.pg.max-client-connections=$((CLIENTS + 100)) -Dveil.pg.max-authenticating-connections=$((CLIENTS + 100))"
  opts+=" -Dveil.pg.max-authenticating-per-address=$((CLIENTS + 100)) -Dveil.identity.session.max-per-identity=$((CLIENTS + 100))"
  opts+=" -Dveil.upstreams.up.pool.mode=transaction -Dveil.upstreams.up.pool.acquire-timeout=60s"
  opts+=" -Dveil.local-accounts.$VEIL_USER.password=$VEIL_PASSWORD"
  start_side_veil veil-tx "$VEIL_TX_PG_PORT" "$VEIL_TX_HTTP_PORT" "$VEIL_TX_LOG" VEIL3_PID "$opts"
}

# A fourth Veil, configured as "veil" but with the demo policy in force
# (VEIL_POLICY_FILE): target veil-policy-engineer signs in as engineer, under
# every guardrail, veil-policy-analyst as analyst (read only, results masked),
# veil-policy-admin as admin (clear values). Beside "veil" (no policy file),
# they show what the policy step costs.
start_veil_policy() {
  [[ -f $VEIL_POLICY_FILE ]] || die "VEIL_POLICY_FILE $VEIL_POLICY_FILE does not exist"
  local opts
  opts="-Dveil.policy.file=$VEIL_POLICY_FILE $(side_veil_audit "$VEIL_AUDIT_DIR-policy")"
  opts+=" $(side_veil_base "$VEIL_POLICY_PG_PORT" "$VEIL_POLICY_HTTP_PORT" 50)"
  opts+=" -Dveil.local-accounts.engineer.password=$VEIL_PASSWORD -Dveil.local-accounts.engineer.roles=engineer"
  opts+=" -Dveil.local-accounts.admin.password=$VEIL_PASSWORD -Dveil.local-accounts.admin.roles=admin"
  opts+=" -Dveil.local-accounts.analyst.password=$VEIL_PASSWORD -Dveil.local-accounts.analyst.roles=analyst"
  start_side_veil veil-policy "$VEIL_POLICY_PG_PORT" "$VEIL_POLICY_HTTP_PORT" "$VEIL_POLICY_LOG" VEIL4_PID "$opts"
}

# --------------------------------------------------------------------------
# Database 'bench', initialised directly on the upstream
# --------------------------------------------------------------------------
SERVER_VERSION=$(psql_up -d postgres -Atc 'show server_version' 2>>"$RAW_LOG") ||
  die "cannot connect to upstream as $UPSTREAM_USER (see $RAW_LOG)"
if [[ $(psql_up -d postgres -Atc "select 1 from pg_database where datname = '$BENCH_DB'") != 1 ]]; then
  log "creating database $BENCH_DB on upstream $HOST:$UPSTREAM_PG_PORT"
  psql_up -d postgres -c "create database $BENCH_DB" >>"$RAW_LOG" 2>&1 ||
    die "create database $BENCH_DB failed (see $RAW_LOG)"
fi
have_scale=$(psql_up -d "$BENCH_DB" -Atc 'select count(*) from pgbench_branches' 2>/dev/null || echo 0)
if [[ $BENCH_REINIT == 1 || $have_scale != "$SCALE" ]]; then
  log "initialising $BENCH_DB: pgbench -i -s $SCALE -q (direct on upstream)"
  PGPASSWORD=$UPSTREAM_PASSWORD run_child "$RAW_LOG" pgbench -i -s "$SCALE" -q \
    -h "$HOST" -p "$UPSTREAM_PG_PORT" -U "$UPSTREAM_USER" "$BENCH_DB" ||
    die "pgbench -i failed (see $RAW_LOG)"
else
  log "database $BENCH_DB already initialised at scale $SCALE (BENCH_REINIT=1 to redo)"
fi
# The masking run reads bench_people (e-mail and SSN columns, which the classifier tags by name) through the
# policy Veil as analyst (masked) and as admin (clear).
if ((MASK_ROWS > 0)) && [[ $(psql_up -d "$BENCH_DB" -Atc 'select count(*) from bench_people' 2>/dev/null || echo 0) != "$MASK_ROWS" ]]; then
  log "creating bench_people: $MASK_ROWS rows (direct on upstream)"
  psql_up -d "$BENCH_DB" -c 'drop table if exists bench_people' \
    -c "create table bench_people as select i as id, 'person' || i || '@example.com' as email,
          lpad((100 + i % 800)::text, 3, '0') || '-' || lpad((10 + i % 89)::text, 2, '0') || '-' || lpad((1000 + i % 8999)::text, 4, '0') as ssn,
          'note ' || i as note
        from generate_series(1, $MASK_ROWS) as i" >>"$RAW_LOG" 2>&1 || die "creating bench_people failed (see $RAW_LOG)"
fi
# Runs use -n (no per-run vacuum, which a gateway may not allow): vacuum once here.
psql_up -d "$BENCH_DB" -c 'vacuum analyze' -c 'checkpoint' >>"$RAW_LOG" 2>&1 ||
  log "warning: vacuum/checkpoint on $BENCH_DB failed (see $RAW_LOG)"

# --------------------------------------------------------------------------
# PgBouncer
# --------------------------------------------------------------------------
declare -A TARGET_ERR=()
PGBOUNCER_BIN=""
PGBOUNCER_VERSION=""

PGB_UNAVAILABLE=""
pgb_unavailable() { PGB_UNAVAILABLE=$1; log "WARNING: $1: PgBouncer targets skipped"; }

ensure_pgbouncer() {
  PGBOUNCER_BIN=$(command -v pgbouncer || true)
  [[ -z $PGBOUNCER_BIN && -x /usr/sbin/pgbouncer ]] && PGBOUNCER_BIN=/usr/sbin/pgbouncer
  if [[ -z $PGBOUNCER_BIN ]]; then
    local sudo=""
    if ((EUID != 0)); then
      command -v sudo >/dev/null || { pgb_unavailable "pgbouncer is missing and we are not root: install the Debian package 'pgbouncer'"; return 1; }
      sudo="sudo -n"
    fi
    log "pgbouncer not installed: installing Debian package 'pgbouncer' (apt-get install -y pgbouncer)"
    if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q pgbouncer >>"$RAW_LOG" 2>&1; then
      log "apt-get install failed: running apt-get update, then retrying"
      DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q >>"$RAW_LOG" 2>&1 || true
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q pgbouncer >>"$RAW_LOG" 2>&1 ||
        { pgb_unavailable "could not install pgbouncer (see $RAW_LOG)"; return 1; }
    fi
    PGBOUNCER_BIN=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
    [[ -x $PGBOUNCER_BIN ]] || { pgb_unavailable "pgbouncer installed but binary not found"; return 1; }
    log "installed $("$PGBOUNCER_BIN" --version 2>/dev/null | head -n1)"
  fi
  PGBOUNCER_VERSION=$("$PGBOUNCER_BIN" --version 2>/dev/null | head -n1 || true)

  if [[ -z $PGBOUNCER_USER ]]; then
    if id postgres >/dev/null 2>&1; then PGBOUNCER_USER=postgres; else PGBOUNCER_USER=nobody; fi
  fi
  id "$PGBOUNCER_USER" >/dev/null 2>&1 || { pgb_unavailable "PGBOUNCER_USER '$PGBOUNCER_USER' does not exist"; return 1; }
  if [[ $(id -u "$PGBOUNCER_USER") == 0 ]]; then { pgb_unavailable "pgbouncer cannot run as root"; return 1; }; fi
  if [[ $(id -u) != "$(id -u "$PGBOUNCER_USER")" ]]; then
    ((EUID == 0)) || { pgb_unavailable "must be root to run pgbouncer as $PGBOUNCER_USER (or set PGBOUNCER_USER=$(id -un))"; return 1; }
    command -v setpriv >/dev/null || { pgb_unavailable "setpriv (util-linux) is required"; return 1; }
  fi
}

start_pgbouncer() { # target port pool_mode
  local target=$1 port=$2 mode=$3 dir=$TMP/$1 i
  if port_open "$port"; then
    TARGET_ERR[$target]="port $port already in use before start"
    log "WARNING: $target: port $port already in use, target skipped"
    return 0
  fi
  mkdir -p "$dir"
  local upstream="host=$HOST port=$UPSTREAM_PG_PORT dbname=$BENCH_DB user=$UPSTREAM_USER"
  [[ -n $UPSTREAM_PASSWORD ]] && upstream+=" password=$UPSTREAM_PASSWORD"
  cat >"$dir/pgbouncer.ini" <<EOF
; generated by bench/pg-bench.sh for run $RUN_ID
[databases]
$BENCH_DB = $upstream

[pgbouncer]
listen_addr = $HOST
listen_port = $port
unix_socket_dir =
pool_mode = $mode
auth_type = trust
auth_file = $dir/userlist.txt
admin_users = $UPSTREAM_USER
default_pool_size = $PGBOUNCER_POOL_SIZE
max_client_conn = 100
server_tls_sslmode = disable
ignore_startup_parameters = extra_float_digits
log_connections = 0
log_disconnections = 0
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
  printf '"%s" ""\n' "$UPSTREAM_USER" >"$dir/userlist.txt"
  local -a cmd=("$PGBOUNCER_BIN" "$dir/pgbouncer.ini")
  if [[ $(id -u) != "$(id -u "$PGBOUNCER_USER")" ]]; then
    chown -R "$PGBOUNCER_USER:$(id -gn "$PGBOUNCER_USER")" "$dir"
    cmd=(setpriv --reuid="$PGBOUNCER_USER" --regid="$(id -g "$PGBOUNCER_USER")" --init-groups "${cmd[@]}")
  fi
  "${cmd[@]}" >"$dir/stdout.log" 2>&1 </dev/null 9>&- &
  local pid=$!
  PGB_PIDS+=("$pid")
  for ((i = 0; i < 50; i++)); do
    port_open "$port" && break
    proc_alive "$pid" || break
    sleep 0.2
  done
  if ! port_open "$port"; then
    local why
    why=$(grep -hiE 'fatal|error' "$dir/stdout.log" "$dir/pgbouncer.log" 2>/dev/null | head -n1 || true)
    TARGET_ERR[$target]="pgbouncer did not start: ${why:-see its log}"
    log "WARNING: $target: ${TARGET_ERR[$target]}"
    { echo "== $target pgbouncer logs"; cat "$dir/stdout.log" "$dir/pgbouncer.log" 2>/dev/null; } >>"$RAW_LOG"
    return 0
  fi
  log "$target: pgbouncer ($mode pooling) on $HOST:$port as user $PGBOUNCER_USER (pid $pid)"
}

if has_target pgbouncer-tx || has_target pgbouncer-session; then
  if ensure_pgbouncer; then
    has_target pgbouncer-tx && start_pgbouncer pgbouncer-tx "$PGB_TX_PORT" transaction
    has_target pgbouncer-session && start_pgbouncer pgbouncer-session "$PGB_SESSION_PORT" session
  else
    TARGET_ERR[pgbouncer-tx]=$PGB_UNAVAILABLE
    TARGET_ERR[pgbouncer-session]=$PGB_UNAVAILABLE
  fi
fi

# shellcheck source=bench/tcp-relay.sh
source "$BENCH_DIR/tcp-relay.sh"
if has_target tcp-relay; then
  if ! ensure_relay || ! start_relay "$RELAY_PG_PORT" "$UPSTREAM_PG_PORT" "$TMP/tcp-relay" PGB_PIDS; then
    TARGET_ERR[tcp-relay]=$RELAY_WHY
    log "WARNING: tcp-relay: $RELAY_WHY"
  fi
fi

has_target veil-noaudit && start_veil_noaudit
has_target veil-tx && start_veil_tx
has_policy_target() { has_target veil-policy-engineer || has_target veil-policy-analyst || has_target veil-policy-admin; }
has_policy_target && start_veil_policy

# --------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------
T_PORT="" T_USER="" T_PASS=""
target_conn() {
  case $1 in
    direct) T_PORT=$UPSTREAM_PG_PORT T_USER=$UPSTREAM_USER T_PASS=$UPSTREAM_PASSWORD ;;
    tcp-relay) T_PORT=$RELAY_PG_PORT T_USER=$UPSTREAM_USER T_PASS=$UPSTREAM_PASSWORD ;;
    veil) T_PORT=$VEIL_PG_PORT T_USER=$VEIL_USER T_PASS=$VEIL_PASSWORD ;;
    veil-noaudit) T_PORT=$VEIL_NOAUDIT_PG_PORT T_USER=$VEIL_USER T_PASS=$VEIL_PASSWORD ;;
    veil-tx) T_PORT=$VEIL_TX_PG_PORT T_USER=$VEIL_USER T_PASS=$VEIL_PASSWORD ;;
    veil-policy-engineer) T_PORT=$VEIL_POLICY_PG_PORT T_USER=engineer T_PASS=$VEIL_PASSWORD ;;
    veil-policy-analyst) T_PORT=$VEIL_POLICY_PG_PORT T_USER=analyst T_PASS=$VEIL_PASSWORD ;;
    veil-policy-admin) T_PORT=$VEIL_POLICY_PG_PORT T_USER=admin T_PASS=$VEIL_PASSWORD ;;
    pgbouncer-tx) T_PORT=$PGB_TX_PORT T_USER=$UPSTREAM_USER T_PASS="" ;;
    pgbouncer-session) T_PORT=$PGB_SESSION_PORT T_USER=$UPSTREAM_USER T_PASS="" ;;
  esac
}

with_pass() { # run "$@" with PGPASSWORD=$T_PASS (unset when empty)
  if [[ -n $T_PASS ]]; then PGPASSWORD=$T_PASS "$@"; else "$@"; fi
}

# Each target must serve the bench data before it is measured.
for t in $TARGETS; do
  [[ -n ${TARGET_ERR[$t]:-} ]] && continue
  target_conn "$t"
  out=$(with_pass timeout 30 psql -X -At -h "$HOST" -p "$T_PORT" -U "$T_USER" -d "$BENCH_DB" \
    -c 'select count(*) from pgbench_branches' 2>&1) || true
  if [[ $out != "$SCALE" ]]; then
    TARGET_ERR[$t]="check query failed: $(printf '%s\n' "$out" | grep -v '^$' | head -n1)"
    log "WARNING: $t: ${TARGET_ERR[$t]}"
  else
    log "$t: $HOST:$T_PORT user $T_USER: ok"
  fi
done

# Fresh server connections for PgBouncer before each run (no leftover state
# such as prepared statements from an earlier, failed run).
pgbouncer_reconnect() {
  local port
  case $1 in pgbouncer-tx) port=$PGB_TX_PORT ;; pgbouncer-session) port=$PGB_SESSION_PORT ;; *) return 0 ;; esac
  psql -X -q -h "$HOST" -p "$port" -U "$UPSTREAM_USER" -d pgbouncer -c 'RECONNECT' >>"$RAW_LOG" 2>&1 || true
  sleep 0.5
}

# --------------------------------------------------------------------------
# pgbench runs
# --------------------------------------------------------------------------
declare -A R_STATUS=() R_TPS=() R_LAT=() R_ERR=() R_CPU=()
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

# CPU time (user + system, clock ticks) a process has used so far; empty when unknown.
proc_cpu_ticks() { # pid
  [[ -n $1 && -r /proc/$1/stat ]] || return 0
  # Fields after the command name (which may hold spaces): state is the 3rd field, utime the 14th, stime the 15th.
  sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}
ORDER=()
RUN_N=0

# CPU_SPLIT=1: the upstream's processes (its new backends inherit from the postmaster) and pgbench on CLIENT_CPUS,
# the process listening on the target's port on GATEWAY_CPUS, as a gateway with cores of its own would run; each
# run pins again, as a Veil or PgBouncer process may have been started since.
pin_cpus() { # target
  ((CPU_SPLIT)) || return 0
  local up p
  up=$(listener_pid "$UPSTREAM_PG_PORT")
  for p in $up $(pgrep -P "${up:-0}" || true); do taskset -a -p -c "$CLIENT_CPUS" "$p" >/dev/null 2>&1 || true; done
  [[ $1 == direct ]] && return 0
  target_conn "$1"
  p=$(listener_pid "$T_PORT")
  [[ -z $p ]] || taskset -a -p -c "$GATEWAY_CPUS" "$p" >/dev/null 2>&1 || true
}

pgbench_run() { # target mode clients threads seconds -> R_OUT (file), rc
  local t=$1 mode=$2 c=$3 j=$4 secs=$5
  pin_cpus "$t"
  target_conn "$t"
  RUN_N=$((RUN_N + 1))
  R_OUT=$TMP/run-$RUN_N.out
  local -a cmd=(pgbench -n -S -M "$mode" -c "$c" -j "$j" -T "$secs"
    -h "$HOST" -p "$T_PORT" -U "$T_USER" "$BENCH_DB")
  ((CPU_SPLIT)) && cmd=(taskset -c "$CLIENT_CPUS" "${cmd[@]}")
  local rc=0
  : >"$R_OUT"
  with_pass run_child "$R_OUT" timeout -k 5 $((secs + 60)) "${cmd[@]}" || rc=$?
  {
    echo "== $(date +%T) $t: ${cmd[*]}  (exit $rc)"
    cat "$R_OUT"
  } >>"$RAW_LOG"
  return "$rc"
}

measure() { # target mode clients threads seconds
  local t=$1 mode=$2 c=$3 key="$1|$2|$3" rc=0
  ORDER+=("$key")
  if [[ -n ${TARGET_ERR[$t]:-} ]]; then
    R_STATUS[$key]=FAILED R_ERR[$key]=${TARGET_ERR[$t]}
    return 0
  fi
  pgbouncer_reconnect "$t"
  log "run: $t -M $mode -c $c -j $4 -T $5"
  # The CPU per transaction of the process in the path (Veil, PgBouncer, the relay): on a busy machine TPS follows
  # the other load, CPU per transaction much less.
  local vpid="" cpu0=""
  if [[ $t != direct ]]; then
    target_conn "$t"
    vpid=$(listener_pid "$T_PORT")
    cpu0=$(proc_cpu_ticks "$vpid")
  fi
  pgbench_run "$@" || rc=$?
  local tx cpu1
  tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$R_OUT" | head -n1)
  cpu1=$(proc_cpu_ticks "$vpid")
  if [[ -n $cpu0 && -n $cpu1 && -n $tx && $tx -gt 0 ]]; then
    R_CPU[$key]=$(fcalc '%.0f' "($cpu1 - $cpu0) * 1000000 / $CLK_TCK / $tx")
  fi
  local tps lat
  tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time).*/\1/p' "$R_OUT" | head -n1)
  lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$R_OUT" | head -n1)
  if ((rc == 0)) && [[ -n $tps && -n $lat ]]; then
    R_STATUS[$key]=OK R_TPS[$key]=$tps R_LAT[$key]=$lat
    log "     $t -M $mode -c $c: tps $tps, latency $lat ms"
  else
    local err
    # The line that aborted a client says most; else the first error line.
    err=$(grep -m1 'aborted in command' "$R_OUT" || true)
    [[ -n $err ]] || err=$(grep -m1 -iE 'error|fatal|abort|could not|does not exist' "$R_OUT" || true)
    if [[ -z $err ]]; then
      if ((rc == 124 || rc == 137)); then err="timed out after $(($5 + 60))s"
      elif ((rc != 0)); then err="pgbench exited with status $rc: $(grep -m1 -v '^$' "$R_OUT" || true)"
      else err="no tps/latency line in pgbench output"; fi
    fi
    R_STATUS[$key]=FAILED R_ERR[$key]=$err
    log "     $t -M $mode -c $c: FAILED: $err"
  fi
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${LOAD_BEFORE%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  log "WARNING: load average $LOAD_BEFORE on $(nproc) cores before the runs: expect noisy numbers"
fi

# Warm-up (JIT for Veil, caches for everyone); results are discarded. A freshly started Veil first gets
# JIT_WARMUP seconds of its own: with WARMUP alone, the first target measured on a Veil process (veil-policy-engineer,
# the first of three on one process) used up to three times the CPU per transaction of the targets after it, whatever
# its role, which read as the policy's cost (run pg-20261206-155542 against 155751, same targets in swapped order).
declare -A WARM_PORTS=()
if ((WARMUP > 0)); then
  for t in $TARGETS; do
    [[ -n ${TARGET_ERR[$t]:-} ]] && continue
    target_conn "$t"
    if [[ $t == veil* && -z ${WARM_PORTS[$T_PORT]:-} ]] && ((JIT_WARMUP > 0)); then
      WARM_PORTS[$T_PORT]=1
      for m in $MODES; do
        log "JIT warm-up of the Veil on port $T_PORT: $t -M $m (${JIT_WARMUP}s)"
        pgbench_run "$t" "$m" "$CLIENTS" "$THREADS" "$JIT_WARMUP" || true
      done
    fi
    for m in $MODES; do
      log "warm-up: $t -M $m (${WARMUP}s)"
      pgbouncer_reconnect "$t"
      pgbench_run "$t" "$m" "$CLIENTS" "$THREADS" "$WARMUP" || true
    done
  done
fi

# Scenario-major order: the targets of one scenario run back to back.
for m in $MODES; do
  for t in $TARGETS; do measure "$t" "$m" "$CLIENTS" "$THREADS" "$DURATION"; done
done
for m in $MODES; do
  for t in $TARGETS; do measure "$t" "$m" 1 1 "$DURATION_1C"; done
done

# --------------------------------------------------------------------------
# Masking: one large result read whole through the policy Veil, as analyst (two
# masked columns) and as admin (clear); the fastest of MASK_REPEAT reads counts.
# --------------------------------------------------------------------------
MASK_LINES=()
mask_read() { # user -> "seconds of the fastest read|the row with id 1 as that user sees it"
  local user=$1 best="" i t0 t1 secs sample
  sample=$(PGPASSWORD=$VEIL_PASSWORD psql -X -At -h "$HOST" -p "$VEIL_POLICY_PG_PORT" -U "$user" -d "$BENCH_DB" \
    -c 'select id, email, ssn from bench_people where id = 1' 2>&1 | head -n1)
  for ((i = 0; i < MASK_REPEAT; i++)); do
    t0=$(date +%s.%N)
    PGPASSWORD=$VEIL_PASSWORD psql -X -At -h "$HOST" -p "$VEIL_POLICY_PG_PORT" -U "$user" -d "$BENCH_DB" \
      -c 'select id, email, ssn, note from bench_people' >/dev/null 2>>"$RAW_LOG" || return 1
    t1=$(date +%s.%N)
    secs=$(fcalc '%.3f' "$t1 - $t0")
    if [[ -z $best ]] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$secs; fi
  done
  printf '%s|%s' "$best" "$sample"
}
if ((MASK_ROWS > 0)) && has_target veil-policy-analyst && has_target veil-policy-admin &&
  [[ -z ${TARGET_ERR[veil-policy-analyst]:-} && -z ${TARGET_ERR[veil-policy-admin]:-} ]]; then
  log "masking run: $MASK_ROWS rows, $MASK_REPEAT reads each as admin and as analyst"
  if clear=$(mask_read admin) && masked=$(mask_read analyst); then
    clear_s=${clear%%|*} clear_row=${clear#*|} masked_s=${masked%%|*} masked_row=${masked#*|}
    MASK_LINES+=("admin (clear): ${clear_s}s, $(fcalc '%.0f' "$MASK_ROWS / $clear_s") rows/s; first row: $clear_row")
    MASK_LINES+=("analyst (email and ssn masked): ${masked_s}s, $(fcalc '%.0f' "$MASK_ROWS / $masked_s") rows/s; first row: $masked_row")
    MASK_LINES+=("masked / clear throughput: $(fcalc '%.2f' "$clear_s / $masked_s")x")
    [[ $clear_row != "$masked_row" ]] || MASK_LINES+=("WARNING: the analyst's row equals the admin's: nothing was masked")
  else
    MASK_LINES+=("FAILED (see $RAW_LOG)")
  fi
fi

# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------
# columns: target mode clients tps latency ratio added_us note
ROWS=()
for key in "${ORDER[@]}"; do
  IFS='|' read -r t m c <<<"$key"
  dkey="direct|$m|$c"
  tps=- lat=- ratio=- add=- note=""
  if [[ ${R_STATUS[$key]} == OK ]]; then
    tps=$(fcalc '%.0f' "${R_TPS[$key]}")
    lat=$(fcalc '%.3f' "${R_LAT[$key]}")
    if [[ ${R_STATUS[$dkey]:-} == OK ]]; then
      ratio=$(fcalc '%.2f' "${R_TPS[$key]} / ${R_TPS[$dkey]}")
      if ((c == 1)); then
        if [[ $t == direct ]]; then add=0; else
          add=$(fcalc '%+.0f' "(${R_LAT[$key]} - ${R_LAT[$dkey]}) * 1000")
        fi
      fi
    else
      ratio=n/a
      ((c == 1)) && add=n/a
    fi
  else
    tps=FAILED
    note=${R_ERR[$key]}
  fi
  ROWS+=("$t|$m|$c|$tps|$lat|$ratio|$add|$note")
done

print_console() {
  local fmt='%-18s %-9s %7s %10s %12s %9s %12s  %s\n'
  printf "$fmt" target mode clients TPS "latency ms" "vs direct" "+us/RT (1c)" note
  printf "$fmt" ------ ---- ------- --- ---------- --------- ----------- ----
  local r
  for r in "${ROWS[@]}"; do
    IFS='|' read -r t m c tps lat ratio add note <<<"$r"
    printf "$fmt" "$t" "$m" "$c" "$tps" "$lat" "$ratio" "$add" "$note"
  done
}

md_escape() { local s=${1//|/\\|}; printf '%s' "${s//$'\n'/ }"; }

write_markdown() {
  local veil_rev java_ver pgbench_ver
  veil_rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "no commit")
  if ! git -C "$ROOT" diff --quiet HEAD 2>/dev/null; then veil_rev+=" (dirty)"; fi
  java_ver=$(java -version 2>&1 | head -n1 || true)
  pgbench_ver=$(pgbench --version | head -n1)
  {
    echo "# Veil PostgreSQL benchmark — $RUN_ID"
    echo
    echo "pgbench select-only (\`-S\`, scale $SCALE, \`-n\`), all on $HOST (loopback), $(nproc) cores, $(uname -sr)."
    echo "Multi-client runs: \`-c $CLIENTS -j $THREADS -T $DURATION\`; single-client runs: \`-c 1 -j 1 -T $DURATION_1C\`; warm-up ${WARMUP}s per target and mode, after ${JIT_WARMUP}s per mode for each Veil process."
    echo
    echo "- Targets: $TARGETS"
    echo "- Upstream: PostgreSQL $SERVER_VERSION on $HOST:$UPSTREAM_PG_PORT"
    has_target veil && echo "- Veil: $HOST:$VEIL_PG_PORT (revision $veil_rev; ${java_ver:-java n/a})"
    has_target tcp-relay && echo "- tcp-relay: ${RELAY_VERSION:-HAProxy (version unknown)} in TCP mode, one thread, on $HOST:$RELAY_PG_PORT"
    if has_target pgbouncer-tx || has_target pgbouncer-session; then
      echo "- ${PGBOUNCER_VERSION:-PgBouncer (version unknown)}: default_pool_size = $PGBOUNCER_POOL_SIZE (transaction: $HOST:$PGB_TX_PORT, session: $HOST:$PGB_SESSION_PORT)"
    fi
    echo "- Client: $pgbench_ver, sslmode=$PGSSLMODE"
    ((CPU_SPLIT)) && echo "- CPU_SPLIT=1: pgbench and the upstream on CPUs $CLIENT_CPUS, the target in the path on CPUs $GATEWAY_CPUS"
    echo "- Load average before the runs: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| Target | Mode | Clients | TPS | Mean latency (ms) | TPS vs direct | Added latency vs direct (µs/round trip, 1 client) | Note |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"
    local r
    for r in "${ROWS[@]}"; do
      IFS='|' read -r t m c tps lat ratio add note <<<"$r"
      [[ $c == 1 ]] || add=""
      echo "| $t | $m | $c | $tps | $lat | $ratio | $add | $(md_escape "$note") |"
    done
    echo
    if ((${#AUDIT_LINES[@]})); then
      echo
      echo "Audit cost (veil: audit to file, durability $VEIL_AUDIT_DURABILITY, reads-durable-before $VEIL_READS_DURABLE_BEFORE; veil-noaudit: \`veil.audit.enabled=false\`):"
      echo
      local a
      for a in "${AUDIT_LINES[@]}"; do echo "- $a"; done
      echo
    fi
    if ((${#CPU_LINES[@]})); then
      echo "CPU time per transaction of the process in the path (Veil: all its threads; user + system; steadier than TPS when the machine is busy):"
      echo
      for a in "${CPU_LINES[@]}"; do echo "- $a"; done
      echo
    fi
    if ((${#MASK_LINES[@]})); then
      echo "Masking ($MASK_ROWS rows of bench_people read whole with psql through the policy Veil, fastest of $MASK_REPEAT):"
      echo
      for a in "${MASK_LINES[@]}"; do echo "- $(md_escape "$a")"; done
      echo
    fi
    echo "TPS vs direct = target TPS / direct TPS for the same mode and client count."
    echo "Added latency = target mean latency − direct mean latency, single client (one round trip per transaction)."
  } >"$MD_FILE"
}

# The cost of the audit log: audited Veil TPS / Veil-without-audit TPS, per scenario.
AUDIT_LINES=()
if has_target veil && has_target veil-noaudit; then
  for key in "${ORDER[@]}"; do
    IFS='|' read -r t m c <<<"$key"
    [[ $t == veil ]] || continue
    nkey="veil-noaudit|$m|$c"
    if [[ ${R_STATUS[$key]} == OK && ${R_STATUS[$nkey]:-} == OK ]]; then
      AUDIT_LINES+=("-M $m, $c client(s): audit on $(fcalc '%.0f' "${R_TPS[$key]}") TPS / audit off $(fcalc '%.0f' "${R_TPS[$nkey]}") TPS = $(fcalc '%.2f' "${R_TPS[$key]} / ${R_TPS[$nkey]}")x")
    fi
  done
fi

echo
CPU_LINES=()
for key in "${ORDER[@]}"; do
  IFS='|' read -r t m c <<<"$key"
  [[ -n ${R_CPU[$key]:-} ]] && CPU_LINES+=("$t -M $m, $c client(s): ${R_CPU[$key]} µs")
done

print_console
if ((${#CPU_LINES[@]})); then
  echo
  echo "CPU per transaction of the process in the path (user + system):"
  printf '  %s\n' "${CPU_LINES[@]}"
fi
if ((${#AUDIT_LINES[@]})); then
  echo
  echo "Audit cost (veil: audit to file, durability $VEIL_AUDIT_DURABILITY, reads-durable-before $VEIL_READS_DURABLE_BEFORE; veil-noaudit: veil.audit.enabled=false):"
  printf '  %s\n' "${AUDIT_LINES[@]}"
  if [[ -d $VEIL_AUDIT_DIR ]]; then
    echo "  audit files: $(du -sh "$VEIL_AUDIT_DIR" | cut -f1); $(java -jar "$ROOT/target/quarkus-app/quarkus-run.jar" audit verify --dir "$VEIL_AUDIT_DIR" 2>&1 | tail -n1)"
  fi
fi
if ((${#MASK_LINES[@]})); then
  echo
  echo "Masking ($MASK_ROWS rows read whole through the policy Veil, fastest of $MASK_REPEAT):"
  printf '  %s\n' "${MASK_LINES[@]}"
fi
write_markdown
echo
log "results: $MD_FILE"
failed=0
for key in "${ORDER[@]}"; do [[ ${R_STATUS[$key]} == OK ]] || failed=$((failed + 1)); done
((failed == 0)) || log "$failed of ${#ORDER[@]} runs FAILED (see the note column and $RAW_LOG)"
exit 0
