#!/usr/bin/env bash
# Least-privilege ACL tokens for the lab, with the real consul CLI.
#
#   compose/acl/tokens.sh create DIR        one policy per compose/acl/*.hcl (created, or updated to the
#                                           file) and a new token for it, written to DIR/<name>.token
#   compose/acl/tokens.sh rotate DIR NAME   a new token for policy NAME written over DIR/NAME.token
#                                           (atomically: instances re-read the file), then the old one deleted
#
# Talks to the agent the CLI's way: CONSUL_HTTP_ADDR (https:// for TLS), CONSUL_HTTP_TOKEN or
# CONSUL_HTTP_TOKEN_FILE (a token that may manage ACLs), CONSUL_CACERT, CONSUL_CLIENT_CERT,
# CONSUL_CLIENT_KEY, CONSUL_TLS_SERVER_NAME. CONSUL_BIN names the binary (default: compose/install-consul.sh's).
# Secrets go only into DIR (mode 600); what is printed names accessors, never secrets.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# CONSUL_BIN, or the consul compose/install-consul.sh finds (PATH, .tools/bin) or installs
consul="${CONSUL_BIN:-$("$here/../install-consul.sh" 2>/dev/null)}"

usage() {
  sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
}

# new_token NAME FILE: a token for policy NAME, its secret written to FILE; prints its accessor.
new_token() {
  local name="$1" file="$2" out tmp
  out="$("$consul" acl token create -policy-name "$name" -description "lab: $name" -format json)"
  tmp="$(mktemp "$file.XXXXXX")"
  sed -n 's/.*"SecretID": *"\([^"]*\)".*/\1/p' <<<"$out" >"$tmp"
  [[ -s "$tmp" ]] || { rm -f "$tmp"; echo "tokens.sh: no SecretID in consul's answer for $name" >&2; exit 1; }
  mv "$tmp" "$file"
  sed -n 's/.*"AccessorID": *"\([^"]*\)".*/\1/p' <<<"$out"
}

create() {
  local dir="$1" rules name accessor
  mkdir -p "$dir"
  chmod 700 "$dir"
  for rules in "$here"/*.hcl; do
    name="$(basename "$rules" .hcl)"
    if "$consul" acl policy read -name "$name" >/dev/null 2>&1; then
      "$consul" acl policy update -name "$name" -rules "@$rules" >/dev/null
    else
      "$consul" acl policy create -name "$name" -description "lab: $name" -rules "@$rules" >/dev/null
    fi
    accessor="$(new_token "$name" "$dir/$name.token")"
    echo "$name: policy from compose/acl/$name.hcl, token $accessor in $dir/$name.token"
  done
}

rotate() {
  local dir="$1" name="$2" file old accessor
  file="$dir/$name.token"
  [[ -r "$file" ]] || { echo "tokens.sh: $file does not exist; run: tokens.sh create $dir" >&2; exit 1; }
  old="$(CONSUL_HTTP_TOKEN_FILE="$file" "$consul" acl token read -self -format json \
    | sed -n 's/.*"AccessorID": *"\([^"]*\)".*/\1/p')"
  accessor="$(new_token "$name" "$file")"
  "$consul" acl token delete -id "$old" >/dev/null
  echo "$name: token $accessor in $file; old token $old deleted"
}

umask 077
case "${1:-}" in
  create) [[ $# -eq 2 ]] || usage; create "$2" ;;
  rotate) [[ $# -eq 3 ]] || usage; rotate "$2" "$3" ;;
  *) usage ;;
esac
