#!/usr/bin/env bash
# "Prove it: benchmarks". Starts its own lab (compose/local.sh up), measures, and stops it again.
# Every result is a ratio or a time measured within this one run (the machine may be shared:
# throughput pairs are interleaved A B B A ..., so drift hits both sides alike).
#
#   compose/bench.sh
#
# Output (stdout, one line per result, ready for grep '^R'):
#   R1 ... = 0.98 (...) (goal >= 0.95) PASS       every line ends with PASS or FAIL
#   LAT ...                                        latency table lines (no goal)
#   CPU ...                                        CPU ms per request of each lab process, R1-R3
#   EST ...                                        numbers for the 10,000-instance estimate
# Progress goes to stderr; raw wrk/JMH/helper output to compose/.run/bench/.
# Exit status: 0 when every result was measured (PASS or FAIL), 1 when one could not be measured,
# 2 when the bench could not start.
#
#   R1  GET /facade throughput, Consul stopped (kill -STOP) / running            >= 0.95
#       (one more pair first, not counted: GET got fast enough to still be warming up)
#   R2  POST /facade throughput, tracing on (always_on, OTLP export) / off       >= 0.90
#   R2m POST /facade throughput, metrics on (/observe/metrics scraped every 2 s) / off
#       (LAB_METRICS=off), tracing as by default on both                          >= 0.95
#   R3  POST /facade / direct POST /logging throughput          retired: printed for information
#   R4  lab_settings change in Consul KV -> every instance's GET /settings       <= 1 s (max)
#   R5  kill -9 of a logging instance -> out of ?passing; client errors          <= TTL, 0 errors
#   R6a process start -> passing in Consul, fresh logging instance (JVM incl.),
#       each on a machine at rest, seen by a blocking query                      <= 1 s (max)
#   R6b RSS of each of the 7 instances (after all the load)                      <= 160 MiB
#   R6c GET and POST /facade throughput, the instances' JVM settings (sizing of
#       instance.options, AOT cache) / as before (-Xmx256m, no cache): two more
#       facades started together, warmed alike, interleaved; the lower ratio      >= 0.95
#   R7a health change of 1 of 1,000 instances -> HealthyInstances cache          <= 1 s (max)
#   R7b HealthyInstances.pick cost, 1,000 / 3 instances (JMH, 2 runs, median)    <= 1.1
#   R7c on a real Consul cluster (3 servers, 3 client agents) with 10,000 instances and 10 watchers:
#       health change -> every watcher's cache, the lab's reads (agent cache, shard tag)  <= 1 s (max)
#   R7d Consul bytes written per health change, the lab's reads / the former reads
#       (through the leader, the whole service; their waits long enough not to end
#       while measured: a change costs the same, the rest is quiet), 5,000        <= 0.1
#   R8  GET /facade?limit=100 throughput, 200,000 stored / 100 stored (map_name
#       switched live between a full and a small history before each run)        >= 0.8
#   R9  GET /facade?limit=100 throughput / a bare route (GET /observe/health/live,
#       no checks in that group) on the same facade                              >= 0.10
#   R10 largest used heap after a full GC of the 7 instances, after 200,000
#       messages went through the lab / after 1,000                              <= 1.5
#   R11 POST through one facade -> on the other facade's GET ?limit=100, p99 of
#       200                                                                      <= 1 s
#   Warm-up: 15 s of GET on the main facade, 5 s on the other, before R1; POST warm-up before the
#   POST latencies; R8 and R9 start with one pair not counted, after the 200,000 POSTs.
#
# Environment:
#   BENCH_DURATION   seconds per measured wrk run (default 8)
#   BENCH_PAIRS      interleaved pairs per throughput ratio (default 3; R1 and R6c: 2 more)
#   BENCH_LAT        seconds per latency run (default 5)
#   BENCH_CONNS      connections of the throughput runs (default 16)
#   BENCH_HISTORY    messages through the lab before R8-R10 (default 200000)
#   BENCH_SCALE      instances registered on the cluster for R7c (default 10000)
#   BENCH_SCALE_COMPARED  instances for R7d, where both ways of reading are measured (default 5000)
#   BENCH_JFR        R1, R2 and/or R3 (comma-separated): record a JFR profile of the facade during
#                    that ratio's runs and print its top frames (compose/.run/bench/profile-<id>.txt)
# OTEL_* variables of the caller are not passed to the lab (R2 sets its own).
set -euo pipefail

BENCH_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(dirname "$BENCH_HOME")"
RUN_DIR="$BENCH_HOME/.run"
PID_DIR="$RUN_DIR/pids"
# shellcheck source=compose/layout.sh
source "$BENCH_HOME/layout.sh"
TTL_S=5                                   # consul.service.ttl of the instances (the default)
port_taken() { [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]; }

BENCH_DIR="$RUN_DIR/bench"
HELPER="$BENCH_HOME/bench/bench.py"
LUA="$BENCH_HOME/bench/wrk.lua"
JMH_DIR="$BENCH_HOME/bench/jmh"
DURATION="${BENCH_DURATION:-8}"
PAIRS="${BENCH_PAIRS:-3}"
LAT_SECONDS="${BENCH_LAT:-5}"
CONNS="${BENCH_CONNS:-16}"
JFR_FOR="${BENCH_JFR:-}"
WARMUP_SECONDS=5              # per facade/logging instance before the POST runs, x2 on the main facade
GET_WARMUP_SECONDS=15         # the JVMs are fresh: JIT and pools warm up on GET first
WRK_THREADS=2
SEED_MESSAGES=200             # GETs before R8 run on these 200 (a page of 100, about 7 KB)
HISTORY="${BENCH_HISTORY:-200000}"
SMALL_HISTORY=100             # R8's small side
EARLY_HISTORY=1000            # R10's small side
SMALL_MAP=bench-small-map
FRESHNESS_TRIES=200
SINK_PORT=4318
R2_ON=8086                     # facade with tracing on (always_on, OTLP to the sink)
R2_OFF=8087                    # facade with OTEL_SDK_DISABLED=true
R2M_ON=8089                    # facade with metrics (the default), scraped as Prometheus would
R2M_OFF=8090                   # facade with LAB_METRICS=off
R6C_NEW=8091                   # facade with the instances' JVM settings (instance.options, AOT cache)
R6C_OLD=8092                   # facade as before them: -Xmx256m, no AOT cache
R5_VICTIM=logging-8085
R5_SECONDS=12                  # load around the kill: 2 s before it, the rest after
R6_RUNS=3
SYNTH_SERVICE=synthetic-service
SYNTH_COUNT=1000
SYNTH_SMALL=synthetic-small
KV_CHANGES=5
FACADE="http://127.0.0.1:${FACADE_PORTS[0]}/facade"
LOGGING="http://127.0.0.1:8081/logging"
PAGE="$FACADE?limit=100"
BARE="http://127.0.0.1:${FACADE_PORTS[0]}/observe/health/live"

declare -A RESULT=()
RESULT_ORDER=(R1 R2 R2m R3 R4 R5 R6a R6b R6c R7a R7b R7c R7d R8 R9 R10 R11)
LAT_LINES=()
EST_LINES=()
UNMEASURED=0
PAUSED_PID=""
SINK_PID=""
LAB_STARTED=0
T_START=$SECONDS

log() { printf '[bench %3ds] %s\n' "$((SECONDS - T_START))" "$*" >&2; }

# ---- results -------------------------------------------------------------------------------
# result ID TEXT VALUE OP GOAL NOTE [ERRORS]: records "ID TEXT = VALUE (NOTE) (goal OP GOAL) PASS|FAIL";
# any client error (ERRORS > 0) fails the result too.
result() {
  local id="$1" text="$2" value="$3" op="$4" goal="$5" note="${6:-}" errors="${7:-0}" verdict
  if awk -v v="$value" -v g="$goal" -v op="$op" 'BEGIN { exit !((op == ">=" && v >= g) || (op == "<=" && v <= g)) }'; then
    verdict=PASS
  else
    verdict=FAIL
  fi
  if ((errors > 0)); then verdict=FAIL; fi
  RESULT["$id"]="$id $text = $value${note:+ ($note)} (goal $op $goal) $verdict"
  log "${RESULT[$id]}"
}

# unmeasured ID TEXT REASON: a result that could not be measured (FAIL, exit status 1).
unmeasured() {
  RESULT["$1"]="$1 $2 = not measured ($3) FAIL"
  UNMEASURED=1
  log "${RESULT[$1]}"
}

print_results() {
  local id line
  printf '\n# compose/bench.sh %s on %s: %s cores, java %s, %s s per run, %s pairs\n' \
    "$(date -u +%Y-%m-%dT%H:%MZ)" "$(hostname)" "$(nproc)" "$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)" "$DURATION" "$PAIRS"
  for id in "${RESULT_ORDER[@]}"; do
    printf '%s\n' "${RESULT[$id]:-$id not measured (the bench stopped before it) FAIL}"
  done
  for line in "${LAT_LINES[@]}" "${CPU_LINES[@]}" "${EST_LINES[@]}"; do printf '%s\n' "$line"; done
}

# ---- wrk -----------------------------------------------------------------------------------
WRK_N=0
WRK_REQUESTS=0 WRK_DURATION_US=1 WRK_STATUS_ERRORS=0 WRK_CONNECT=0 WRK_READ=0 WRK_WRITE=0 WRK_TIMEOUT=0
WRK_P50_US=0 WRK_P99_US=0 WRK_RPS=0 WRK_ERRORS=0 WRK_OUT=""

# run_wrk URL MODE CONNS SECONDS [NONCE]: one wrk run with compose/bench/wrk.lua; sets WRK_* (WRK_RPS
# counts only answers below 400; WRK_ERRORS = status + socket errors).
run_wrk() {
  local url="$1" mode="$2" conns="$3" secs="$4" nonce="${5:-}" threads line field key
  threads=$((conns < WRK_THREADS ? conns : WRK_THREADS))
  WRK_N=$((WRK_N + 1))
  WRK_OUT="$BENCH_DIR/wrk-$(printf '%03d' "$WRK_N")-$mode-c$conns.txt"
  printf 'wrk -t%s -c%s -d%ss --latency %s -- %s %s\n' "$threads" "$conns" "$secs" "$url" "$mode" "$nonce" >"$WRK_OUT"
  wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s --latency -s "$LUA" "$url" -- "$mode" ${nonce:+"$nonce"} \
    >>"$WRK_OUT" 2>&1 || { log "wrk failed: $WRK_OUT"; return 1; }
  line="$(grep '^WRK ' "$WRK_OUT" | tail -n1)"
  [[ -n "$line" ]] || { log "no WRK line in $WRK_OUT"; return 1; }
  for field in ${line#WRK }; do
    key="${field%%=*}"
    printf -v "WRK_${key^^}" '%s' "${field#*=}"
  done
  WRK_ERRORS=$((WRK_STATUS_ERRORS + WRK_CONNECT + WRK_READ + WRK_WRITE + WRK_TIMEOUT))
  WRK_RPS="$(awk -v n="$WRK_REQUESTS" -v e="$WRK_STATUS_ERRORS" -v d="$WRK_DURATION_US" 'BEGIN { printf "%.1f", (n - e) / (d / 1e6) }')"
  log "  $mode $url c=$conns: $WRK_RPS req/s, p50 $((WRK_P50_US / 1000)) ms, p99 $((WRK_P99_US / 1000)) ms, $WRK_ERRORS errors"
}

nonce() { printf '%08x' $(((RANDOM << 16 | RANDOM) ^ WRK_N)); }

# ---- CPU per request ---------------------------------------------------------------------------
# utime + stime (clock ticks) of every process the lab started, by pid-file name.
CLK_TCK="$(getconf CLK_TCK)"
declare -A CPU_NOW=() CPU_BEFORE=() CPU_A=() CPU_B=()
REQ_A=0 REQ_B=0
cpu_snapshot() {
  local name pid stat
  CPU_NOW=()
  for name in "${!PIDS[@]}"; do
    pid="${PIDS[$name]}"
    stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
    stat="${stat##*) }"
    CPU_NOW["$name"]="$(awk '{ print $12 + $13 }' <<<"$stat")"
  done
}
cpu_begin() {
  local k
  cpu_snapshot
  CPU_BEFORE=()
  for k in "${!CPU_NOW[@]}"; do CPU_BEFORE["$k"]="${CPU_NOW[$k]}"; done
}
# cpu_end a|b: adds the ticks since cpu_begin to that side, and the run's good requests.
cpu_end() {
  local side="$1" k d
  cpu_snapshot
  for k in "${!CPU_NOW[@]}"; do
    [[ -n "${CPU_BEFORE[$k]:-}" ]] || continue
    d=$((CPU_NOW[$k] - CPU_BEFORE[$k]))
    if [[ "$side" == a ]]; then CPU_A["$k"]=$((${CPU_A[$k]:-0} + d)); else CPU_B["$k"]=$((${CPU_B[$k]:-0} + d)); fi
  done
  if [[ "$side" == a ]]; then REQ_A=$((REQ_A + WRK_REQUESTS - WRK_STATUS_ERRORS)); else REQ_B=$((REQ_B + WRK_REQUESTS - WRK_STATUS_ERRORS)); fi
}
# cpu_line ID LABEL_A LABEL_B: "CPU ID ms of CPU per request, by process: A: ... | B: ..." (hz-* summed
# as hazelcast, logging-* as logging, messages-* as messages; facades one by one; wrk not included).
CPU_LINES=()
cpu_line() {
  local id="$1" label_a="$2" label_b="$3" side k out=() reqs
  for side in a b; do
    local rows=""
    if [[ "$side" == a ]]; then
      for k in "${!CPU_A[@]}"; do rows+="$k ${CPU_A[$k]}"$'\n'; done
      reqs="$REQ_A"
    else
      for k in "${!CPU_B[@]}"; do rows+="$k ${CPU_B[$k]}"$'\n'; done
      reqs="$REQ_B"
    fi
    out+=("$(awk -v reqs="$reqs" -v tck="$CLK_TCK" '
      NF == 2 { g = $1; sub(/^hz-.*/, "hazelcast", g); sub(/^logging-.*/, "logging", g); sub(/^messages-.*/, "messages", g); t[g] += $2 }
      END {
        if (reqs <= 0) { print "no requests"; exit }
        n = 0; for (g in t) { ms = t[g] * 1000 / tck / reqs; total += ms; if (ms >= 0.005) { names[++n] = g; v[g] = ms } }
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[names[j]] > v[names[i]]) { x = names[i]; names[i] = names[j]; names[j] = x }
        for (i = 1; i <= n; i++) printf "%s %.3f, ", names[i], v[names[i]]
        printf "total %.3f", total }' <<<"$rows")")
  done
  CPU_LINES+=("CPU $id ms of CPU per request, by process (wrk not included): $label_a: ${out[0]} | $label_b: ${out[1]}")
  log "${CPU_LINES[-1]}"
}

# interleave A_FN B_FN [WARMUP_PAIRS [PAIRS]]: WARMUP_PAIRS (default 0) pairs that only warm up, then
# PAIRS pairs in the order A B, B A, A B, ...; each function runs one wrk and leaves WRK_RPS/WRK_ERRORS.
# Sets A_RPS, B_RPS, A_ERRORS, B_ERRORS, and the CPU used per side (CPU_A, CPU_B, REQ_A, REQ_B; see
# cpu_line).
A_RPS=() B_RPS=() A_ERRORS=0 B_ERRORS=0
interleave() {
  local a="$1" b="$2" warmup="${3:-0}" pairs="${4:-$PAIRS}" i side order
  for ((i = 0; i < warmup; i++)); do
    log "  warm-up pair $((i + 1))/$warmup (not counted)"
    "$a" || return 1
    "$b" || return 1
  done
  A_RPS=() B_RPS=() A_ERRORS=0 B_ERRORS=0
  CPU_A=() CPU_B=() REQ_A=0 REQ_B=0
  for ((i = 0; i < pairs; i++)); do
    if ((i % 2 == 0)); then order=(a b); else order=(b a); fi
    for side in "${order[@]}"; do
      cpu_begin
      if [[ "$side" == a ]]; then
        "$a" || return 1
        A_RPS+=("$WRK_RPS")
        A_ERRORS=$((A_ERRORS + WRK_ERRORS))
      else
        "$b" || return 1
        B_RPS+=("$WRK_RPS")
        B_ERRORS=$((B_ERRORS + WRK_ERRORS))
      fi
      cpu_end "$side"
    done
  done
}

# Prints "RATIO MIN MAX MEAN_A MEAN_B": mean(B)/mean(A) and the spread of the per-pair ratios.
ratio_of_pairs() {
  awk -v a="${A_RPS[*]}" -v b="${B_RPS[*]}" 'BEGIN {
    n = split(a, av, " "); split(b, bv, " ");
    for (i = 1; i <= n; i++) { sa += av[i]; sb += bv[i]; r = bv[i] / av[i];
      if (i == 1 || r < lo) lo = r; if (i == 1 || r > hi) hi = r }
    printf "%.2f %.2f %.2f %.0f %.0f\n", sb / sa, lo, hi, sa / n, sb / n }'
}

# ---- JFR (BENCH_JFR) ----------------------------------------------------------------------------
JFR_FILE=""
jfr_start() {
  local id="$1" pid="$2"
  [[ ",$JFR_FOR," == *",$id,"* ]] || return 0
  JFR_FILE="$BENCH_DIR/profile-$id.jfr"
  rm -f "$JFR_FILE"
  "$(dirname "$JAVA")/jcmd" "$pid" JFR.start name=bench settings=profile filename="$JFR_FILE" >"$BENCH_DIR/jfr-$id.log" 2>&1 \
    || { log "JFR.start on pid $pid failed (see $BENCH_DIR/jfr-$id.log)"; JFR_FILE=""; return 0; }
  JFR_PID="$pid"
  log "JFR recording of pid $pid for $id"
}
JFR_PID=""
jfr_stop() {
  local id="$1" json summary
  [[ ",$JFR_FOR," == *",$id,"* && -n "$JFR_FILE" ]] || return 0
  "$(dirname "$JAVA")/jcmd" "$JFR_PID" JFR.stop name=bench >>"$BENCH_DIR/jfr-$id.log" 2>&1 || true
  json="$BENCH_DIR/profile-$id.json"
  summary="$BENCH_DIR/profile-$id.txt"
  "$(dirname "$JAVA")/jfr" print --json --stack-depth 64 --events jdk.ExecutionSample "$JFR_FILE" >"$json" \
    && python3 "$HELPER" jfr-top "$json" 25 >"$summary" \
    && log "profile of $id: $summary" && sed 's/^/    /' "$summary" >&2
}

# ---- lab -------------------------------------------------------------------------------------
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$PAUSED_PID" ]]; then kill -CONT "$PAUSED_PID" 2>/dev/null || true; fi
  if [[ -n "$SINK_PID" ]]; then kill "$SINK_PID" 2>/dev/null || true; fi
  if ((LAB_STARTED == 1)); then
    log "stopping the lab (compose/local.sh down)"
    "$LAB" down >>"$BENCH_DIR/down.log" 2>&1 || log "local.sh down failed (see $BENCH_DIR/down.log)"
  fi
  exit "$rc"
}

preflight() {
  local tool port
  for tool in wrk curl python3 ss; do
    command -v "$tool" >/dev/null 2>&1 || { printf 'bench.sh: %s is required\n' "$tool" >&2; exit 2; }
  done
  load_pids
  if name_alive consul; then
    printf 'bench.sh: a lab is running (compose/local.sh up); the bench starts its own: compose/local.sh down first\n' >&2
    exit 2
  fi
  for port in "$SINK_PORT" "$R2_ON" "$R2_OFF" "$R2M_ON" "$R2M_OFF" 9090; do
    if port_taken "$port"; then
      printf 'bench.sh: port %s is taken (ss -ltnp shows by whom)\n' "$port" >&2
      exit 2
    fi
  done
}

start_lab() {
  local var
  while read -r var; do unset "$var"; done < <(compgen -e | grep '^OTEL_' || true)
  log "starting the lab: compose/local.sh up (log $BENCH_DIR/up.log)"
  LAB_STARTED=1
  "$LAB" up >"$BENCH_DIR/up.log" 2>&1 || { tail -n 20 "$BENCH_DIR/up.log" >&2; log "local.sh up failed"; exit 2; }
  load_pids
  log "$(grep 'all .* instances passing' "$BENCH_DIR/up.log" || echo 'lab is up')"
  python3 "$HELPER" seed "$SEED_MESSAGES" "${FACADE_PORTS[@]}" >"$BENCH_DIR/seed.log" 2>&1 \
    || { log "seeding $SEED_MESSAGES messages failed: $(tail -n1 "$BENCH_DIR/seed.log")"; exit 2; }
  log "seeded $SEED_MESSAGES messages"
}

start_sink() {
  python3 "$HELPER" sink "$SINK_PORT" "$BENCH_DIR/sink.json" >"$BENCH_DIR/sink.log" 2>&1 &
  SINK_PID=$!
  local deadline=$((SECONDS + 10))
  until port_taken "$SINK_PORT"; do
    ((SECONDS < deadline)) || { log "the OTLP sink did not start ($BENCH_DIR/sink.log)"; exit 2; }
    sleep 0.1
  done
}

sink_requests() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["requests"], d["bytes"])' "$BENCH_DIR/sink.json"; }

# ---- latency -----------------------------------------------------------------------------------
latency() {
  local method="$1" mode="$2" conns
  for conns in 1 16 64; do
    if run_wrk "$FACADE" "$mode" "$conns" "$LAT_SECONDS"; then
      LAT_LINES+=("$(printf 'LAT %-4s /facade c=%-2s p50 = %6.1f ms  p99 = %6.1f ms  (%s req/s, %s errors)' \
        "$method" "$conns" "$(awk -v u="$WRK_P50_US" 'BEGIN { print u / 1000 }')" \
        "$(awk -v u="$WRK_P99_US" 'BEGIN { print u / 1000 }')" "$WRK_RPS" "$WRK_ERRORS")")
    else
      LAT_LINES+=("LAT $method /facade c=$conns not measured (wrk failed: $WRK_OUT)")
      UNMEASURED=1
    fi
  done
}

# ---- R1 -------------------------------------------------------------------------------------
r1_running() { run_wrk "$FACADE" get "$CONNS" "$DURATION"; }
r1_paused() {
  local pid rc=0
  pid="$(read_pid consul)"
  kill -STOP "$pid"
  PAUSED_PID="$pid"
  run_wrk "$FACADE" get "$CONNS" "$DURATION" || rc=1
  kill -CONT "$pid"
  PAUSED_PID=""
  # The TTL checks expired while Consul stood still: wait until the heartbeats made them pass again.
  sleep 2
  "$LAB" await 30 >>"$BENCH_DIR/await.log" 2>&1 || { log "the lab did not pass again after Consul resumed"; return 1; }
  sleep 1
  return "$rc"
}

r1() {
  local text="GET /facade throughput with Consul paused / running" r lo hi a b
  # The expected ratio is 1 (no Consul call per request): only more pairs separate it from the noise
  # of a shared machine.
  log "R1: $text (1 + $((PAIRS + 2)) pairs of $DURATION s, $CONNS connections)"
  jfr_start R1 "$(read_pid "facade-${FACADE_PORTS[0]}")"
  if ! interleave r1_running r1_paused 1 $((PAIRS + 2)); then
    jfr_stop R1
    unmeasured R1 "$text" "a run failed, see $BENCH_DIR"
    return 0
  fi
  jfr_stop R1
  read -r r lo hi a b < <(ratio_of_pairs)
  cpu_line R1 "GET running" "GET paused"
  result R1 "$text" "$r" ">=" 0.95 "pairs $lo-$hi; $b vs $a req/s; $B_ERRORS errors while paused, $A_ERRORS running" \
    "$((A_ERRORS + B_ERRORS))"
}

# ---- R2m ------------------------------------------------------------------------------------
r2m_off() { run_wrk "http://127.0.0.1:$R2M_OFF/facade" post-form "$CONNS" "$DURATION"; }
r2m_on() { run_wrk "http://127.0.0.1:$R2M_ON/facade" post-form "$CONNS" "$DURATION"; }

r2m() {
  local text="POST /facade throughput with metrics on (scraped every 2 s) / off" r lo hi a b scraper scrapes
  log "R2m: $text (facade :$R2M_ON, facade :$R2M_OFF LAB_METRICS=off)"
  if ! "$LAB" start "facade-$R2M_ON" facade "$R2M_ON" >>"$BENCH_DIR/r2m-start.log" 2>&1 \
    || ! LAB_METRICS=off "$LAB" start "facade-$R2M_OFF" facade "$R2M_OFF" >>"$BENCH_DIR/r2m-start.log" 2>&1; then
    unmeasured R2m "$text" "facades :$R2M_ON/:$R2M_OFF did not pass, see $BENCH_DIR/r2m-start.log"
    "$LAB" stop "facade-$R2M_ON" "facade-$R2M_OFF" >&2
    return 0
  fi
  load_pids
  # what Prometheus costs the instance: a scrape every 2 s, for the whole measurement
  (while :; do curl -s -o /dev/null "http://127.0.0.1:$R2M_ON/observe/metrics"; echo scrape; sleep 2; done) \
    >"$BENCH_DIR/r2m-scrapes.log" 2>&1 &
  scraper=$!
  local _
  for _ in 1 2 3; do
    run_wrk "http://127.0.0.1:$R2M_OFF/facade" post-form "$CONNS" "$WARMUP_SECONDS" || true
    run_wrk "http://127.0.0.1:$R2M_ON/facade" post-form "$CONNS" "$WARMUP_SECONDS" || true
  done
  if ! interleave r2m_off r2m_on; then
    kill "$scraper" 2>/dev/null || true
    unmeasured R2m "$text" "a run failed, see $BENCH_DIR"
    "$LAB" stop "facade-$R2M_ON" "facade-$R2M_OFF" >&2
    return 0
  fi
  kill "$scraper" 2>/dev/null || true
  scrapes="$(grep -c scrape "$BENCH_DIR/r2m-scrapes.log" || true)"
  "$LAB" stop "facade-$R2M_ON" "facade-$R2M_OFF" >&2
  load_pids
  read -r r lo hi a b < <(ratio_of_pairs)
  result R2m "$text" "$r" ">=" 0.95 \
    "pairs $lo-$hi; $b vs $a req/s; $scrapes scrapes; $((A_ERRORS + B_ERRORS)) errors" "$((A_ERRORS + B_ERRORS))"
}

# ---- R2 -------------------------------------------------------------------------------------
r2_off() { run_wrk "http://127.0.0.1:$R2_OFF/facade" post-form "$CONNS" "$DURATION"; }
r2_on() { run_wrk "http://127.0.0.1:$R2_ON/facade" post-form "$CONNS" "$DURATION"; }

r2() {
  local text="POST /facade throughput with tracing on / off" r lo hi a b s0 s1 bytes0 bytes1
  log "R2: $text (facade :$R2_ON always_on + OTLP to :$SINK_PORT, facade :$R2_OFF OTEL_SDK_DISABLED=true)"
  if ! OTEL_TRACES_SAMPLER=always_on OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT" \
      "$LAB" start "facade-$R2_ON" facade "$R2_ON" >>"$BENCH_DIR/r2-start.log" 2>&1 \
    || ! OTEL_SDK_DISABLED=true "$LAB" start "facade-$R2_OFF" facade "$R2_OFF" >>"$BENCH_DIR/r2-start.log" 2>&1; then
    unmeasured R2 "$text" "facades :$R2_ON/:$R2_OFF did not pass, see $BENCH_DIR/r2-start.log"
    "$LAB" stop "facade-$R2_ON" "facade-$R2_OFF" >&2
    return 0
  fi
  load_pids
  local _
  for _ in 1 2 3; do
    run_wrk "http://127.0.0.1:$R2_OFF/facade" post-form "$CONNS" "$WARMUP_SECONDS" || true
    run_wrk "http://127.0.0.1:$R2_ON/facade" post-form "$CONNS" "$WARMUP_SECONDS" || true
  done
  read -r s0 bytes0 < <(sink_requests)
  jfr_start R2 "$(read_pid "facade-$R2_ON")"
  if ! interleave r2_off r2_on; then
    jfr_stop R2
    unmeasured R2 "$text" "a run failed, see $BENCH_DIR"
    "$LAB" stop "facade-$R2_ON" "facade-$R2_OFF" >&2
    return 0
  fi
  jfr_stop R2
  read -r s1 bytes1 < <(sink_requests)
  "$LAB" stop "facade-$R2_ON" "facade-$R2_OFF" >&2
  load_pids
  if ((s1 <= s0)); then
    unmeasured R2 "$text" "no span export reached the OTLP sink on :$SINK_PORT"
    return 0
  fi
  read -r r lo hi a b < <(ratio_of_pairs)
  cpu_line R2 "tracing off (:$R2_OFF)" "tracing on (:$R2_ON)"
  result R2 "$text" "$r" ">=" 0.90 \
    "pairs $lo-$hi; $b vs $a req/s; $((s1 - s0)) OTLP exports, $(((bytes1 - bytes0) / 1024)) KiB; $((A_ERRORS + B_ERRORS)) errors" \
    "$((A_ERRORS + B_ERRORS))"
}

# ---- R3 -------------------------------------------------------------------------------------
r3_logging() { run_wrk "$LOGGING" post-logging "$CONNS" "$DURATION" "$(nonce)"; }
r3_facade() { run_wrk "$FACADE" post-form "$CONNS" "$DURATION"; }

r3() {
  local text="POST /facade / direct POST /logging throughput" r lo hi a b
  log "R3: $text ($PAIRS pairs of $DURATION s, $CONNS connections; :8081 directly)"
  jfr_start R3 "$(read_pid "facade-${FACADE_PORTS[0]}")"
  if ! interleave r3_logging r3_facade; then
    jfr_stop R3
    unmeasured R3 "$text" "a run failed, see $BENCH_DIR"
    return 0
  fi
  jfr_stop R3
  read -r r lo hi a b < <(ratio_of_pairs)
  cpu_line R3 "POST /logging" "POST /facade"
  # Retired as a goal (it measured CPU the design must spend); printed for information.
  RESULT[R3]="R3 $text = $r (pairs $lo-$hi; $b vs $a req/s; $((A_ERRORS + B_ERRORS)) errors) (retired goal >= 0.5: information only)"
  log "${RESULT[R3]}"
}

# ---- R4 -------------------------------------------------------------------------------------
r4() {
  local text="lab_settings queue_name change -> all 7 instances report it, max of $KV_CHANGES" ports=() inst out
  log "R4: $text"
  for inst in "${INSTANCES[@]}"; do ports+=("${inst##*-}"); done
  if ! out="$(python3 "$HELPER" kv-change "$CONSUL_URL" "$KV_CHANGES" "${ports[@]}" 2>&1)"; then
    unmeasured R4 "$text" "$(tail -n1 <<<"$out")"
    return 0
  fi
  local max median all
  max="$(kv max_ms "$out")"; median="$(kv median_ms "$out")"; all="$(kv all_ms "$out")"
  result R4 "$text" "$(awk -v m="$max" 'BEGIN { printf "%.2f", m / 1000 }')" "<=" 1 "s; median $median ms, each $all ms"
}

# kv KEY TEXT: the value of KEY=... in a line of key=value pairs.
kv() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -n1; }

# ---- R5 -------------------------------------------------------------------------------------
r5() {
  local text="kill -9 $R5_VICTIM -> out of logging-service?passing" port pid out dropped pids=() f
  local requests=0 errors=0 rc=0
  log "R5: $text, with GET+POST through both facades"
  port="${R5_VICTIM##*-}"
  pid="$(read_pid "$R5_VICTIM")"
  name_alive "$R5_VICTIM" || { unmeasured R5 "$text" "$R5_VICTIM is not running"; return 0; }
  local outs=()
  for f in "${FACADE_PORTS[@]}"; do
    WRK_N=$((WRK_N + 1))
    outs+=("$BENCH_DIR/wrk-$(printf '%03d' "$WRK_N")-r5-$f.txt")
    wrk -t1 -c4 -d"${R5_SECONDS}s" --timeout 10s -s "$LUA" "http://127.0.0.1:$f/facade" -- mix >"${outs[-1]}" 2>&1 &
    pids+=($!)
  done
  sleep 2
  out="$(python3 "$HELPER" failover "$CONSUL_URL" logging-service "$port" "$pid" 2>&1)" || rc=1
  for f in "${pids[@]}"; do wait "$f" || rc=1; done
  for f in "${outs[@]}"; do
    local line n e
    line="$(grep '^WRK ' "$f" | tail -n1)" || true
    [[ -n "$line" ]] || { rc=1; continue; }
    n="$(kv requests "$line")"
    e=$(($(kv status_errors "$line") + $(kv connect "$line") + $(kv read "$line") + $(kv write "$line") + $(kv timeout "$line")))
    requests=$((requests + n))
    errors=$((errors + e))
  done
  log "restarting $R5_VICTIM (compose/local.sh restart)"
  "$LAB" restart "$R5_VICTIM" >>"$BENCH_DIR/restart.log" 2>&1 \
    || log "could not restart $R5_VICTIM (see $BENCH_DIR/restart.log)"
  load_pids
  dropped="$(kv dropped_ms "$out")"
  if ((rc != 0)) || [[ -z "$dropped" ]]; then
    unmeasured R5 "$text" "$(tail -n1 <<<"$out"); wrk: ${outs[*]}"
    return 0
  fi
  result R5 "$text" "$(awk -v m="$dropped" 'BEGIN { printf "%.2f", m / 1000 }')" "<=" "$TTL_S" \
    "s; $errors errors in $requests GET/POST through both facades over $R5_SECONDS s around the kill" "$errors"
}

# ---- R6 -------------------------------------------------------------------------------------
r6_start() {
  local text="fresh logging instance (--port 0): process start -> passing in Consul, max of $R6_RUNS" out max
  log "R6a: $text"
  local command=()
  mapfile -t command < <("$LAB" command logging 0)
  if ! out="$(CONSUL_HTTP_ADDR="${CONSUL_URL#http://}" python3 "$HELPER" start-to-passing "$CONSUL_URL" \
      logging-service "$R6_RUNS" "$PID_DIR/logging-extra.pid" "$LOG_DIR/logging-extra.log" \
      -- "${command[@]}" 2>&1)"; then
    unmeasured R6a "$text" "$(tail -n1 <<<"$out")"
    return 0
  fi
  max="$(kv max_ms "$out")"
  result R6a "$text" "$(awk -v m="$max" 'BEGIN { printf "%.2f", m / 1000 }')" "<=" 1 \
    "s; median $(kv median_ms "$out") ms, each $(kv all_ms "$out") ms; machine busy before each $(kv busy_before_pct "$out") %"
}

r6_rss() {
  local text="RSS per instance, max of ${#INSTANCES[@]} after all the load" inst name pid kb max=0 each=()
  for inst in "${INSTANCES[@]}"; do
    name="$inst"
    pid="$(read_pid "$name")"
    kb="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)"
    if [[ -z "$kb" ]]; then
      unmeasured R6b "$text" "no VmRSS for $name (pid $pid)"
      return 0
    fi
    each+=("$name $((kb / 1024))")
    if ((kb > max)); then max=$kb; fi
  done
  result R6b "$text" "$((max / 1024))" "<=" 160 "MiB; $(IFS=,; printf '%s' "${each[*]}" | sed 's/,/, /g') MiB"
}

r6c_old_get() { run_wrk "http://127.0.0.1:$R6C_OLD/facade" get "$CONNS" "$DURATION"; }
r6c_new_get() { run_wrk "http://127.0.0.1:$R6C_NEW/facade" get "$CONNS" "$DURATION"; }
r6c_old_post() { run_wrk "http://127.0.0.1:$R6C_OLD/facade" post-form "$CONNS" "$DURATION"; }
r6c_new_post() { run_wrk "http://127.0.0.1:$R6C_NEW/facade" post-form "$CONNS" "$DURATION"; }

r6c() {
  local text="GET and POST /facade throughput, the instances' JVM settings / as before (-Xmx256m, no AOT cache)"
  local get post glo ghi ga gb plo phi pa pb errors _
  log "R6c: $text (facade :$R6C_NEW as the lab's, facade :$R6C_OLD baseline)"
  if ! "$LAB" start "facade-$R6C_NEW" facade "$R6C_NEW" >>"$BENCH_DIR/r6c-start.log" 2>&1 \
    || ! "$LAB" start "facade-$R6C_OLD" facade "$R6C_OLD" baseline >>"$BENCH_DIR/r6c-start.log" 2>&1; then
    unmeasured R6c "$text" "facades :$R6C_NEW/:$R6C_OLD did not pass, see $BENCH_DIR/r6c-start.log"
    "$LAB" stop "facade-$R6C_NEW" "facade-$R6C_OLD" >&2
    return 0
  fi
  # the JIT of both fresh JVMs warms alike: two minutes of GET and POST each, in turn (2 cores: the JIT
  # needs 1-2 minutes of load; with one minute the cached side, compiled early from the training's
  # profiles, was still behind: GET 0.73 in the first run of this line)
  for _ in 1 2 3 4 5 6; do
    run_wrk "http://127.0.0.1:$R6C_OLD/facade" mix "$CONNS" 20 || true
    run_wrk "http://127.0.0.1:$R6C_NEW/facade" mix "$CONNS" 20 || true
  done
  # 2 more pairs than the other ratios: one 8 s run of a side scatters by up to 15% on this
  # machine, and R6c takes the lower of two ratios (docs/benchmarks.md, bench run 22)
  if ! interleave r6c_old_get r6c_new_get 0 $((PAIRS + 2)); then
    unmeasured R6c "$text" "a run failed, see $BENCH_DIR"
    "$LAB" stop "facade-$R6C_NEW" "facade-$R6C_OLD" >&2
    return 0
  fi
  read -r get glo ghi ga gb < <(ratio_of_pairs)
  errors=$((A_ERRORS + B_ERRORS))
  if ! interleave r6c_old_post r6c_new_post 0 $((PAIRS + 2)); then
    unmeasured R6c "$text" "a run failed, see $BENCH_DIR"
    "$LAB" stop "facade-$R6C_NEW" "facade-$R6C_OLD" >&2
    return 0
  fi
  read -r post plo phi pa pb < <(ratio_of_pairs)
  errors=$((errors + A_ERRORS + B_ERRORS))
  "$LAB" stop "facade-$R6C_NEW" "facade-$R6C_OLD" >&2
  result R6c "$text" "$(awk -v g="$get" -v p="$post" 'BEGIN { printf "%.2f", (g < p ? g : p) }')" ">=" 0.95 \
    "GET $get (pairs $glo-$ghi; $gb vs $ga req/s), POST $post (pairs $plo-$phi; $pb vs $pa req/s); $errors errors" "$errors"
}

# ---- R7 -------------------------------------------------------------------------------------
jmh_build() {
  local jar="$JMH_DIR/target/jmh-bench.jar"
  if [[ -f "$jar" && -z "$(find "$JMH_DIR/src" "$JMH_DIR/pom.xml" "$REPO_ROOT/shared-config/target/classes" -newer "$jar" -print -quit)" ]]; then
    return 0
  fi
  log "building the JMH benchmark (compose/bench/jmh)"
  # maven-jar-plugin leaves an up-to-date jar alone: touch it so the check above sees this build.
  (cd "$JMH_DIR" && { mvn -B -q -o package || mvn -B -q package; } && touch "$jar") >"$BENCH_DIR/jmh-build.log" 2>&1
}

r7() {
  local text_a="health change of 1 of $SYNTH_COUNT instances -> HealthyInstances cache, max of 5"
  local text_b="HealthyInstances.pick(Set.of()) cost with $SYNTH_COUNT / 3 instances (JMH avgt)"
  local out cp
  log "R7: registering $SYNTH_COUNT instances of $SYNTH_SERVICE and 3 of $SYNTH_SMALL"
  if ! out="$(python3 "$HELPER" register "$CONSUL_URL" "$SYNTH_SERVICE" "$SYNTH_COUNT" 20000 2>&1)" \
      || ! python3 "$HELPER" register "$CONSUL_URL" "$SYNTH_SMALL" 3 30000 >/dev/null 2>&1; then
    unmeasured R7a "$text_a" "registration failed: $(tail -n1 <<<"$out")"
    unmeasured R7b "$text_b" "registration failed"
    return 0
  fi
  log "  $out"
  out="$(python3 "$HELPER" health-size "$CONSUL_URL" "$SYNTH_SERVICE" 2>&1)" || true
  EST_LINES+=("EST $SYNTH_SERVICE?passing answer: $out (from the Consul -dev agent)")
  log "  $out"
  cp="$REPO_ROOT/shared-config/target/classes:$REPO_ROOT/logging/target/libs/*"
  if out="$("$JAVA" -cp "$cp" "$BENCH_HOME/bench/HealthChange.java" "$CONSUL_URL" "$SYNTH_SERVICE" "$SYNTH_COUNT" 5 2>&1)" \
      && [[ -n "$(kv fail_max_ms "$out")" ]]; then
    result R7a "$text_a" "$(awk -v m="$(kv fail_max_ms "$out")" 'BEGIN { printf "%.2f", m / 1000 }')" "<=" 1 \
      "s; fail each $(kv fail_ms "$out") ms, pass again each $(kv pass_ms "$out") ms"
  else
    unmeasured R7a "$text_a" "$(tail -n1 <<<"$out")"
  fi

  if ! jmh_build; then
    unmeasured R7b "$text_b" "JMH build failed, see $BENCH_DIR/jmh-build.log"
    return 0
  fi
  # Two JMH runs, 3 then 1,000 and 1,000 then 3, so drift of a shared machine hits both sizes alike.
  log "R7b: JMH PickBenchmark, twice (1 fork, 3 x 1 s warm-up, 5 x 1 s measurement per size)"
  local order
  for order in 3,1000 1000,3; do
    if ! "$JAVA" -cp "$JMH_DIR/target/jmh-bench.jar:$JMH_DIR/target/libs/*:$cp" org.openjdk.jmh.Main PickBenchmark \
        -p instances="$order" -f 1 -wi 3 -w 1s -i 5 -r 1s -t 1 -rf json -rff "$BENCH_DIR/jmh-${order/,/-}.json" \
        >"$BENCH_DIR/jmh-${order/,/-}.log" 2>&1; then
      unmeasured R7b "$text_b" "JMH failed, see $BENCH_DIR/jmh-${order/,/-}.log"
      return 0
    fi
  done
  # The ratio is of the medians of all 10 iterations per size (means +- 99.9% CI of the runs shown too).
  local small="" small_med="" small_err="" large="" large_med="" large_err="" p s e m
  while read -r p s e m; do
    if [[ "$p" == 3 ]]; then small="$s"; small_err="$e"; small_med="$m"; else large="$s"; large_err="$e"; large_med="$m"; fi
  done < <(python3 "$HELPER" jmh "$BENCH_DIR/jmh-3-1000.json" "$BENCH_DIR/jmh-1000-3.json")
  if [[ -z "$small_med" || -z "$large_med" ]]; then
    unmeasured R7b "$text_b" "no JMH scores in $BENCH_DIR/jmh.json"
    return 0
  fi
  result R7b "$text_b" "$(awk -v l="$large_med" -v s="$small_med" 'BEGIN { printf "%.2f", l / s }')" "<=" 1.1 \
    "$(awk -v l="$large_med" -v s="$small_med" -v la="$large" -v le="$large_err" -v sa="$small" -v se="$small_err" \
        'BEGIN { printf "median %.2f vs %.2f ns per pick; means %s +- %s vs %s +- %s ns", l, s, la, le, sa, se }')"
}

# ---- R7c/R7d: a real cluster at scale ----------------------------------------------------------
r7_cluster() {
  local count="${BENCH_SCALE:-10000}" compared="${BENCH_SCALE_COMPARED:-5000}" watchers=10 out cp consul_bin
  local text_c="on a 3-server cluster, health change of 1 of $count instances -> all $watchers watchers' caches, the lab's reads (agent cache) of one shard (1/20), max of 6"
  local text_d="Consul bytes written per health change, $compared instances, $watchers watchers: the lab's reads (agent cache) of one shard / the former reads (leader, whole service), their changes alone"
  cp="$REPO_ROOT/compose/launcher/target/classes:$REPO_ROOT/shared-config/target/classes:$REPO_ROOT/logging/target/libs/*"
  consul_bin="$("$BENCH_HOME/install-consul.sh" 2>/dev/null)"
  # R7c: the lab's reads at full size. (The former reads never hold 10,000 instances here: see docs/scale.md.)
  log "R7c: $count instances on a Consul cluster of 3 servers and 3 client agents (127.0.3.x), $watchers watchers"
  if out="$(CONSUL_BIN="$consul_bin" "$JAVA" -cp "$cp" "$BENCH_HOME/bench/ClusterScale.java" "$count" "$watchers" 3 new \
        2>"$BENCH_DIR/cluster-scale-$count.log")" && [[ -n "$(kv new_change_max_ms "$out")" ]]; then
    log "  $out"
    EST_LINES+=("EST cluster scale: $out")
    result R7c "$text_c" "$(awk -v m="$(kv new_change_max_ms "$out")" 'BEGIN { printf "%.2f", m / 1000 }')" "<=" 1 \
      "s; each $(kv new_change_ms "$out") ms; $(kv new_bytes_per_change "$out") bytes per change; registered in $(kv register_s "$out") s"
  else
    unmeasured R7c "$text_c" "see $BENCH_DIR/cluster-scale-$count.log"
  fi
  # R7d: both ways of reading, at a size where the former one still answers.
  log "R7d: $compared instances, former reads then the lab's, $watchers watchers"
  if ! out="$(CONSUL_BIN="$consul_bin" "$JAVA" -cp "$cp" "$BENCH_HOME/bench/ClusterScale.java" "$compared" "$watchers" 3 \
        2>"$BENCH_DIR/cluster-scale-$compared.log")" || [[ -z "$(kv new_bytes_per_change "$out")" ]]; then
    unmeasured R7d "$text_d" "see $BENCH_DIR/cluster-scale-$compared.log"
    return 0
  fi
  log "  $out"
  EST_LINES+=("EST cluster scale: $out")
  if [[ -z "$(kv former_quiet_bytes_per_change "$out")" ]]; then
    unmeasured R7d "$text_d" "the former reads never held the whole service: $(sed -n 's/.*former_failed="\([^"]*\)".*/\1/p' <<<"$out")"
    return 0
  fi
  # The former side is its reads with waits that do not end during the measurement: a change costs them the
  # same, but their 10 s waits saturate the servers at rest (7-25 s per change), and subtracting that rest
  # from such long windows leaves noise. Their count with 10 s waits is printed too.
  result R7d "$text_d" "$(awk -v n="$(kv new_bytes_per_change "$out")" -v f="$(kv former_quiet_bytes_per_change "$out")" 'BEGIN { printf "%.3f", n / f }')" "<=" 0.1 \
    "$(awk -v n="$(kv new_bytes_per_change "$out")" -v f="$(kv former_quiet_bytes_per_change "$out")" -v c="$(kv former_bytes_per_change "$out")" -v nr="$(kv new_rest_bytes_per_s "$out")" -v fr="$(kv former_rest_bytes_per_s "$out")" \
        'BEGIN { printf "%.2f vs %.1f MB per change (with 10 s waits, counted beyond their rest: %.1f MB); at rest %.2f vs %.1f MB/s", n / 1e6, f / 1e6, c / 1e6, nr / 1e6, fr / 1e6 }'); change max $(kv new_change_max_ms "$out") vs $(kv former_quiet_change_max_ms "$out") ms (with 10 s waits $(kv former_change_max_ms "$out") ms)"
}

# ---- R8-R11: reads as the history grows --------------------------------------------------------
lab_ports() {
  local inst
  for inst in "${INSTANCES[@]}"; do printf '%s\n' "${inst##*-}"; done
}

# set_setting KEY JSON: lab_settings' KEY := JSON, returns once all 7 instances report it.
set_setting() {
  # shellcheck disable=SC2046 # one argument per port
  python3 "$HELPER" set "$CONSUL_URL" "$1" "$2" $(lab_ports) >>"$BENCH_DIR/settings.log" 2>&1 \
    || { log "lab_settings $1 := $2 did not reach every instance (see $BENCH_DIR/settings.log)"; return 1; }
}

stored() { python3 "$HELPER" total "$LOGGING"; }

# fill_history N: POST /facade load, both facades in turn, until logging lists at least N messages.
fill_history() {
  local target="$1" have i=0
  have="$(stored)"
  log "POST /facade until $target messages are stored (now $have)"
  while ((have < target)); do
    run_wrk "http://127.0.0.1:${FACADE_PORTS[$((i % ${#FACADE_PORTS[@]}))]}/facade" post-form "$CONNS" 10 || return 1
    i=$((i + 1))
    have="$(stored)"
  done
  log "  $have messages stored"
}

# heap_after_gc: "MAX_KiB each" - the used heap of each of the 7 instances right after a full GC.
heap_after_gc() {
  local inst name pid used max=0 each=() jcmd
  jcmd="$(dirname "$JAVA")/jcmd"
  for inst in "${INSTANCES[@]}"; do
    name="$inst"
    pid="$(read_pid "$name")"
    "$jcmd" "$pid" GC.run >/dev/null 2>&1 || return 1
    # every generation's "total NK, used NK" line (G1: one heap line; Serial: DefNew and Tenured)
    used="$("$jcmd" "$pid" GC.heap_info 2>/dev/null \
      | awk '/^[^ ].* total [0-9]+K, used [0-9]+K/ { for (i = 1; i < NF; i++) if ($i == "used") sum += $(i + 1) + 0 }
             END { if (sum > 0) print sum }')"
    [[ -n "$used" ]] || return 1
    each+=("$name $((used / 1024))")
    if ((used > max)); then max=$used; fi
  done
  printf '%s %s\n' "$max" "$(IFS=,; printf '%s' "${each[*]}" | sed 's/,/, /g')"
}

HEAP_EARLY=""
r10_early() {
  local have
  have="$(stored)"
  if ((have < EARLY_HISTORY)); then
    python3 "$HELPER" seed $((EARLY_HISTORY - have)) "${FACADE_PORTS[@]}" >>"$BENCH_DIR/seed.log" 2>&1 || return 0
  fi
  HEAP_EARLY="$(heap_after_gc)" || HEAP_EARLY=""
  log "R10: used heap after a full GC with $(stored) messages stored (KiB max; MiB each): $HEAP_EARLY"
}

r10() {
  local text="largest used heap after a full GC of the 7 instances, $HISTORY messages / $EARLY_HISTORY" late
  if [[ -z "$HEAP_EARLY" ]] || ! late="$(heap_after_gc)"; then
    unmeasured R10 "$text" "jcmd GC.run / GC.heap_info failed"
    return 0
  fi
  result R10 "$text" "$(awk -v l="${late%% *}" -v e="${HEAP_EARLY%% *}" 'BEGIN { printf "%.2f", l / e }')" "<=" 1.5 \
    "$((${late%% *} / 1024)) vs $((${HEAP_EARLY%% *} / 1024)) MiB; after: ${late#* } MiB; before: ${HEAP_EARLY#* } MiB"
}

LARGE_MAP=""
r8_small() { set_setting map_name "\"$SMALL_MAP\"" && run_wrk "$PAGE" get "$CONNS" "$DURATION"; }
r8_large() { set_setting map_name "\"$LARGE_MAP\"" && run_wrk "$PAGE" get "$CONNS" "$DURATION"; }

r8() {
  local text="GET /facade?limit=100 throughput, $HISTORY stored / $SMALL_HISTORY stored" r lo hi a b large small
  LARGE_MAP="$(curl -fsS "$CONSUL_URL/v1/kv/lab_settings?raw" | python3 -c 'import json, sys; print(json.load(sys.stdin)["map_name"])')"
  large="$(stored)"
  log "R8: $text (map_name $LARGE_MAP with $large messages / $SMALL_MAP, switched live before each run)"
  set_setting map_name "\"$SMALL_MAP\"" || { unmeasured R8 "$text" "map_name switch failed"; return 0; }
  python3 "$HELPER" seed "$SMALL_HISTORY" "${FACADE_PORTS[@]}" >>"$BENCH_DIR/seed.log" 2>&1
  small="$(stored)"
  if ! interleave r8_small r8_large 1; then
    set_setting map_name "\"$LARGE_MAP\"" || true
    unmeasured R8 "$text" "a run failed, see $BENCH_DIR"
    return 0
  fi
  set_setting map_name "\"$LARGE_MAP\"" || true
  read -r r lo hi a b < <(ratio_of_pairs)
  cpu_line R8 "$small stored" "$large stored"
  result R8 "$text" "$r" ">=" 0.8 "pairs $lo-$hi; $b vs $a req/s; $small / $large listed; $((A_ERRORS + B_ERRORS)) errors" \
    "$((A_ERRORS + B_ERRORS))"
}

r9_bare() { run_wrk "$BARE" get "$CONNS" "$DURATION"; }
r9_page() { run_wrk "$PAGE" get "$CONNS" "$DURATION"; }

r9() {
  local text="GET /facade?limit=100 / GET /observe/health/live throughput, same facade" r lo hi a b
  log "R9: $text ($(stored) stored)"
  if ! interleave r9_bare r9_page 1; then
    unmeasured R9 "$text" "a run failed, see $BENCH_DIR"
    return 0
  fi
  read -r r lo hi a b < <(ratio_of_pairs)
  cpu_line R9 "bare route" "GET /facade?limit=100"
  result R9 "$text" "$r" ">=" 0.10 "pairs $lo-$hi; $b vs $a req/s; $((A_ERRORS + B_ERRORS)) errors" "$((A_ERRORS + B_ERRORS))"
}

r11() {
  local text="POST on one facade -> on the other's GET ?limit=100, p99 of $FRESHNESS_TRIES" out
  log "R11: $text"
  if ! out="$(python3 "$HELPER" freshness "$FRESHNESS_TRIES" "${FACADE_PORTS[0]}" "${FACADE_PORTS[1]}" 2>&1)"; then
    unmeasured R11 "$text" "$(tail -n1 <<<"$out")"
    return 0
  fi
  result R11 "$text" "$(awk -v m="$(kv p99_ms "$out")" 'BEGIN { printf "%.3f", m / 1000 }')" "<=" 1 \
    "s; p50 $(kv p50_ms "$out") ms, max $(kv max_ms "$out") ms, $(kv under_50ms "$out") of $FRESHNESS_TRIES under 50 ms"
}

# ---- main -------------------------------------------------------------------------------------
bench_main() {
  mkdir -p "$BENCH_DIR" "$LOG_DIR" "$PID_DIR"
  rm -f "$BENCH_DIR"/wrk-*.txt
  preflight
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  start_sink
  start_lab

  log "warm-up: GET /facade for $GET_WARMUP_SECONDS s on :${FACADE_PORTS[0]}, $WARMUP_SECONDS s on the others"
  local p
  for p in "${FACADE_PORTS[@]}"; do
    run_wrk "http://127.0.0.1:$p/facade" get "$CONNS" "$([[ "$p" == "${FACADE_PORTS[0]}" ]] && echo "$GET_WARMUP_SECONDS" || echo "$WARMUP_SECONDS")" || true
  done
  log "latency: GET /facade at 1, 16, 64 connections, $LAT_SECONDS s each"
  latency GET get
  r10_early
  r1
  r5
  r4
  r6_start
  log "warm-up: POST /facade for $((2 * WARMUP_SECONDS)) s and POST /logging for $WARMUP_SECONDS s"
  run_wrk "$FACADE" post-form "$CONNS" "$((2 * WARMUP_SECONDS))" || true
  run_wrk "$LOGGING" post-logging "$CONNS" "$WARMUP_SECONDS" "$(nonce)" || true
  log "latency: POST /facade at 1, 16, 64 connections, $LAT_SECONDS s each"
  latency POST post-form
  r3
  r2
  r2m
  fill_history "$HISTORY" || log "could not store $HISTORY messages"
  r10
  r8
  r9
  r11
  r7
  r7_cluster
  r6_rss
  r6c
  print_results
  log "done in $((SECONDS - T_START)) s"
  return "$UNMEASURED"
}

bench_main "$@"
