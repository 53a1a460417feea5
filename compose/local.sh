#!/usr/bin/env bash
# Runs the whole lab on this machine without Docker: a real Consul agent (dev
# mode), a 3-member Hazelcast cluster and the 7 service instances, each as a
# plain background process.
#
#   compose/local.sh up          build if needed, start everything, wait until
#                                Consul reports every instance passing
#   compose/local.sh down        stop everything `up` started (idempotent)
#   compose/local.sh status      processes and Consul health of every instance
#   compose/local.sh logs NAME   follow compose/.run/logs/NAME.log
#
# Logs: compose/.run/logs/<name>.log   pids: compose/.run/pids/<name>.pid
#
# Environment:
#   JAVA_HOME                  preferred JDK (must be 21+)
#   HAZELCAST_JAR              Hazelcast jar for the members (default:
#                              logging/target/libs/hazelcast-<version>.jar)
#   OTEL_*                     passed through to the services (exported vars);
#                              with OTEL_EXPORTER_OTLP_ENDPOINT set, the Jaeger
#                              UI URL is printed too
#   UP_TIMEOUT                 seconds to wait for all instances (default 120)
#
# Hidden debugging subcommand: `_infra` starts only Consul and Hazelcast.
set -euo pipefail

# ---- settings ------------------------------------------------------------------
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(dirname "$SCRIPT_DIR")"
RUN_DIR="$SCRIPT_DIR/.run"
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"

MIN_JAVA=21
JVM_HEAP="-Xmx256m"
# Hazelcast reaches into JDK internals; the same flags as hazelcast.jvm.args in pom.xml.
JVM_OPENS=(--add-modules java.se
           --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
           --add-opens java.base/java.lang=ALL-UNNAMED
           --add-opens java.base/sun.nio.ch=ALL-UNNAMED
           --add-opens java.management/sun.management=ALL-UNNAMED
           --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED)

CONSUL_HOST=127.0.0.1
CONSUL_HTTP_PORT=8500
CONSUL_DNS_PORT=8600
CONSUL_URL="http://$CONSUL_HOST:$CONSUL_HTTP_PORT"
CONSUL_START_TIMEOUT=30

HZ_CLUSTER_NAME=distributed-consul-cluster
HZ_PORTS=(5701 5702 5703)
HZ_HOST=127.0.0.1
HZ_MAP_BACKUP_COUNT=2          # every member keeps a copy of every entry
HZ_START_TIMEOUT=90
HZ_JVM_FLAGS=(-Dhazelcast.socket.bind.any=false
              -Dhazelcast.phone.home.enabled=false
              -Dhazelcast.health.monitoring.level=OFF)

# Service instances as <module>:<port>; the Consul service name is <module>-service.
SERVICE_MODULES=(facade logging messages)
INSTANCES=(facade:8080 facade:8088
           logging:8081 logging:8083 logging:8085
           messages:8082 messages:8084)
FACADE_PORTS=(8080 8088)
UP_TIMEOUT="${UP_TIMEOUT:-120}"
DOWN_TIMEOUT=10
JAEGER_UI="http://127.0.0.1:16686"

# ---- helpers -------------------------------------------------------------------
say() { printf '%s\n' "$*"; }
warn() { printf 'local.sh: %s\n' "$*" >&2; }
die() { printf 'local.sh: ERROR: %s\n' "$*" >&2; exit 1; }

# progress TEXT [KEY]: a progress line, rewritten in place on a terminal; otherwise
# printed as a new line only when KEY (default TEXT) changes.
PROGRESS_LAST=""
PROGRESS_OPEN=0
progress() {
  local key="${2:-$1}"
  if [[ -t 1 ]]; then
    printf '\r%s\033[K' "$1"
    PROGRESS_OPEN=1
  elif [[ "$key" != "$PROGRESS_LAST" ]]; then
    printf '%s\n' "$1"
  fi
  PROGRESS_LAST="$key"
}
progress_end() {
  if ((PROGRESS_OPEN == 1)); then printf '\n'; fi
  PROGRESS_OPEN=0
  PROGRESS_LAST=""
}

usage() {
  cat >&2 <<EOF
usage: compose/local.sh <command>

  up          build the jars if missing, start Consul, a 3-member Hazelcast
              cluster and ${#INSTANCES[@]} service instances; wait until all are passing
  down        stop everything 'up' started (services, Hazelcast, then Consul)
  status      process state and the Consul health of every instance
  logs NAME   follow compose/.run/logs/NAME.log (names: consul, hz-5701, facade-8080, ...)
EOF
}

module_of() { printf '%s' "${1%%:*}"; }
port_of() { printf '%s' "${1##*:}"; }
service_name() { printf '%s-service' "$1"; }
instance_name() { printf '%s-%s' "$(module_of "$1")" "$(port_of "$1")"; }

# Counts instances of a module in INSTANCES.
expected_count() {
  local module="$1" n=0 inst
  for inst in "${INSTANCES[@]}"; do
    [[ "$(module_of "$inst")" == "$module" ]] && n=$((n + 1))
  done
  printf '%s' "$n"
}

# Every port `up` binds (Consul's own server/serf/grpc ports included).
all_ports() {
  local inst
  printf '%s\n' "$CONSUL_HTTP_PORT" "$CONSUL_DNS_PORT" 8300 8301 8302 8502 "${HZ_PORTS[@]}"
  for inst in "${INSTANCES[@]}"; do port_of "$inst"; printf '\n'; done
}

# ---- process bookkeeping -------------------------------------------------------
# <name>.pid holds the pid; <name>.start its start time (field 22 of /proc/<pid>/stat),
# which identifies the process across exec and guards against pid reuse.
pid_file() { printf '%s/%s.pid' "$PID_DIR" "$1"; }
start_file() { printf '%s/%s.start' "$PID_DIR" "$1"; }
log_file() { printf '%s/%s.log' "$LOG_DIR" "$1"; }

# Prints "<state> <starttime>" of a pid (the comm field may contain spaces).
proc_stat() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  awk '{print $1, $20}' <<<"$stat"
}

# pid_alive PID [START]: true if the process runs (not a zombie) and, with START, is the
# very process that was started; without START, if it is a java or consul process.
pid_alive() {
  local pid="$1" start="${2:-}" state now cmd
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  read -r state now < <(proc_stat "$pid") || return 1
  [[ "$state" != Z ]] || return 1
  if [[ -n "$start" ]]; then
    [[ "$now" == "$start" ]]
  else
    cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    [[ "$cmd" == *java* || "$cmd" == *consul* ]]
  fi
}

read_pid() {
  local f
  f="$(pid_file "$1")"
  if [[ -f "$f" ]]; then cat "$f" 2>/dev/null || true; fi
}

read_start() {
  local f
  f="$(start_file "$1")"
  if [[ -f "$f" ]]; then cat "$f" 2>/dev/null || true; fi
}

name_alive() {
  local pid
  pid="$(read_pid "$1")"
  [[ -n "$pid" ]] && pid_alive "$pid" "$(read_start "$1")"
}

forget_pid() {
  rm -f "$(pid_file "$1")" "$(start_file "$1")"
}

# Names of all pid files, in start order is not guaranteed; callers sort into tiers.
pid_names() {
  local f
  [[ -d "$PID_DIR" ]] || return 0
  for f in "$PID_DIR"/*.pid; do
    [[ -e "$f" ]] || continue
    basename "$f" .pid
  done
}

record_pid() {
  local start=""
  if read -r _ start < <(proc_stat "$2"); then printf '%s\n' "$start" >"$(start_file "$1")"; fi
  printf '%s\n' "$2" >"$(pid_file "$1")"
}

# ---- java ------------------------------------------------------------------------
java_major() {
  local v
  v="$("$1" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)" || true
  [[ -n "$v" ]] || return 1
  if [[ "$v" == 1.* ]]; then v="${v#1.}"; fi
  v="${v%%[.+-]*}"
  [[ "$v" =~ ^[0-9]+$ ]] || return 1
  printf '%s' "$v"
}

find_java() {
  local candidates=() c major tried=()
  if [[ -n "${JAVA_HOME:-}" ]]; then candidates+=("$JAVA_HOME/bin/java"); fi
  for c in /usr/lib/jvm/*/bin/java; do
    [[ -e "$c" ]] && candidates+=("$c")
  done
  if command -v java >/dev/null 2>&1; then candidates+=("$(command -v java)"); fi
  for c in "${candidates[@]}"; do
    [[ -x "$c" ]] || continue
    if major="$(java_major "$c")"; then
      if ((major >= MIN_JAVA)); then
        JAVA="$c"
        return 0
      fi
      tried+=("$c ($major)")
    fi
  done
  die "no Java $MIN_JAVA+ found (tried \$JAVA_HOME/bin/java, /usr/lib/jvm/*/bin/java, java on PATH${tried[*]:+: ${tried[*]}}); install a JDK $MIN_JAVA+ or set JAVA_HOME"
}

# ---- build -----------------------------------------------------------------------
jar_of() { printf '%s/%s/target/%s.jar' "$REPO_ROOT" "$1" "$1"; }

build_if_needed() {
  local module missing=()
  for module in "${SERVICE_MODULES[@]}"; do
    [[ -f "$(jar_of "$module")" ]] || missing+=("$module/target/$module.jar")
  done
  if ((${#missing[@]} == 0)); then return 0; fi
  command -v mvn >/dev/null 2>&1 || die "missing ${missing[*]} and mvn is not installed"
  say "building (missing: ${missing[*]}): mvn -B -q -DskipTests package"
  (cd "$REPO_ROOT" && mvn -B -q -DskipTests package) || die "build failed (mvn -B -q -DskipTests package)"
  for module in "${SERVICE_MODULES[@]}"; do
    [[ -f "$(jar_of "$module")" ]] || die "build finished but $module/target/$module.jar is still missing"
  done
}

hazelcast_jar() {
  local j
  if [[ -n "${HAZELCAST_JAR:-}" ]]; then
    [[ -f "$HAZELCAST_JAR" ]] || die "HAZELCAST_JAR=$HAZELCAST_JAR does not exist"
    printf '%s' "$HAZELCAST_JAR"
    return 0
  fi
  for j in "$REPO_ROOT"/logging/target/libs/hazelcast-[0-9]*.jar; do
    if [[ -f "$j" ]]; then printf '%s' "$j"; return 0; fi
  done
  die "no logging/target/libs/hazelcast-*.jar (build the project, or set HAZELCAST_JAR)"
}

# ---- ports -----------------------------------------------------------------------
# Prints who holds a port (tcp listen or, for Consul DNS, udp), or nothing if it is free.
port_holder() {
  local port="$1" line procs
  line="$( { ss -Hltnp "sport = :$port"; ss -Hlunp "sport = :$port"; } 2>/dev/null | head -n1)"
  [[ -n "$line" ]] || return 0
  # users:(("consul",pid=6746,fd=13),("x",pid=1,fd=2)) -> consul pid 6746, x pid 1
  procs="$(grep -o '("[^"]*",pid=[0-9]*' <<<"$line" | sed -E 's/\("([^"]*)",pid=([0-9]+)/\1 pid \2/' | sort -u | paste -sd, - | sed 's/,/, /g')"
  printf '%s' "${procs:-an unknown process}"
}

check_ports() {
  local port holder taken=0
  command -v ss >/dev/null 2>&1 || die "ss (iproute2) is required to check ports"
  while read -r port; do
    holder="$(port_holder "$port")"
    if [[ -n "$holder" ]]; then
      warn "port $port is taken (by $holder)"
      taken=1
    fi
  done < <(all_ports)
  ((taken == 0)) || die "ports needed by the lab are taken (see above); stop those processes or run 'compose/local.sh down'"
}

# ---- consul ----------------------------------------------------------------------
start_consul() {
  local consul_bin log pid leader=""
  consul_bin="$("$SCRIPT_DIR/install-consul.sh")" || die "compose/install-consul.sh failed"
  [[ -x "$consul_bin" ]] || die "compose/install-consul.sh printed '$consul_bin', which is not executable"
  log="$(log_file consul)"
  say "starting consul ($consul_bin) on $CONSUL_URL, log $log"
  nohup "$consul_bin" agent -dev -ui -bind="$CONSUL_HOST" -client="$CONSUL_HOST" \
    -http-port="$CONSUL_HTTP_PORT" -dns-port="$CONSUL_DNS_PORT" >"$log" 2>&1 </dev/null &
  pid=$!
  record_pid consul "$pid"
  local deadline=$((SECONDS + CONSUL_START_TIMEOUT))
  while ((SECONDS < deadline)); do
    name_alive consul || { tail -n 20 "$log" >&2; die "consul exited during start (log: $log)"; }
    leader="$(curl -fsS --max-time 2 "$CONSUL_URL/v1/status/leader" 2>/dev/null || true)"
    if [[ -n "$leader" && "$leader" != '""' ]]; then
      say "consul is up (leader $leader)"
      return 0
    fi
    sleep 0.5
  done
  tail -n 20 "$log" >&2
  die "consul has no leader after ${CONSUL_START_TIMEOUT}s (log: $log)"
}

# ---- hazelcast -------------------------------------------------------------------
hz_members_list() {
  local p out=()
  for p in "${HZ_PORTS[@]}"; do out+=("$HZ_HOST:$p"); done
  local IFS=,
  printf '%s' "${out[*]}"
}

start_hazelcast() {
  local jar port name log pid members
  jar="$(hazelcast_jar)"
  members="$(hz_members_list)"
  for port in "${HZ_PORTS[@]}"; do
    name="hz-$port"
    log="$(log_file "$name")"
    say "starting hazelcast member $HZ_HOST:$port, log $log"
    env HZ_CLUSTERNAME="$HZ_CLUSTER_NAME" \
        HZ_NETWORK_PORT_PORT="$port" \
        HZ_NETWORK_PORT_AUTOINCREMENT=false \
        HZ_NETWORK_JOIN_MULTICAST_ENABLED=false \
        HZ_NETWORK_JOIN_TCPIP_ENABLED=true \
        HZ_NETWORK_JOIN_TCPIP_MEMBERS="$members" \
        HZ_MAP_DEFAULT_BACKUPCOUNT="$HZ_MAP_BACKUP_COUNT" \
      nohup "$JAVA" "${JVM_OPENS[@]}" "${HZ_JVM_FLAGS[@]}" "$JVM_HEAP" \
        -cp "$jar" com.hazelcast.core.server.HazelcastMemberStarter >"$log" 2>&1 </dev/null &
    pid=$!
    record_pid "$name" "$pid"
  done
  wait_for_hazelcast
}

# Waits until every member's log shows a cluster of all members.
wait_for_hazelcast() {
  local want=${#HZ_PORTS[@]} deadline=$((SECONDS + HZ_START_TIMEOUT)) port name ready
  while ((SECONDS < deadline)); do
    ready=0
    for port in "${HZ_PORTS[@]}"; do
      name="hz-$port"
      if ! name_alive "$name"; then
        progress_end
        tail -n 30 "$(log_file "$name")" >&2
        die "hazelcast member $name exited during start (log: $(log_file "$name"))"
      fi
      if grep -q "Members {size:$want," "$(log_file "$name")" 2>/dev/null; then
        ready=$((ready + 1))
      fi
    done
    progress "waiting for the hazelcast cluster: $ready/$want members see all $want"
    if ((ready == want)); then
      progress_end
      return 0
    fi
    sleep 1
  done
  progress_end
  die "hazelcast cluster did not form within ${HZ_START_TIMEOUT}s (logs: $LOG_DIR/hz-*.log)"
}

# ---- services --------------------------------------------------------------------
start_services() {
  local inst module port name log pid jar
  for inst in "${INSTANCES[@]}"; do
    module="$(module_of "$inst")"
    port="$(port_of "$inst")"
    name="$(instance_name "$inst")"
    log="$(log_file "$name")"
    jar="$(jar_of "$module")"
    say "starting $(service_name "$module") on :$port, log $log"
    # Exported OTEL_* variables are inherited as they are.
    CONSUL_HTTP_ADDR="$CONSUL_HOST:$CONSUL_HTTP_PORT" \
      nohup "$JAVA" "${JVM_OPENS[@]}" "$JVM_HEAP" -jar "$jar" --port "$port" >"$log" 2>&1 </dev/null &
    pid=$!
    record_pid "$name" "$pid"
  done
}

# Reads a Consul health JSON array on stdin; prints "<port> <id> <status>" per instance,
# status being the worst of its checks.
health_rows() {
  python3 -c '
import json, sys
try:
    entries = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
rank = {"passing": 0, "warning": 1, "critical": 2}
for e in entries or []:
    svc = e.get("Service") or {}
    checks = e.get("Checks") or []
    status = "passing"
    for c in checks:
        s = c.get("Status", "critical")
        if rank.get(s, 2) > rank.get(status, 0):
            status = s
    if not checks:
        status = "unknown"
    print(svc.get("Port", "?"), svc.get("ID", "?"), status)
'
}

# Prints "<module> <port>" for every passing instance of the given modules' services
# (one Consul query per service, all in a single python3 process).
passing_instances() {
  python3 - "$CONSUL_URL" "$@" <<'PY'
import json, sys, urllib.request
url = sys.argv[1]
for module in sys.argv[2:]:
    try:
        with urllib.request.urlopen(f"{url}/v1/health/service/{module}-service?passing", timeout=3) as r:
            entries = json.load(r) or []
    except (OSError, ValueError):
        continue
    for e in entries:
        print(module, (e.get("Service") or {}).get("Port", "?"))
PY
}

wait_for_services() {
  local t0=$SECONDS deadline=$((SECONDS + UP_TIMEOUT)) total=${#INSTANCES[@]} passing module inst name
  local -A passing_port=()
  local summary m p
  local -A count=()
  progress "waiting for consul health: 0/$total passing"
  while true; do
    passing=0
    summary=""
    passing_port=()
    count=()
    while read -r m p; do
      [[ -n "$p" ]] || continue
      passing_port["$m:$p"]=1
      count["$m"]=$((${count[$m]:-0} + 1))
      passing=$((passing + 1))
    done < <(passing_instances "${SERVICE_MODULES[@]}")
    for module in "${SERVICE_MODULES[@]}"; do
      summary+="$module ${count[$module]:-0}/$(expected_count "$module")  "
    done
    progress "waiting for consul health: $summary($passing/$total passing, $((SECONDS - t0))s/${UP_TIMEOUT}s)" "$summary"
    local all=1
    for inst in "${INSTANCES[@]}"; do
      [[ -n "${passing_port[$inst]:-}" ]] || all=0
    done
    if ((all == 1)); then
      progress_end
      return 0
    fi
    for inst in "${INSTANCES[@]}"; do
      name="$(instance_name "$inst")"
      if ! name_alive "$name"; then
        progress_end
        tail -n 30 "$(log_file "$name")" >&2
        die "$name exited during start (log: $(log_file "$name"))"
      fi
    done
    if ((SECONDS >= deadline)); then
      progress_end
      warn "not passing in Consul after ${UP_TIMEOUT}s:"
      for inst in "${INSTANCES[@]}"; do
        [[ -n "${passing_port[$inst]:-}" ]] && continue
        name="$(instance_name "$inst")"
        warn "  $name: $(log_file "$name")"
        tail -n 10 "$(log_file "$name")" | sed 's/^/      /' >&2
      done
      die "timed out waiting for the services (logs above, all logs in $LOG_DIR)"
    fi
    sleep 2
  done
}

# ---- up / down -------------------------------------------------------------------
UP_IN_PROGRESS=0
UP_STARTED=$SECONDS

on_exit() {
  local rc=$?
  if ((UP_IN_PROGRESS == 1)); then
    UP_IN_PROGRESS=0
    progress_end
    warn "start failed or was interrupted; stopping what was started"
    do_down >&2 || true
    ((rc != 0)) || rc=1
  fi
  exit "$rc"
}

refuse_if_running() {
  local name live=()
  while read -r name; do
    [[ -n "$name" ]] || continue
    if name_alive "$name"; then live+=("$name"); fi
  done < <(pid_names)
  if ((${#live[@]} > 0)); then
    die "already running (${live[*]}); use down first"
  fi
  # Only stale pid files are left: forget them.
  rm -f "$PID_DIR"/*.pid "$PID_DIR"/*.start
}

prepare_start() {
  command -v curl >/dev/null 2>&1 || die "curl is required"
  command -v python3 >/dev/null 2>&1 || die "python3 is required"
  mkdir -p "$LOG_DIR" "$PID_DIR"
  refuse_if_running
  find_java
  say "using java: $JAVA (version $(java_major "$JAVA"))"
}

start_infra() {
  check_ports
  UP_IN_PROGRESS=1
  trap on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  start_consul
  start_hazelcast
}

do_up() {
  UP_STARTED=$SECONDS
  prepare_start
  build_if_needed
  hazelcast_jar >/dev/null
  local t0=$SECONDS t1
  start_infra
  t1=$SECONDS
  start_services
  wait_for_services
  UP_IN_PROGRESS=0
  say "all ${#INSTANCES[@]} instances passing: consul + hazelcast took $((t1 - t0))s, services $((SECONDS - t1))s ($((SECONDS - UP_STARTED))s in total)"
  print_urls
}

do_infra() {
  prepare_start
  start_infra
  UP_IN_PROGRESS=0
  say "consul and hazelcast are up; stop them with 'compose/local.sh down'"
}

print_urls() {
  local p
  say ""
  say "Consul UI:   $CONSUL_URL/ui/"
  for p in "${FACADE_PORTS[@]}"; do
    say "facade:      http://127.0.0.1:$p/facade"
  done
  if [[ -n "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ]]; then
    say "Jaeger UI:   $JAEGER_UI"
  fi
  say "logs:        $LOG_DIR/"
  say ""
  say "try:"
  say "  curl -d msg=hello http://127.0.0.1:${FACADE_PORTS[0]}/facade"
  say "  curl http://127.0.0.1:${FACADE_PORTS[0]}/facade"
  say "  compose/local.sh status"
  say "  compose/local.sh down"
}

# Stops the named processes: SIGTERM, wait up to DOWN_TIMEOUT s, then SIGKILL.
stop_tier() {
  local label="$1"; shift
  local name pid start pids=() starts=() names=() i
  for name in "$@"; do
    pid="$(read_pid "$name")"
    start="$(read_start "$name")"
    if [[ -n "$pid" ]] && pid_alive "$pid" "$start"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
      starts+=("$start")
      names+=("$name")
    fi
    forget_pid "$name"
  done
  ((${#pids[@]} > 0)) || return 0
  say "stopping $label: ${names[*]}"
  local deadline=$((SECONDS + DOWN_TIMEOUT)) left
  while true; do
    left=()
    for i in "${!pids[@]}"; do
      if pid_alive "${pids[$i]}" "${starts[$i]}"; then left+=("${pids[$i]}"); fi
    done
    ((${#left[@]} > 0)) || return 0
    ((SECONDS < deadline)) || break
    sleep 0.25
  done
  warn "$label still running after ${DOWN_TIMEOUT}s; killing pids ${left[*]}"
  kill -KILL "${left[@]}" 2>/dev/null || true
}

do_down() {
  local name services=() hz=() consul=() other=()
  while read -r name; do
    [[ -n "$name" ]] || continue
    case "$name" in
      consul) consul+=("$name") ;;
      hz-*) hz+=("$name") ;;
      facade-* | logging-* | messages-*) services+=("$name") ;;
      *) other+=("$name") ;;
    esac
  done < <(pid_names)
  if ((${#services[@]} + ${#hz[@]} + ${#consul[@]} + ${#other[@]} == 0)); then
    say "nothing to stop"
    return 0
  fi
  # Services first (they deregister from Consul), then Hazelcast, Consul last.
  if ((${#services[@]} + ${#other[@]} > 0)); then stop_tier services "${services[@]}" "${other[@]}"; fi
  if ((${#hz[@]} > 0)); then stop_tier hazelcast "${hz[@]}"; fi
  if ((${#consul[@]} > 0)); then stop_tier consul "${consul[@]}"; fi
  say "stopped"
}

# ---- status / logs ---------------------------------------------------------------
do_status() {
  local name pid state any=0
  say "processes ($PID_DIR):"
  while read -r name; do
    [[ -n "$name" ]] || continue
    any=1
    pid="$(read_pid "$name")"
    if name_alive "$name"; then state="alive"; else state="DEAD"; fi
    printf '  %-14s pid %-8s %s\n' "$name" "$pid" "$state"
  done < <(pid_names)
  ((any == 1)) || say "  (none; not started)"

  say "consul health ($CONSUL_URL):"
  local json module rows
  for module in "${SERVICE_MODULES[@]}"; do
    if ! json="$(curl -fsS --max-time 3 "$CONSUL_URL/v1/health/service/$(service_name "$module")" 2>/dev/null)"; then
      say "  consul is not reachable"
      return 0
    fi
    rows="$(health_rows <<<"$json")"
    say "  $(service_name "$module") (expected $(expected_count "$module")):"
    if [[ -z "$rows" ]]; then
      say "    (no instances registered)"
      continue
    fi
    sort -n <<<"$rows" | while read -r port id status; do
      printf '    %-40s port %-6s %s\n' "$id" "$port" "$status"
    done
  done
}

do_logs() {
  local name="${1:-}" f
  name="${name%.log}"
  if [[ -z "$name" || ! -f "$(log_file "$name")" ]]; then
    [[ -z "$name" ]] || warn "no log named '$name'"
    warn "logs in $LOG_DIR:"
    if compgen -G "$LOG_DIR/*.log" >/dev/null; then
      for f in "$LOG_DIR"/*.log; do warn "  $(basename "$f" .log)"; done
    else
      warn "  (none)"
    fi
    exit 2
  fi
  exec tail -n 100 -F "$(log_file "$name")"
}

# ---- main ------------------------------------------------------------------------
main() {
  local cmd="${1:-}"
  case "$cmd" in
    up) do_up ;;
    down) do_down ;;
    status) do_status ;;
    logs) shift; do_logs "$@" ;;
    _infra) do_infra ;;
    *) usage; exit 2 ;;
  esac
}

main "$@"
