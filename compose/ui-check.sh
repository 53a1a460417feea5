#!/usr/bin/env bash
# Checks Consul's web UI in a real headless browser: opens <URL>dc1/services in Chromium,
# waits (in real time) until the lab's services are listed, checks that each shows its
# expected number of instances with passing health, opens each service's instances page and
# checks every instance's service checks pass, saves a screenshot of the services list, and
# prints PASS/FAIL lines. Exit 0 when all pass, 1 when a check failed, 2 when it could not run.
#
#   compose/ui-check.sh [URL] [--screenshot FILE] [--timeout SECONDS] [--expect NAME=COUNT]...
#
#   URL           Consul UI (default http://127.0.0.1:8500/ui/)
#   --screenshot  PNG of the services list (default compose/.run/consul-ui.png)
#   --timeout     seconds to wait for the services list (default 60)
#   --expect      a service and its instance count; repeatable (default: the lab's
#                 facade-service=2 logging-service=3 messages-service=2)
#
# Needs node 20+ (the DevTools protocol is spoken with its built-in WebSocket) and Debian's
# chromium, which it installs with apt-get when missing (as root).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
URL="http://127.0.0.1:8500/ui/"
SCREENSHOT="$SCRIPT_DIR/.run/consul-ui.png"
TIMEOUT=60
EXPECT=()
DEFAULT_EXPECT=(facade-service=2 logging-service=3 messages-service=2)
DEVTOOLS_TIMEOUT=30

die() { printf 'ui-check.sh: ERROR: %s\n' "$*" >&2; exit 2; }
say() { printf '%s\n' "$*"; }

usage() {
  sed -n '8,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while (($# > 0)); do
  case "$1" in
    --screenshot) (($# >= 2)) || usage; SCREENSHOT="$2"; shift 2 ;;
    --timeout) (($# >= 2)) || usage; TIMEOUT="$2"; shift 2 ;;
    --expect) (($# >= 2)) || usage; EXPECT+=("$2"); shift 2 ;;
    -h | --help) usage ;;
    -*) usage ;;
    *) URL="$1"; shift ;;
  esac
done
((${#EXPECT[@]} > 0)) || EXPECT=("${DEFAULT_EXPECT[@]}")
[[ "$URL" == */ ]] || URL="$URL/"
[[ "$TIMEOUT" =~ ^[0-9]+$ && "$TIMEOUT" -gt 0 ]] || die "--timeout wants a number of seconds, got '$TIMEOUT'"

# ---- prerequisites ---------------------------------------------------------------
command -v curl >/dev/null 2>&1 || die "curl is required"
command -v python3 >/dev/null 2>&1 || die "python3 is required (to find a free port)"
command -v node >/dev/null 2>&1 || die "node 20+ is required (apt-get install nodejs)"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
((NODE_MAJOR >= 20)) || die "node $NODE_MAJOR is too old: the built-in WebSocket needs node 20+"

find_chromium() {
  local c
  for c in chromium chromium-browser; do
    if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return 0; fi
  done
  return 1
}

if ! CHROMIUM="$(find_chromium)"; then
  ((EUID == 0)) || die "chromium is not installed and installing it needs root: sudo apt-get update && sudo apt-get install -y chromium"
  say "installing chromium (apt-get update && apt-get install -y chromium) ..."
  apt-get update -qq >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 || die "apt-get install -y chromium failed"
  CHROMIUM="$(find_chromium)" || die "chromium is still missing after apt-get install"
fi

if ! curl -fsS --max-time 5 -o /dev/null "$URL" 2>/dev/null; then
  say "FAIL  $URL does not answer (is the lab up? compose/local.sh up)"
  exit 1
fi

# ---- the browser -----------------------------------------------------------------
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

PROFILE="$(mktemp -d "${TMPDIR:-/tmp}/ui-check-chromium.XXXXXX")"
BROWSER_LOG="$PROFILE.log"
BROWSER_PID=""

# Stops the browser this script started (by its pid, then any of its processes still using
# our private profile directory), and removes the profile. Runs from the EXIT trap.
# shellcheck disable=SC2317
cleanup() {
  local rc=$? pid i
  if [[ -n "$BROWSER_PID" ]] && kill -0 "$BROWSER_PID" 2>/dev/null; then
    kill -TERM "$BROWSER_PID" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do
      kill -0 "$BROWSER_PID" 2>/dev/null || break
      sleep 0.25
    done
    kill -KILL "$BROWSER_PID" 2>/dev/null || true
    wait "$BROWSER_PID" 2>/dev/null || true
  fi
  # Its helpers (zygote, renderer, crashpad) carry our profile path and follow it within a
  # moment; kill, by pid, any that do not.
  for ((i = 0; i < 20; i++)); do
    pgrep -f -- "--user-data-dir=$PROFILE" >/dev/null || break
    sleep 0.25
  done
  for pid in $(pgrep -f -- "--user-data-dir=$PROFILE" || true); do
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$PROFILE" "$BROWSER_LOG"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT="$(free_port)"
say "chromium: $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null | head -n1)), DevTools on 127.0.0.1:$PORT"
"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --remote-debugging-port="$PORT" --user-data-dir="$PROFILE" about:blank \
  >"$BROWSER_LOG" 2>&1 </dev/null &
BROWSER_PID=$!

deadline=$((SECONDS + DEVTOOLS_TIMEOUT))
until curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$PORT/json/version" 2>/dev/null; do
  if ! kill -0 "$BROWSER_PID" 2>/dev/null; then
    tail -n 20 "$BROWSER_LOG" >&2
    die "chromium exited during start (log above)"
  fi
  if ((SECONDS >= deadline)); then
    tail -n 20 "$BROWSER_LOG" >&2
    die "chromium's DevTools endpoint did not answer within ${DEVTOOLS_TIMEOUT}s"
  fi
  sleep 0.25
done

# ---- the check -------------------------------------------------------------------
node_args=(--port "$PORT" --url "$URL" --screenshot "$SCREENSHOT" --timeout "$TIMEOUT")
for e in "${EXPECT[@]}"; do node_args+=(--expect "$e"); done
rc=0
node --experimental-websocket --no-warnings "$SCRIPT_DIR/ui-check.mjs" "${node_args[@]}" || rc=$?
exit "$rc"
