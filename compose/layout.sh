# shellcheck shell=bash
# Sourced by demo.sh and bench.sh: the lab's layout and its processes' pids, as the launcher knows
# them (`compose/local.sh env` and `pids`, which build what is missing first). Sets LAB (local.sh),
# CONSUL_URL, JAVA, LOG_DIR, INSTANCES (names such as logging-8081), FACADE_PORTS, SERVICE_MODULES,
# and load_pids / read_pid NAME / name_alive NAME.
LAB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/local.sh"
LAB_CONSUL_URL="" LAB_JAVA="" LAB_LOG_DIR="" LAB_INSTANCES=() LAB_FACADE_PORTS=() LAB_SERVICES=()
layout="$("$LAB" env)" || { printf '%s: compose/local.sh env failed\n' "${0##*/}" >&2; exit 2; }
eval "$layout"
# shellcheck disable=SC2034 # used by the scripts that source this file
{
  CONSUL_URL="$LAB_CONSUL_URL"
  JAVA="$LAB_JAVA"
  LOG_DIR="$LAB_LOG_DIR"
  INSTANCES=("${LAB_INSTANCES[@]}")
  FACADE_PORTS=("${LAB_FACADE_PORTS[@]}")
  SERVICE_MODULES=("${LAB_SERVICES[@]}")
}

# Pids of the running lab processes; load again after starting or stopping one.
declare -A PIDS=()
load_pids() {
  local name pid
  PIDS=()
  while read -r name pid; do PIDS["$name"]="$pid"; done < <("$LAB" pids)
}
read_pid() { printf '%s' "${PIDS[$1]:-}"; }
name_alive() { [[ -n "${PIDS[$1]:-}" ]] && kill -0 "${PIDS[$1]}" 2>/dev/null; }
