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
#   compose/local.sh demo        replay the lab's walkthrough on the running system
#                                (kills one logging and one messages instance)
#   compose/local.sh restart NAME...  start killed instances again (logging-8085, ...)
#                                and wait until they are passing
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
  demo        replay the lab's walkthrough against the running system: POSTs and
              GETs over both facades, then kill -9 of one logging and one messages
              instance, Consul dropping them, and the same traffic on the rest
  restart NAME...
              start instances of the running lab again (e.g. logging-8085 after a
              kill -9 or the demo); waits until Consul reports them passing
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
# start_instance MODULE PORT NAME [JVM_FLAG...]: starts one service instance in the background,
# logging to NAME.log and recorded as NAME (so `down` stops it); PORT 0 picks a free port.
# Exported OTEL_* variables are inherited as they are. Sets STARTED_PID.
STARTED_PID=""
start_instance() {
  local module="$1" port="$2" name="$3" log jar
  shift 3
  log="$(log_file "$name")"
  jar="$(jar_of "$module")"
  CONSUL_HTTP_ADDR="$CONSUL_HOST:$CONSUL_HTTP_PORT" \
    nohup "$JAVA" "${JVM_OPENS[@]}" "$JVM_HEAP" "$@" -jar "$jar" --port "$port" >"$log" 2>&1 </dev/null &
  STARTED_PID=$!
  record_pid "$name" "$STARTED_PID"
}

start_services() {
  local inst module port name
  for inst in "${INSTANCES[@]}"; do
    module="$(module_of "$inst")"
    port="$(port_of "$inst")"
    name="$(instance_name "$inst")"
    say "starting $(service_name "$module") on :$port, log $(log_file "$name")"
    start_instance "$module" "$port" "$name"
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

# ---- demo ------------------------------------------------------------------------
# `demo` replays the lab's walkthrough against the system `up` started: POSTs over both
# facades, GETs, each messages instance's share, then kill -9 of one logging and one
# messages instance, Consul dropping them, and the same traffic on the survivors.
DEMO_ROUNDS=10
DEMO_TTL_S=5                 # consul.service.ttl of the instances (the default)
DEMO_DROP_TIMEOUT_S=20       # how long to wait for Consul to drop a killed instance
DEMO_DELIVERY_TIMEOUT_S=20   # how long to wait for the messages instances to take a batch
DEMO_DIR="$RUN_DIR/demo"
DEMO_PROBLEMS=0
DEMO_SEQ=0
declare -A DEMO_NAME_OF=()   # Consul service id -> instance name (logging-8081)
declare -A DEMO_ID_OF=()     # instance name -> Consul service id

heading() { printf '\n== %s ==\n' "$*"; }
problem() { printf '  !! %s\n' "$*"; DEMO_PROBLEMS=$((DEMO_PROBLEMS + 1)); }

# Microseconds since the epoch, and a microsecond span as seconds with two decimals.
now_us() { printf '%s' "${EPOCHREALTIME/[.,]/}"; }
fmt_s() { printf '%d.%02d' $(($1 / 1000000)) $((($1 % 1000000) / 10000)); }

# http METHOD URL [CURL_ARGS...]: sets HTTP_CODE (000: no answer), HTTP_BODY and HTTP_MS.
HTTP_CODE="" HTTP_BODY="" HTTP_MS=""
http() {
  local method="$1" url="$2" out meta secs
  shift 2
  out="$(curl -sS --max-time 10 -X "$method" -w '\n%{http_code} %{time_total}' "$@" "$url" 2>&1)" || true
  meta="${out##*$'\n'}"
  HTTP_BODY="${out%$'\n'*}"
  HTTP_CODE="${meta%% *}"
  secs="${meta#* }"
  HTTP_MS="$(awk -v t="$secs" 'BEGIN { printf "%d", t * 1000 }')"
}

# demo_json MODE [ARGS...] < JSON: the demo's JSON reading (python3, no jq).
#   field NAME               the top-level string NAME (empty if absent)
#   agent-services           "<id> <port>" per service registered on the agent
#   count RUN_UUIDS          "<total> <of the run>" for a list of {uuid, msg}
#   facade-get RUN_UUIDS DIR "<logging total> <of run> <messages total> <of run> <owner>":
#                            owner is the instance DIR/<owner>.json whose list holds every
#                            message of the answer's messages list ("?" if none or empty)
#   spread RUN_UUIDS FILE... "<name> <total> <of run>" per file, then
#                            "ALL <distinct run uuids seen> <occurrences>"
demo_json() {
  python3 -c '
import json, os, sys

def run_uuids(path):
    with open(path) as f:
        return {line.strip() for line in f if line.strip()}

def uuids(items):
    return [m.get("uuid") for m in items or [] if isinstance(m, dict)]

def load(path):
    with open(path) as f:
        return json.load(f)

mode, args = sys.argv[1], sys.argv[2:]
try:
    doc = json.load(sys.stdin) if mode != "spread" else None
except ValueError:
    doc = None
if mode == "field":
    value = doc.get(args[0]) if isinstance(doc, dict) else None
    print(value if isinstance(value, str) else "")
elif mode == "agent-services":
    for sid, svc in (doc or {}).items():
        print(sid, svc.get("Port", "?"))
elif mode == "count":
    run = run_uuids(args[0])
    got = uuids(doc if isinstance(doc, list) else [])
    print(len(got), sum(1 for u in got if u in run))
elif mode == "facade-get":
    run = run_uuids(args[0])
    doc = doc if isinstance(doc, dict) else {}
    logged, received = uuids(doc.get("logging")), uuids(doc.get("messages"))
    owner = "?"
    if received:
        for name in sorted(os.listdir(args[1])):
            if name.endswith(".json") and set(received) <= set(uuids(load(os.path.join(args[1], name)))):
                owner = name[:-5]
    print(len(logged), sum(1 for u in logged if u in run),
          len(received), sum(1 for u in received if u in run), owner)
elif mode == "spread":
    run = run_uuids(args[0])
    seen, occurrences = set(), 0
    for path in args[1:]:
        got = uuids(load(path))
        mine = [u for u in got if u in run]
        seen.update(mine)
        occurrences += len(mine)
        print(os.path.basename(path)[:-5], len(got), len(mine))
    print("ALL", len(seen), occurrences)
' "$@"
}

# Refreshes DEMO_NAME_OF/DEMO_ID_OF from the agent's registrations (a killed instance stays
# registered, critical, until DeregisterCriticalServiceAfter).
demo_load_ids() {
  local json sid port inst
  json="$(curl -fsS --max-time 3 "$CONSUL_URL/v1/agent/services" 2>/dev/null)" || return 0
  while read -r sid port; do
    [[ -n "$sid" ]] || continue
    for inst in "${INSTANCES[@]}"; do
      if [[ "$(port_of "$inst")" == "$port" && "$sid" == "$(module_of "$inst")-service-"* ]]; then
        DEMO_NAME_OF["$sid"]="$(instance_name "$inst")"
        DEMO_ID_OF["$(instance_name "$inst")"]="$sid"
      fi
    done
  done < <(demo_json agent-services <<<"$json")
}

# Prints the instance name for a Consul service id (the id itself if unknown).
demo_name() {
  [[ -n "${DEMO_NAME_OF[$1]:-}" ]] || demo_load_ids
  printf '%s' "${DEMO_NAME_OF[$1]:-$1}"
}

# Prints the names of the passing instances of a module, sorted by port.
demo_passing() {
  local m p
  while read -r m p; do
    [[ -n "$p" ]] && printf '%s-%s\n' "$m" "$p"
  done < <(passing_instances "$1") | sort -t- -k2n
}

demo_require_up() {
  local module inst n leader
  command -v curl >/dev/null 2>&1 || die "curl is required"
  command -v python3 >/dev/null 2>&1 || die "python3 is required"
  name_alive consul || die "the lab is not running (no live consul started by 'up' in $PID_DIR); start it first: compose/local.sh up"
  leader="$(curl -fsS --max-time 3 "$CONSUL_URL/v1/status/leader" 2>/dev/null || true)"
  [[ -n "$leader" && "$leader" != '""' ]] || die "consul at $CONSUL_URL does not answer; restart the lab: compose/local.sh down && compose/local.sh up"
  for module in "${SERVICE_MODULES[@]}"; do
    n="$(demo_passing "$module" | wc -l)"
    ((n > 0)) || die "the lab is not up: $(service_name "$module") has no passing instance (see compose/local.sh status); restart it: compose/local.sh down && compose/local.sh up"
  done
  for inst in "${INSTANCES[@]}"; do
    [[ "$(module_of "$inst")" == facade ]] || continue
    demo_passing facade | grep -qx "$(instance_name "$inst")" \
      || die "the lab is not up: $(instance_name "$inst") is not passing in Consul (see compose/local.sh status); restart it: compose/local.sh down && compose/local.sh up"
  done
}

# demo_post FACADE_PORT KIND(form|json) RUN_UUIDS: one POST, one line; the uuid is appended
# to RUN_UUIDS, the logging instance's name to DEMO_LOGGED_BY.
DEMO_LOGGED_BY=()
demo_post() {
  local port="$1" kind="$2" run_file="$3" msg uuid by name
  DEMO_SEQ=$((DEMO_SEQ + 1))
  msg="demo $DEMO_RUN #$DEMO_SEQ"
  if [[ "$kind" == form ]]; then
    http POST "http://127.0.0.1:$port/facade" --data-urlencode "msg=$msg"
  else
    http POST "http://127.0.0.1:$port/facade" -H 'Content-Type: application/json' -d "{\"msg\": \"$msg\"}"
  fi
  if [[ "$HTTP_CODE" != 201 ]]; then
    printf '  %2d. POST :%s %-4s %-18s -> %s (%s ms) %s\n' "$DEMO_SEQ" "$port" "$kind" "\"$msg\"" "$HTTP_CODE" "$HTTP_MS" "$HTTP_BODY"
    problem "POST :$port answered $HTTP_CODE, not 201"
    return 0
  fi
  uuid="$(demo_json field uuid <<<"$HTTP_BODY")"
  by="$(demo_json field logged_by <<<"$HTTP_BODY")"
  name="$(demo_name "$by")"
  printf '%s\n' "$uuid" >>"$run_file"
  DEMO_LOGGED_BY+=("$name")
  printf '  %2d. POST :%s %-4s %-18s -> 201 (%4s ms)  uuid %s  logged_by %s\n' \
    "$DEMO_SEQ" "$port" "$kind" "\"$msg\"" "$HTTP_MS" "$uuid" "$name"
}

# demo_posts N RUN_UUIDS: N POSTs alternating over the facades, form and JSON in turn.
demo_posts() {
  local n="$1" run_file="$2" i port kind
  for ((i = 0; i < n; i++)); do
    port="${FACADE_PORTS[i % ${#FACADE_PORTS[@]}]}"
    if (((i / ${#FACADE_PORTS[@]}) % 2 == 0)); then kind=form; else kind=json; fi
    demo_post "$port" "$kind" "$run_file"
  done
}

# Prints "<name> ×<count>" for the names in the arguments, sorted.
demo_tally() {
  printf '%s\n' "$@" | sort | uniq -c | awk '{ printf "%s%s ×%s", (NR > 1 ? ", " : ""), $2, $1 } END { print "" }'
}

# Saves each live messages instance's own list (GET :<port>/messages) as DIR/<name>.json;
# prints the saved files.
demo_fetch_messages() {
  local dir="$1" inst name
  rm -f "$dir"/*.json
  for inst in "${INSTANCES[@]}"; do
    [[ "$(module_of "$inst")" == messages ]] || continue
    name="$(instance_name "$inst")"
    name_alive "$name" || continue
    http GET "http://127.0.0.1:$(port_of "$inst")/messages"
    if [[ "$HTTP_CODE" == 200 ]]; then
      printf '%s\n' "$HTTP_BODY" >"$dir/$name.json"
      printf '%s\n' "$dir/$name.json"
    fi
  done
}

# demo_wait_delivery RUN_UUIDS DIR: waits until the live messages instances hold every uuid
# of RUN_UUIDS, then leaves their lists in DIR.
demo_wait_delivery() {
  local run_file="$1" dir="$2" want t0 files=() name total mine seen=0 occ=0
  want="$(wc -l <"$run_file")"
  t0="$(now_us)"
  while true; do
    mapfile -t files < <(demo_fetch_messages "$dir")
    if ((${#files[@]} > 0)); then
      while read -r name total mine; do
        if [[ "$name" == ALL ]]; then seen="$total"; occ="$mine"; fi
      done < <(demo_json spread "$run_file" "${files[@]}")
    fi
    if ((seen >= want)); then
      progress_end
      say "  the messages instances took all $want from the queue ($(fmt_s $(($(now_us) - t0))) s after the last POST)"
      ((occ == seen)) || problem "$((occ - seen)) message(s) were received twice"
      return 0
    fi
    if (($(now_us) - t0 > DEMO_DELIVERY_TIMEOUT_S * 1000000)); then
      progress_end
      problem "after ${DEMO_DELIVERY_TIMEOUT_S}s the messages instances hold only $seen of the $want messages"
      return 0
    fi
    progress "  waiting for the messages instances to take them from the queue: $seen/$want"
    sleep 0.2
  done
}

# demo_get FACADE_PORT RUN_UUIDS DIR: one GET through a facade; prints what logging and the
# messages instance it asked hold, and which instance that was. Sets DEMO_OWNER.
DEMO_OWNER=""
demo_get() {
  local port="$1" run_file="$2" dir="$3" body want ltotal lrun mtotal mrun
  want="$(wc -l <"$run_file")"
  http GET "http://127.0.0.1:$port/facade"
  DEMO_OWNER="?"
  if [[ "$HTTP_CODE" != 200 ]]; then
    printf '      GET  :%s %-23s -> %s (%4s ms)  %s\n' "$port" "" "$HTTP_CODE" "$HTTP_MS" "$HTTP_BODY"
    problem "GET :$port answered $HTTP_CODE, not 200"
    return 0
  fi
  body="$HTTP_BODY"
  demo_fetch_messages "$dir" >/dev/null
  read -r ltotal lrun mtotal mrun DEMO_OWNER < <(demo_json facade-get "$run_file" "$dir" <<<"$body")
  printf '      GET  :%s %-23s -> 200 (%4s ms)  logging holds %s (%s/%s of this batch), its messages instance (%s) holds %s (%s of this batch)\n' \
    "$port" "" "$HTTP_MS" "$ltotal" "$lrun" "$want" "$DEMO_OWNER" "$mtotal" "$mrun"
}

# demo_shares RUN_UUIDS DIR: each messages instance's share of RUN_UUIDS (lists already in DIR).
demo_shares() {
  local run_file="$1" dir="$2" want files=() name total mine
  want="$(wc -l <"$run_file")"
  mapfile -t files < <(find "$dir" -maxdepth 1 -name '*.json' | sort)
  if ((${#files[@]} == 0)); then
    problem "no messages instance answered"
    return 0
  fi
  while read -r name total mine; do
    if [[ "$name" == ALL ]]; then
      say "  together: $total of the $want, $mine received in all (each exactly once: $([[ "$total" == "$want" && "$mine" == "$want" ]] && echo yes || echo NO))"
    else
      printf '  %-13s GET http://127.0.0.1:%s/messages  %2s of this batch  (holds %s in all)\n' "$name" "${name##*-}" "$mine" "$total"
    fi
  done < <(demo_json spread "$run_file" "${files[@]}")
}

# Picks the instance of a module to kill (the lowest port that is alive and passing), unless
# it would be the module's last passing instance. Sets DEMO_VICTIM (empty: none).
DEMO_VICTIM=""
declare -A DEMO_KILLED_AT=()
demo_pick_victim() {
  local module="$1" passing=() name
  DEMO_VICTIM=""
  mapfile -t passing < <(demo_passing "$module")
  if ((${#passing[@]} < 2)); then
    say "  $(service_name "$module"): only ${passing[*]:-none} left passing (an earlier demo killed the others); not killing the last one"
    return 0
  fi
  for name in "${passing[@]}"; do
    if name_alive "$name"; then
      DEMO_VICTIM="$name"
      return 0
    fi
  done
  problem "$(service_name "$module"): none of ${passing[*]} is a live process started by 'up'"
}

# kill -9 of the named instances, back to back, by their pid files.
demo_kill() {
  local name pid start
  for name in "$@"; do
    pid="$(read_pid "$name")"
    start="$(read_start "$name")"
    if ! pid_alive "$pid" "$start"; then
      problem "$name (pid $pid) is not running"
      continue
    fi
    kill -KILL "$pid"
    DEMO_KILLED_AT["$name"]="$(now_us)"
  done
  for name in "$@"; do
    [[ -n "${DEMO_KILLED_AT[$name]:-}" ]] || continue
    printf '  kill -9 %-7s %-14s (%s)\n' "$(read_pid "$name")" "$name" "${DEMO_ID_OF[$name]:-not registered in consul}"
  done
}

# Polls /v1/health/service/<name>?passing until every killed instance has left it; prints
# the time from its kill -9.
demo_wait_dropped() {
  local victims=() left name module body elapsed t0=""
  for name in "$@"; do
    [[ -n "${DEMO_KILLED_AT[$name]:-}" ]] || continue
    victims+=("$name")
    [[ -n "$t0" ]] || t0="${DEMO_KILLED_AT[$name]}"
  done
  ((${#victims[@]} > 0)) || return 0
  local -A gone=()
  say "  polling $CONSUL_URL/v1/health/service/<name>?passing every 0.1 s (TTL ${DEMO_TTL_S} s, heartbeat every TTL/3):"
  while true; do
    left=0
    for name in "${victims[@]}"; do
      [[ -z "${gone[$name]:-}" ]] || continue
      module="${name%-*}"
      body="$(curl -fsS --max-time 2 "$CONSUL_URL/v1/health/service/$(service_name "$module")?passing" 2>/dev/null || true)"
      elapsed=$(($(now_us) - ${DEMO_KILLED_AT[$name]}))
      if [[ -n "$body" && "$body" != *"\"${DEMO_ID_OF[$name]:-?}\""* ]]; then
        gone["$name"]=1
        progress_end
        say "    $name left $(service_name "$module")?passing $(fmt_s "$elapsed") s after kill -9"
        DEMO_DROP_TIMES+=("$name after $(fmt_s "$elapsed") s")
        continue
      fi
      left=$((left + 1))
      if ((elapsed > DEMO_DROP_TIMEOUT_S * 1000000)); then
        gone["$name"]=timeout
        progress_end
        problem "$name is still passing in Consul $DEMO_DROP_TIMEOUT_S s after kill -9"
        left=$((left - 1))
      fi
    done
    ((left > 0)) || break
    elapsed=$(($(now_us) - t0))
    progress "    $((elapsed / 1000000)) s: $left of ${#victims[@]} still passing" "$left $((elapsed / 1000000))"
    sleep 0.1
  done
}

demo_consul_now() {
  local module
  for module in "${SERVICE_MODULES[@]}"; do
    printf '  %-17s passing: %s\n' "$(service_name "$module")" "$(demo_passing "$module" | paste -sd' ' -)"
  done
}

do_demo() {
  demo_require_up
  local t_start batch1 batch2 module victims=() inst name i port kind
  t_start="$(now_us)"
  DEMO_RUN="$(date +%H%M%S)"
  DEMO_DROP_TIMES=()
  mkdir -p "$DEMO_DIR"
  rm -f "$DEMO_DIR"/*.uuids "$DEMO_DIR"/*.json
  batch1="$DEMO_DIR/before.uuids"
  batch2="$DEMO_DIR/after.uuids"
  : >"$batch1"
  : >"$batch2"
  demo_load_ids

  heading "0. the lab as Consul sees it ($CONSUL_URL)"
  demo_consul_now

  heading "1. $DEMO_ROUNDS POSTs, alternating over the facades ${FACADE_PORTS[*]} (form and JSON)"
  DEMO_LOGGED_BY=()
  demo_posts "$DEMO_ROUNDS" "$batch1"
  say "  logged by: $(demo_tally "${DEMO_LOGGED_BY[@]}")"
  demo_wait_delivery "$batch1" "$DEMO_DIR"

  heading "2. GET through each facade (logging's list + one random messages instance's list)"
  for port in "${FACADE_PORTS[@]}"; do
    demo_get "$port" "$batch1" "$DEMO_DIR"
  done

  heading "3. each messages instance's share of the $DEMO_ROUNDS (asked directly)"
  demo_shares "$batch1" "$DEMO_DIR"

  heading "4. kill -9 one logging and one messages instance; Consul drops them after the TTL"
  demo_load_ids
  for module in logging messages; do
    demo_pick_victim "$module"
    [[ -z "$DEMO_VICTIM" ]] || victims+=("$DEMO_VICTIM")
  done
  if ((${#victims[@]} > 0)); then
    demo_kill "${victims[@]}"
    demo_wait_dropped "${victims[@]}"
  fi
  say "  consul now:"
  demo_consul_now

  heading "5. $DEMO_ROUNDS more POSTs, each followed by a GET through the same facade"
  DEMO_LOGGED_BY=()
  local owners=()
  for ((i = 0; i < DEMO_ROUNDS; i++)); do
    port="${FACADE_PORTS[i % ${#FACADE_PORTS[@]}]}"
    if (((i / ${#FACADE_PORTS[@]}) % 2 == 0)); then kind=form; else kind=json; fi
    demo_post "$port" "$kind" "$batch2"
    demo_get "$port" "$batch2" "$DEMO_DIR"
    owners+=("$DEMO_OWNER")
  done
  demo_wait_delivery "$batch2" "$DEMO_DIR"
  demo_shares "$batch2" "$DEMO_DIR"
  say "  logged by:           $(demo_tally "${DEMO_LOGGED_BY[@]}")"
  say "  GETs' messages from: $(demo_tally "${owners[@]}")"
  for name in "${victims[@]}"; do
    for inst in "${DEMO_LOGGED_BY[@]}" "${owners[@]}"; do
      if [[ "$inst" == "$name" ]]; then
        problem "$name answered after it was killed"
        break
      fi
    done
  done
  if ((${#victims[@]} > 0)); then
    say "  none of it went to the killed ${victims[*]}"
  fi

  heading "restore"
  local dead=()
  for inst in "${INSTANCES[@]}"; do
    name="$(instance_name "$inst")"
    name_alive "$name" || dead+=("$name")
  done
  if ((${#dead[@]} > 0)); then
    say "  not running: ${dead[*]} (compose/local.sh status shows them DEAD)"
  fi
  say "  to get all ${#INSTANCES[@]} instances back:  compose/local.sh down && compose/local.sh up"
  say ""
  if ((DEMO_PROBLEMS == 0)); then
    local drops=""
    if ((${#DEMO_DROP_TIMES[@]} > 0)); then
      drops="$(printf '%s, ' "${DEMO_DROP_TIMES[@]}")"
      drops="; consul dropped ${drops%, } (from kill -9)"
    fi
    say "demo OK in $(fmt_s $(($(now_us) - t_start))) s$drops"
  else
    say "demo finished with $DEMO_PROBLEMS problem(s) (marked !! above); logs: $LOG_DIR/"
    return 1
  fi
}

# ---- restart ---------------------------------------------------------------------
# wait_passing_ports MODULE TIMEOUT_S PORT...: waits until every port is a passing instance of
# MODULE's service in Consul.
wait_passing_ports() {
  local module="$1" timeout="$2" deadline m p port missing
  shift 2
  deadline=$((SECONDS + timeout))
  while true; do
    local -A seen=()
    while read -r m p; do
      [[ -n "$p" ]] && seen["$p"]=1
    done < <(passing_instances "$module")
    missing=()
    for port in "$@"; do
      [[ -n "${seen[$port]:-}" ]] || missing+=("$port")
    done
    ((${#missing[@]} > 0)) || return 0
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

do_restart() {
  local name inst found module port started=()
  (($# > 0)) || die "usage: compose/local.sh restart NAME... (names: $(for inst in "${INSTANCES[@]}"; do printf '%s ' "$(instance_name "$inst")"; done))"
  name_alive consul || die "the lab is not running (no live consul started by 'up'); start it: compose/local.sh up"
  find_java
  for name in "$@"; do
    found=""
    for inst in "${INSTANCES[@]}"; do
      [[ "$(instance_name "$inst")" == "$name" ]] && found="$inst"
    done
    [[ -n "$found" ]] || die "no instance named '$name' (names: $(for inst in "${INSTANCES[@]}"; do printf '%s ' "$(instance_name "$inst")"; done))"
    if name_alive "$name"; then
      say "$name is running (pid $(read_pid "$name")); not restarting it"
      continue
    fi
    module="$(module_of "$found")"
    port="$(port_of "$found")"
    [[ -z "$(port_holder "$port")" ]] || die "port $port is taken (by $(port_holder "$port"))"
    say "starting $(service_name "$module") on :$port, log $(log_file "$name")"
    start_instance "$module" "$port" "$name"
    started+=("$found")
  done
  for inst in "${started[@]}"; do
    wait_passing_ports "$(module_of "$inst")" "$UP_TIMEOUT" "$(port_of "$inst")" \
      || die "$(instance_name "$inst") is not passing in Consul after ${UP_TIMEOUT}s (log: $(log_file "$(instance_name "$inst")"))"
    say "$(instance_name "$inst") is passing"
  done
}

# ---- main ------------------------------------------------------------------------
main() {
  local cmd="${1:-}"
  case "$cmd" in
    up) do_up ;;
    down) do_down ;;
    status) do_status ;;
    logs) shift; do_logs "$@" ;;
    demo) do_demo ;;
    restart) shift; do_restart "$@" ;;
    _infra) do_infra ;;
    *) usage; exit 2 ;;
  esac
}

# compose/bench.sh sources this file for its functions and settings.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
