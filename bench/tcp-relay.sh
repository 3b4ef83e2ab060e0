# shellcheck shell=bash
# The `tcp-relay` target of bench/pg-bench.sh and bench/mysql-bench.sh: HAProxy in TCP mode between the client and
# the upstream, relaying bytes without reading them. It is the floor of any gateway on this machine: the two extra
# loopback hops and a process's wake-ups per round trip, with no protocol work at all. Its ratio to direct is about
# the most a gateway reaches here (PgBouncer lands within 10-15 % of it, either side); Veil's is read against it.
#
# Sourced, not run. Expects from the script that sources it: HOST, RAW_LOG, log, port_open, proc_alive, and an
# array of pids the script's cleanup stops (passed by name).

RELAY_BIN=""
RELAY_VERSION=""

RELAY_WHY=""  # why the relay is not available, when it is not

# ensure_relay: sets RELAY_BIN (installing Debian's haproxy when missing); else sets RELAY_WHY and returns 1.
ensure_relay() {
  RELAY_BIN=$(command -v haproxy || true)
  [[ -z $RELAY_BIN && -x /usr/sbin/haproxy ]] && RELAY_BIN=/usr/sbin/haproxy
  if [[ -z $RELAY_BIN ]]; then
    local sudo=""
    if ((EUID != 0)); then
      command -v sudo >/dev/null || { RELAY_WHY="haproxy is missing and we are not root: install the Debian package 'haproxy'"; return 1; }
      sudo="sudo -n"
    fi
    log "haproxy not installed: installing Debian package 'haproxy' (apt-get install -y haproxy)"
    if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q haproxy >>"$RAW_LOG" 2>&1; then
      DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q >>"$RAW_LOG" 2>&1 || true
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q haproxy >>"$RAW_LOG" 2>&1 ||
        { RELAY_WHY="could not install haproxy (see $RAW_LOG)"; return 1; }
    fi
    RELAY_BIN=$(command -v haproxy || echo /usr/sbin/haproxy)
    [[ -x $RELAY_BIN ]] || { RELAY_WHY="haproxy installed but its binary was not found"; return 1; }
  fi
  RELAY_VERSION=$("$RELAY_BIN" -v 2>/dev/null | head -n1 || true)
}

# start_relay PORT UPSTREAM_PORT DIR PIDS_ARRAY: HAProxy on HOST:PORT relaying to HOST:UPSTREAM_PORT, one process with
# one thread (as PgBouncer runs), in the foreground under this script, its configuration and log in DIR, its pid
# added to PIDS_ARRAY; else sets
# RELAY_WHY and returns 1.
start_relay() {
  local port=$1 upstream=$2 dir=$3 i
  local -n pids=$4
  port_open "$port" && { RELAY_WHY="port $port already in use before start"; return 1; }
  mkdir -p "$dir"
  cat >"$dir/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 2000
defaults
  mode tcp
  timeout connect 5s
  timeout client 1h
  timeout server 1h
listen relay
  bind $HOST:$port
  server upstream $HOST:$upstream
EOF
  "$RELAY_BIN" -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 </dev/null 9>&- &
  local pid=$!
  pids+=("$pid")
  for ((i = 0; i < 50; i++)); do
    port_open "$port" && break
    proc_alive "$pid" || break
    sleep 0.2
  done
  port_open "$port" || { RELAY_WHY="haproxy did not start: $(grep -m1 -iE 'alert|error' "$dir/haproxy.log" || echo 'see its log')"; return 1; }
  log "tcp-relay: ${RELAY_VERSION:-haproxy} in TCP mode on $HOST:$port -> $HOST:$upstream (pid $pid)"
}
