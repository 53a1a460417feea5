#!/usr/bin/env bash
# Runs the whole lab on this machine without Docker: a real Consul agent (dev
# mode), a 3-member Hazelcast cluster and the 7 service instances, each as a
# plain background process.
#
#   compose/local.sh up          build if needed, start everything, wait until
#                                Consul reports every instance passing
#   compose/local.sh up --secure the same, Consul locked down: HTTPS only with client
#                                certificates, ACLs default deny, a token per service
#   compose/local.sh up --cluster  3 Consul servers and 3 hosts with their agents
#   compose/local.sh down        stop everything `up` started (idempotent)
#   compose/local.sh status      processes and Consul health of every instance
#   compose/local.sh logs NAME   follow compose/.run/logs/NAME.log
#   compose/local.sh demo        replay the lab's walkthrough on the running system
#                                (kills one logging and one messages instance)
#   compose/local.sh restart NAME...  start killed instances again (logging-8085, ...)
#                                and wait until they are passing
#   compose/local.sh help        every command (a few more are there for scripts)
#
# Logs: compose/.run/logs/<name>.log   pids: compose/.run/pids/<name>.pid
#
# Environment:
#   JAVA_HOME                  preferred JDK (must be 21+)
#   HAZELCAST_JAR              Hazelcast jar for the members (default:
#                              compose/launcher/target/hazelcast/hazelcast.jar)
#   OTEL_*                     passed through to the services (exported vars);
#                              with OTEL_EXPORTER_OTLP_ENDPOINT set, the Jaeger
#                              UI URL is printed too
#   UP_TIMEOUT                 seconds to wait for all instances (default 120)
#
# This script only finds a JDK, builds what is missing and hands over to the
# launcher (compose/launcher, Java), which the tests use too: it starts, waits
# for and stops the processes. `logs` and `demo` (compose/demo.sh) are scripts.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(dirname "$SCRIPT_DIR")"
LOG_DIR="$SCRIPT_DIR/.run/logs"
LAUNCHER="$REPO_ROOT/compose/launcher/target/launcher.jar"
MIN_JAVA=21

die() { printf 'local.sh: ERROR: %s\n' "$*" >&2; exit 1; }

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

# Builds the launcher and the services' jars when one is missing.
build_if_needed() {
  local jar missing=()
  for jar in "$LAUNCHER" "$REPO_ROOT/compose/launcher/target/hazelcast/hazelcast.jar" \
             "$REPO_ROOT/facade/target/facade.jar" "$REPO_ROOT/logging/target/logging.jar" \
             "$REPO_ROOT/messages/target/messages.jar"; do
    [[ -f "$jar" ]] || missing+=("${jar#"$REPO_ROOT"/}")
  done
  ((${#missing[@]} > 0)) || return 0
  command -v mvn >/dev/null 2>&1 || die "missing ${missing[*]} and mvn is not installed"
  printf 'building (missing: %s): mvn -B -q -DskipTests package\n' "${missing[*]}"
  (cd "$REPO_ROOT" && mvn -B -q -DskipTests package) || die "build failed (mvn -B -q -DskipTests package)"
}

follow_log() {
  local name="${1%.log}" f
  if [[ -z "$name" || ! -f "$LOG_DIR/$name.log" ]]; then
    [[ -z "$name" ]] || printf "local.sh: no log named '%s'\n" "$name" >&2
    printf 'local.sh: logs in %s:\n' "$LOG_DIR" >&2
    for f in "$LOG_DIR"/*.log; do
      [[ -e "$f" ]] && printf '  %s\n' "$(basename "$f" .log)" >&2
    done
    exit 2
  fi
  exec tail -n 100 -F "$LOG_DIR/$name.log"
}

case "${1:-}" in
  logs) follow_log "${2:-}" ;;
  demo) exec "$SCRIPT_DIR/demo.sh" ;;
  up | _infra)
    # the project's own consul 1.8.7 (installed on first use); the launcher finds it in .tools/bin
    CONSUL_BIN="$("$SCRIPT_DIR/install-consul.sh")" || die "compose/install-consul.sh failed"
    export CONSUL_BIN
    ;;
esac
find_java
build_if_needed
exec "$JAVA" -Dlab.home="$REPO_ROOT" -jar "$LAUNCHER" "$@"
