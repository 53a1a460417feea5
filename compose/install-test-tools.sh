#!/usr/bin/env bash
# Installs what the test suite needs besides Java and Maven, when it is missing:
#   - consul (compose/install-consul.sh: Debian bullseye's consul 1.8.7 into .tools/bin)
#   - docker-compose (Debian's 1.29, only to validate compose/compose.yaml; no Docker engine needed)
#   - shellcheck (every script is checked by the tests)
#   - prometheus (Debian's 2.42, scraped by LabMetricsIT and started by local.sh up; its web UI
#     and the Debian service's node exporter are not needed, so recommends stay off)
# Idempotent: a machine that has them all is left alone.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"

"$here/install-consul.sh" >/dev/null

missing=()
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v prometheus >/dev/null || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "${missing[*]} missing: run 'sudo apt-get install --no-install-recommends ${missing[*]}'" >&2
    exit 1
  fi
  echo "installing Debian's ${missing[*]} (docker-compose only validates compose/compose.yaml; no engine needed)" >&2
  # --no-install-recommends keeps docker.io, containerd and runc off the machine. Debian's prometheus
  # package starts a system service where systemd runs; the tests start their own on other ports.
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
