#!/usr/bin/env bash
# Veil MySQL benchmark: direct MariaDB vs a plain TCP relay (HAProxy, the floor of
# any gateway here) vs Veil's MySQL listener, sysbench oltp_point_select and
# oltp_read_only, loopback only.
#
# Usage: bench/mysql-bench.sh          (normally through `make bench`)
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
TARGETS=${TARGETS:-"direct tcp-relay veil"}
TESTS=${TESTS:-"oltp_point_select oltp_read_only"}

VEIL_MYSQL_PORT=${VEIL_MYSQL_PORT:-13306}
UPSTREAM_MYSQL_PORT=${UPSTREAM_MYSQL_PORT:-13307}
RELAY_MYSQL_PORT=${RELAY_MYSQL_PORT:-13309}   # target tcp-relay (bench/tcp-relay.sh)
# Veil always opens its PostgreSQL side too; these only keep it off other ports.
VEIL_PG_PORT=${VEIL_PG_PORT:-15432}
UPSTREAM_PG_PORT=${UPSTREAM_PG_PORT:-15433}
VEIL_HTTP_PORT=${VEIL_HTTP_PORT:-8080}
VEIL_HEALTH_URL=${VEIL_HEALTH_URL:-http://$HOST:$VEIL_HTTP_PORT/q/health/ready}
VEIL_START_TIMEOUT=${VEIL_START_TIMEOUT:-120}
VEIL_STOP_TIMEOUT=${VEIL_STOP_TIMEOUT:-20}
VEIL_CMD=${VEIL_CMD:-}
START_VEIL=${START_VEIL:-auto}      # auto | 1 | 0

VEIL_USER=${VEIL_USER:-admin}
VEIL_PASSWORD=${VEIL_PASSWORD:-admin-demo}
VEIL_SSL=${VEIL_SSL:-off}           # sysbench --mysql-ssl towards Veil
UPSTREAM_USER=${UPSTREAM_USER:-root}
UPSTREAM_PASSWORD=${UPSTREAM_PASSWORD:-}

BENCH_DB=${BENCH_DB:-sbtest}
TABLES=${TABLES:-4}
TABLE_SIZE=${TABLE_SIZE:-100000}
THREADS=${THREADS:-8}
DURATION=${DURATION:-20}            # seconds per measured run
WARMUP=${WARMUP:-5}                 # seconds per target and test, 0 = none
PS_MODE=${PS_MODE:-auto}            # sysbench --db-ps-mode: auto = server-side prepared statements
BENCH_REINIT=${BENCH_REINIT:-0}     # 1 = drop and re-create the sysbench tables
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}

RUN_ID=$(date +%Y%m%d-%H%M%S)
MD_FILE=$RESULTS_DIR/mysql-$RUN_ID.md
RAW_LOG=$RESULTS_DIR/mysql-$RUN_ID.log
VEIL_LOG=$RESULTS_DIR/mysql-$RUN_ID-veil.log

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
# Messages go to the script's original stderr (fd 9), even from a trap that
# fires while a function's output is redirected to a log file.
exec 9>&2
log() { printf '[mysql-bench] %s\n' "$*" >&9; }
die() { log "ERROR: $*"; exit 1; }

has_target() { [[ " $TARGETS " == *" $1 "* ]]; }

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

proc_alive() {
  local st
  st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ -n $st && $st != Z* ]]
}

http_status() {
  curl -s -o /dev/null --max-time 2 -w '%{http_code}' "$1" 2>/dev/null || true
}

fcalc() { awk "BEGIN { printf \"$1\", $2 }"; }

# The mariadb (or mysql) command-line client; no option files, no TLS.
MYSQL_CLIENT=""
sql_client() { # port user password [client args...]
  local port=$1 user=$2 pass=$3
  shift 3
  MYSQL_PWD=$pass timeout 30 "$MYSQL_CLIENT" --no-defaults --skip-ssl --connect-timeout=10 \
    -h "$HOST" -P "$port" -u "$user" "$@"
}
sql_up() { sql_client "$UPSTREAM_MYSQL_PORT" "$UPSTREAM_USER" "$UPSTREAM_PASSWORD" "$@"; }

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
VEIL_PID=""          # also the process-group id (started with setsid)
TMP_OUT=""
RELAY_DIR=""         # the tcp-relay's configuration and log
RELAY_PIDS=()

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
  # The embedded MariaDB is Veil's child in the same process group; the
  # embedded PostgreSQL detaches (pg_ctl) and is stopped by Veil itself.
  kill -KILL -- "-$pg" 2>/dev/null || true
  VEIL_PID=""
}

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  if [[ -n $CHILD_PID ]]; then stop_pid "$CHILD_PID" 5; fi
  local p
  for p in "${RELAY_PIDS[@]}"; do stop_pid "$p" 5; done
  stop_veil
  [[ -n $TMP_OUT ]] && rm -f "$TMP_OUT"
  [[ -n $RELAY_DIR ]] && rm -rf "$RELAY_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------
for t in $TARGETS; do
  case $t in direct | tcp-relay | veil) ;; *) die "unknown target '$t' (known: direct tcp-relay veil)" ;; esac
done
for t in $TESTS; do
  case $t in oltp_point_select | oltp_read_only) ;; *) die "unknown sysbench test '$t'" ;; esac
done
[[ -n ${TARGETS// /} ]] || die "TARGETS is empty"
for v in VEIL_MYSQL_PORT UPSTREAM_MYSQL_PORT RELAY_MYSQL_PORT VEIL_PG_PORT UPSTREAM_PG_PORT VEIL_HTTP_PORT \
  VEIL_START_TIMEOUT VEIL_STOP_TIMEOUT TABLES TABLE_SIZE THREADS DURATION WARMUP; do
  is_uint "${!v}" || die "$v must be a non-negative integer (got '${!v}')"
done
((TABLES >= 1)) || die "TABLES must be at least 1"
[[ $BENCH_DB =~ ^[a-z_][a-z0-9_]*$ ]] || die "BENCH_DB must be a plain lower-case identifier"
case $START_VEIL in auto | 0 | 1) ;; *) die "START_VEIL must be auto, 1 or 0" ;; esac
case $PS_MODE in auto | disable) ;; *) die "PS_MODE must be auto or disable" ;; esac
case $VEIL_SSL in on | off) ;; *) die "VEIL_SSL must be on or off" ;; esac
for c in curl awk ss setsid timeout; do
  command -v "$c" >/dev/null || die "'$c' is required but not installed"
done

mkdir -p "$RESULTS_DIR"
: >"$RAW_LOG"

# sysbench and a MySQL client: Debian packages, installed when missing.
install_debian() { # package
  local sudo=""
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "'$1' is missing and we are not root: install the Debian package '$1'"
    sudo="sudo -n"
  fi
  command -v apt-get >/dev/null || die "'$1' is missing and apt-get is not available: install $1"
  log "installing the Debian package '$1' (missing)"
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$1" >>"$RAW_LOG" 2>&1; then
    log "apt-get install failed: running apt-get update, then retrying"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q >>"$RAW_LOG" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$1" >>"$RAW_LOG" 2>&1 ||
      die "could not install $1 (see $RAW_LOG)"
  fi
}
command -v sysbench >/dev/null || install_debian sysbench
command -v sysbench >/dev/null || die "sysbench installed but not on PATH"
if command -v mariadb >/dev/null; then MYSQL_CLIENT=mariadb
elif command -v mysql >/dev/null; then MYSQL_CLIENT=mysql
else
  install_debian mariadb-client
  MYSQL_CLIENT=mariadb
fi
SYSBENCH_VERSION=$(sysbench --version 2>/dev/null | head -n1)
log "run $RUN_ID: targets [$TARGETS], tests [$TESTS], $THREADS threads, ${DURATION}s, $SYSBENCH_VERSION"
log "raw output: $RAW_LOG"

# --------------------------------------------------------------------------
# Veil (also provides the upstream MariaDB in demo mode)
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
    VEIL_CMD="java ${VEIL_JAVA_OPTS:-} -Dveil.mysql.port=$VEIL_MYSQL_PORT -Dveil.demo.mariadb-port=$UPSTREAM_MYSQL_PORT"
    VEIL_CMD+=" -Dveil.pg.port=$VEIL_PG_PORT -Dveil.demo.postgres-port=$UPSTREAM_PG_PORT"
    VEIL_CMD+=" -Dquarkus.http.port=$VEIL_HTTP_PORT -jar target/quarkus-app/quarkus-run.jar"
  fi
  local p
  for p in "$VEIL_MYSQL_PORT" "$UPSTREAM_MYSQL_PORT" "$VEIL_PG_PORT" "$UPSTREAM_PG_PORT" "$VEIL_HTTP_PORT"; do
    port_open "$p" && die "port $p is already in use: another Veil running? (START_VEIL=0 benchmarks what runs)"
  done

  log "starting Veil: $VEIL_CMD  (in $ROOT, log $VEIL_LOG)"
  # setsid: Veil gets its own process group, so the cleanup reaches its children.
  (cd "$ROOT" && exec setsid bash -c "$VEIL_CMD") >"$VEIL_LOG" 2>&1 </dev/null 9>&- &
  VEIL_PID=$!
  local started=$SECONDS deadline=$((SECONDS + VEIL_START_TIMEOUT)) code="" rc=0
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
  auto) if has_target veil || ! port_open "$UPSTREAM_MYSQL_PORT"; then need_veil=1; fi ;;
esac
if ((need_veil)); then start_veil; fi

# Upstream must answer (Veil's embedded demo MariaDB, or one you run yourself).
for ((i = 0; i < 30; i++)); do
  port_open "$UPSTREAM_MYSQL_PORT" && break
  sleep 1
done
SERVER_VERSION=$(sql_up -N -B -e 'SELECT VERSION()' 2>>"$RAW_LOG") ||
  die "cannot connect to the upstream on $HOST:$UPSTREAM_MYSQL_PORT as $UPSTREAM_USER (see $RAW_LOG)"
log "upstream: $SERVER_VERSION on $HOST:$UPSTREAM_MYSQL_PORT"

# --------------------------------------------------------------------------
# The sysbench tables, prepared directly on the upstream
# --------------------------------------------------------------------------
SB_COMMON=(--db-driver=mysql --mysql-host="$HOST" --mysql-db="$BENCH_DB"
  --tables="$TABLES" --table-size="$TABLE_SIZE" --rand-type=uniform)
sb_up() { # sysbench args for the upstream, as the upstream user
  local -a a=("${SB_COMMON[@]}" --mysql-port="$UPSTREAM_MYSQL_PORT" --mysql-user="$UPSTREAM_USER")
  [[ -n $UPSTREAM_PASSWORD ]] && a+=(--mysql-password="$UPSTREAM_PASSWORD")
  printf '%s\n' "${a[@]}"
}
mapfile -t SB_UP < <(sb_up)

sql_up -e "CREATE DATABASE IF NOT EXISTS \`$BENCH_DB\`" >>"$RAW_LOG" 2>&1 ||
  die "CREATE DATABASE $BENCH_DB failed (see $RAW_LOG)"
have_tables=$(sql_up -N -B -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$BENCH_DB' AND TABLE_NAME REGEXP '^sbtest[0-9]+\$'" 2>>"$RAW_LOG" || echo 0)
have_rows=0
if [[ $have_tables == "$TABLES" ]]; then
  have_rows=$(sql_up -N -B -e "SELECT COUNT(*) FROM \`$BENCH_DB\`.sbtest$TABLES" 2>>"$RAW_LOG" || echo 0)
fi
if [[ $BENCH_REINIT == 1 || $have_tables != "$TABLES" || $have_rows != "$TABLE_SIZE" ]]; then
  log "preparing $BENCH_DB: $TABLES tables of $TABLE_SIZE rows (sysbench prepare, direct on the upstream)"
  run_child "$RAW_LOG" sysbench oltp_read_only "${SB_UP[@]}" cleanup || true
  run_child "$RAW_LOG" sysbench oltp_read_only "${SB_UP[@]}" --threads="$TABLES" prepare ||
    die "sysbench prepare failed (see $RAW_LOG)"
  sql_up -D "$BENCH_DB" -e "ANALYZE TABLE $(seq -s, -f 'sbtest%g' 1 "$TABLES")" >>"$RAW_LOG" 2>&1 || true
else
  log "$BENCH_DB already prepared ($TABLES tables of $TABLE_SIZE rows; BENCH_REINIT=1 to redo)"
fi

# --------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------
declare -A TARGET_ERR=()
# shellcheck source=bench/tcp-relay.sh
source "$BENCH_DIR/tcp-relay.sh"
if has_target tcp-relay; then
  RELAY_DIR=$(mktemp -d -t veil-mysql-relay.XXXXXX)
  if ! ensure_relay || ! start_relay "$RELAY_MYSQL_PORT" "$UPSTREAM_MYSQL_PORT" "$RELAY_DIR" RELAY_PIDS; then
    TARGET_ERR[tcp-relay]=$RELAY_WHY
    log "WARNING: tcp-relay: $RELAY_WHY"
  fi
fi
T_PORT="" T_USER="" T_PASS="" T_SSL=off
target_conn() {
  case $1 in
    direct) T_PORT=$UPSTREAM_MYSQL_PORT T_USER=$UPSTREAM_USER T_PASS=$UPSTREAM_PASSWORD T_SSL=off ;;
    tcp-relay) T_PORT=$RELAY_MYSQL_PORT T_USER=$UPSTREAM_USER T_PASS=$UPSTREAM_PASSWORD T_SSL=off ;;
    veil) T_PORT=$VEIL_MYSQL_PORT T_USER=$VEIL_USER T_PASS=$VEIL_PASSWORD T_SSL=$VEIL_SSL ;;
  esac
}

# Each target must serve the sysbench data before it is measured.
for t in $TARGETS; do
  [[ -n ${TARGET_ERR[$t]:-} ]] && continue
  target_conn "$t"
  if ! port_open "$T_PORT"; then
    if [[ $t == veil ]]; then
      TARGET_ERR[$t]="Veil MySQL listener not reachable on $HOST:$T_PORT"
    else
      TARGET_ERR[$t]="nothing listens on $HOST:$T_PORT"
    fi
    log "WARNING: $t: ${TARGET_ERR[$t]}; continuing without it"
    continue
  fi
  ssl_opt=--skip-ssl
  [[ $T_SSL == on ]] && ssl_opt=--ssl
  out=$(MYSQL_PWD=$T_PASS timeout 30 "$MYSQL_CLIENT" --no-defaults "$ssl_opt" --connect-timeout=10 -h "$HOST" \
    -P "$T_PORT" -u "$T_USER" -D "$BENCH_DB" -N -B -e "SELECT COUNT(*) FROM sbtest1" 2>&1) || true
  if [[ $out != "$TABLE_SIZE" ]]; then
    TARGET_ERR[$t]="check query failed: $(printf '%s\n' "$out" | grep -v '^$' | head -n1)"
    log "WARNING: $t: ${TARGET_ERR[$t]}; continuing without it"
  else
    log "$t: $HOST:$T_PORT user $T_USER: ok"
  fi
done

# --------------------------------------------------------------------------
# sysbench runs
# --------------------------------------------------------------------------
declare -A R_STATUS=() R_QPS=() R_TPS=() R_AVG=() R_P95=() R_ERR=()
ORDER=()
RUN_N=0
TMP_OUT=$(mktemp -t veil-mysql-bench.XXXXXX)

sysbench_run() { # target test seconds -> output in $TMP_OUT, rc
  local t=$1 test=$2 secs=$3
  target_conn "$t"
  RUN_N=$((RUN_N + 1))
  local -a cmd=(sysbench "$test" "${SB_COMMON[@]}" --mysql-port="$T_PORT" --mysql-user="$T_USER"
    --mysql-ssl="$T_SSL" --db-ps-mode="$PS_MODE" --threads="$THREADS" --time="$secs"
    --report-interval=0 --histogram=off)
  local -a secret=()
  [[ -n $T_PASS ]] && secret=(--mysql-password="$T_PASS")
  local rc=0
  : >"$TMP_OUT"
  run_child "$TMP_OUT" timeout -k 5 $((secs + 60)) "${cmd[@]}" "${secret[@]}" run || rc=$?
  {
    echo "== $(date +%T) $t: ${cmd[*]} run  (exit $rc)"
    cat "$TMP_OUT"
  } >>"$RAW_LOG"
  return "$rc"
}

measure() { # target test
  local t=$1 test=$2 key="$1|$2" rc=0
  ORDER+=("$key")
  if [[ -n ${TARGET_ERR[$t]:-} ]]; then
    R_STATUS[$key]=FAILED R_ERR[$key]=${TARGET_ERR[$t]}
    return 0
  fi
  log "run: $t $test, $THREADS threads, ${DURATION}s"
  sysbench_run "$t" "$test" "$DURATION" || rc=$?
  local qps tps avg p95
  qps=$(sed -n 's/^ *queries: *[0-9]* *(\([0-9.]*\) per sec.*/\1/p' "$TMP_OUT" | head -n1)
  tps=$(sed -n 's/^ *transactions: *[0-9]* *(\([0-9.]*\) per sec.*/\1/p' "$TMP_OUT" | head -n1)
  avg=$(sed -n 's/^ *avg: *\([0-9.]*\).*/\1/p' "$TMP_OUT" | head -n1)
  p95=$(sed -n 's/^ *95th percentile: *\([0-9.]*\).*/\1/p' "$TMP_OUT" | head -n1)
  if ((rc == 0)) && [[ -n $qps && -n $avg ]]; then
    R_STATUS[$key]=OK R_QPS[$key]=$qps R_TPS[$key]=${tps:-0} R_AVG[$key]=$avg R_P95[$key]=${p95:-0}
    log "     $t $test: $qps QPS, avg $avg ms, p95 ${p95:-?} ms"
  else
    local err
    err=$(grep -m1 -iE 'fatal|error|denied|can.t connect' "$TMP_OUT" || true)
    if [[ -z $err ]]; then
      if ((rc == 124 || rc == 137)); then err="timed out after $((DURATION + 60))s"
      elif ((rc != 0)); then err="sysbench exited with status $rc"
      else err="no QPS/latency lines in sysbench output"; fi
    fi
    R_STATUS[$key]=FAILED R_ERR[$key]=$err
    log "     $t $test: FAILED: $err"
  fi
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${LOAD_BEFORE%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  log "WARNING: load average $LOAD_BEFORE on $(nproc) cores before the runs: expect noisy numbers"
fi

if ((WARMUP > 0)); then
  for t in $TARGETS; do
    [[ -n ${TARGET_ERR[$t]:-} ]] && continue
    for test in $TESTS; do
      log "warm-up: $t $test (${WARMUP}s)"
      sysbench_run "$t" "$test" "$WARMUP" || true
    done
  done
fi

# Test-major order: the targets of one test run back to back.
for test in $TESTS; do
  for t in $TARGETS; do measure "$t" "$test"; done
done

# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------
ROWS=()
for key in "${ORDER[@]}"; do
  IFS='|' read -r t test <<<"$key"
  dkey="direct|$test"
  qps=- tps=- avg=- p95=- ratio=- note=""
  if [[ ${R_STATUS[$key]} == OK ]]; then
    qps=$(fcalc '%.0f' "${R_QPS[$key]}")
    tps=$(fcalc '%.0f' "${R_TPS[$key]}")
    avg=$(fcalc '%.3f' "${R_AVG[$key]}")
    p95=$(fcalc '%.3f' "${R_P95[$key]}")
    if [[ ${R_STATUS[$dkey]:-} == OK ]]; then
      ratio=$(fcalc '%.2f' "${R_QPS[$key]} / ${R_QPS[$dkey]}")
    else
      ratio=n/a
    fi
  else
    qps=FAILED
    note=${R_ERR[$key]}
  fi
  ROWS+=("$t|$test|$qps|$tps|$avg|$p95|$ratio|$note")
done

print_console() {
  local fmt='%-10s %-18s %9s %8s %8s %8s %9s  %s\n'
  printf "$fmt" target test QPS TPS "avg ms" "p95 ms" "vs direct" note
  printf "$fmt" ------ ---- --- --- ------ ------ --------- ----
  local r
  for r in "${ROWS[@]}"; do
    IFS='|' read -r t test qps tps avg p95 ratio note <<<"$r"
    printf "$fmt" "$t" "$test" "$qps" "$tps" "$avg" "$p95" "$ratio" "$note"
  done
}

md_escape() { local s=${1//|/\\|}; printf '%s' "${s//$'\n'/ }"; }

write_markdown() {
  local veil_rev java_ver
  veil_rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "no commit")
  if ! git -C "$ROOT" diff --quiet HEAD 2>/dev/null; then veil_rev+=" (dirty)"; fi
  java_ver=$(java -version 2>&1 | head -n1 || true)
  {
    echo "# Veil MySQL benchmark — $RUN_ID"
    echo
    echo "sysbench ${TESTS// /, }: $TABLES tables of $TABLE_SIZE rows, \`--threads=$THREADS --time=$DURATION --rand-type=uniform --db-ps-mode=$PS_MODE\`, warm-up ${WARMUP}s per target and test; all on $HOST (loopback), $(nproc) cores, $(uname -sr)."
    echo
    echo "- Targets: $TARGETS"
    echo "- Upstream: $SERVER_VERSION on $HOST:$UPSTREAM_MYSQL_PORT (user $UPSTREAM_USER)"
    has_target tcp-relay && echo "- tcp-relay: ${RELAY_VERSION:-HAProxy (version unknown)} in TCP mode, one thread, on $HOST:$RELAY_MYSQL_PORT"
    has_target veil && echo "- Veil: $HOST:$VEIL_MYSQL_PORT, user $VEIL_USER, TLS $VEIL_SSL (revision $veil_rev; ${java_ver:-java n/a})"
    echo "- Client: $SYSBENCH_VERSION"
    echo "- Load average before the runs: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| Target | Test | QPS | TPS | Mean latency (ms) | p95 latency (ms) | QPS vs direct | Note |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"
    local r
    for r in "${ROWS[@]}"; do
      IFS='|' read -r t test qps tps avg p95 ratio note <<<"$r"
      echo "| $t | $test | $qps | $tps | $avg | $p95 | $ratio | $(md_escape "$note") |"
    done
    echo
    echo "QPS vs direct = target QPS / direct QPS for the same test. Latency is per sysbench event: one query for"
    echo "oltp_point_select; for oltp_read_only a transaction of 10 point selects and 4 range selects between BEGIN"
    echo "and COMMIT (16 queries counted)."
  } >"$MD_FILE"
}

echo
print_console
write_markdown
echo
log "results: $MD_FILE"
failed=0
for key in "${ORDER[@]}"; do [[ ${R_STATUS[$key]} == OK ]] || failed=$((failed + 1)); done
((failed == 0)) || log "$failed of ${#ORDER[@]} runs FAILED (see the note column and $RAW_LOG)"
exit 0
