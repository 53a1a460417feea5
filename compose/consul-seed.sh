#!/bin/sh
# One-shot seeding of the Consul KV key `lab_settings` for the compose stack (runs in the
# hashicorp/consul image, which has curl). Create-only: `?cas=0` writes the key only if it does
# not exist yet, atomically, so an existing document (e.g. edited in the Consul UI) is never
# overwritten. `consul kv put -cas` cannot do this: it rejects `-modify-index=0`.
#
# Exit 0 when the key is written or already there; 1 when Consul cannot be reached.
set -eu

addr="${CONSUL_HTTP_ADDR:-consul:8500}"
case "$addr" in
  http://* | https://*) ;;
  *) addr="http://$addr" ;;
esac
file="${SEED_FILE:-/seed/lab_settings.json}"
key="${SEED_KEY:-lab_settings}"

[ -r "$file" ] || { echo "consul-seed: $file is not readable" >&2; exit 1; }

attempt=1
while :; do
  if answer="$(curl -fsS -X PUT --data-binary "@$file" "$addr/v1/kv/$key?cas=0")"; then
    break
  fi
  if [ "$attempt" -ge 30 ]; then
    echo "consul-seed: Consul at $addr did not accept the write after $attempt attempts" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 1
done

case "$answer" in
  true) echo "consul-seed: wrote $key from $file" ;;
  false) echo "consul-seed: $key already exists in Consul; left as it is" ;;
  *) echo "consul-seed: unexpected answer from Consul: $answer" >&2; exit 1 ;;
esac
