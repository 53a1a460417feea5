#!/usr/bin/env bash
# Installs what the test suite needs besides Java and Maven, when it is missing:
#   - consul (compose/install-consul.sh: Debian bullseye's consul 1.8.7 into .tools/bin)
#   - docker-compose (Debian's 1.29, only to validate compose/compose.yaml; no Docker engine needed)
# Idempotent: a machine that has both is left alone.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"

"$here/install-consul.sh" >/dev/null

if ! command -v docker-compose >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "docker-compose is missing: run 'sudo apt-get install --no-install-recommends docker-compose'" >&2
    exit 1
  fi
  echo "installing Debian's docker-compose (validates compose/compose.yaml; no engine needed)" >&2
  # --no-install-recommends keeps docker.io, containerd and runc off the machine.
  apt-get update -qq && apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi
