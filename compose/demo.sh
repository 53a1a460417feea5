#!/usr/bin/env bash
# Replays the lab's walkthrough against the lab `compose/local.sh up` started: POSTs over both
# facades, GETs, each messages instance's share, then kill -9 of one logging and one messages
# instance, Consul dropping them, and the same traffic on the survivors.
#
#   compose/local.sh demo     (or compose/demo.sh)
#
# The lab's layout (ports, names, pids) comes from the launcher (`compose/local.sh env`, `pids`).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
RUN_DIR="$SCRIPT_DIR/.run"
# shellcheck source=compose/layout.sh
source "$SCRIPT_DIR/layout.sh"

say() { printf '%s\n' "$*"; }
die() { printf 'demo.sh: ERROR: %s\n' "$*" >&2; exit 1; }
module_of() { printf '%s' "${1%-*}"; }
port_of() { printf '%s' "${1##*-}"; }
service_name() { printf '%s-service' "$1"; }

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
        DEMO_NAME_OF["$sid"]="$inst"
        DEMO_ID_OF["$inst"]="$sid"
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
  load_pids
  name_alive consul || die "the lab is not running (no live consul started by 'up'); start it first: compose/local.sh up"
  leader="$(curl -fsS --max-time 3 "$CONSUL_URL/v1/status/leader" 2>/dev/null || true)"
  [[ -n "$leader" && "$leader" != '""' ]] || die "consul at $CONSUL_URL does not answer; restart the lab: compose/local.sh down && compose/local.sh up"
  for module in "${SERVICE_MODULES[@]}"; do
    n="$(demo_passing "$module" | wc -l)"
    ((n > 0)) || die "the lab is not up: $(service_name "$module") has no passing instance (see compose/local.sh status); restart it: compose/local.sh down && compose/local.sh up"
  done
  for inst in "${INSTANCES[@]}"; do
    [[ "$(module_of "$inst")" == facade ]] || continue
    demo_passing facade | grep -qx "$inst" \
      || die "the lab is not up: $inst is not passing in Consul (see compose/local.sh status); restart it: compose/local.sh down && compose/local.sh up"
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
    name="$inst"
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
  local name pid
  for name in "$@"; do
    pid="$(read_pid "$name")"
    if ! name_alive "$name"; then
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
    name_alive "$inst" || dead+=("$inst")
  done
  if ((${#dead[@]} > 0)); then
    say "  not running: ${dead[*]} (compose/local.sh status shows them DEAD)"
    say "  to get them back:  compose/local.sh restart ${dead[*]}"
  fi
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


do_demo
