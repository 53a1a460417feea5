#!/usr/bin/env bash
# Install a real `consul` binary for local development and CI, without
# touching the system's apt configuration.
#
# Debian bookworm ships no consul package, but bullseye's consul
# (1.8.7+dfsg1) runs fine on bookworm. This script points apt-get at a
# private sources.list / lists / cache / status under a temp dir, downloads
# the bullseye .deb, unpacks it with `dpkg -x` and installs usr/bin/consul
# atomically. No root needed, no system state changed.
#
# Output: progress and errors go to stderr; the absolute path of the consul
# binary to use is the only thing printed on stdout, so callers can do
#   CONSUL="$(compose/install-consul.sh)"
#
# Environment:
#   CONSUL_BIN            use this consul if `$CONSUL_BIN version` works (no install)
#   CONSUL_INSTALL_DIR    destination dir (default: <repo root>/.tools/bin)
#   CONSUL_FORCE_LOCAL=1  ignore a working consul on PATH; ensure the local copy
#   CONSUL_DEBIAN_MIRROR  Debian mirror (default: first URIs: of
#                         /etc/apt/sources.list.d/debian.sources, else first deb
#                         line of /etc/apt/sources.list, else deb.debian.org)
#   CONSUL_DEBIAN_SUITE   suite to take consul from (default: bullseye)
#   CONSUL_DEBIAN_KEYRING keyring for signed-by
#                         (default: /usr/share/keyrings/debian-archive-keyring.gpg)
set -euo pipefail

log() { printf 'install-consul: %s\n' "$*" >&2; }
die() { printf 'install-consul: ERROR: %s\n' "$*" >&2; exit 1; }

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(dirname "$script_dir")"
dest_dir="${CONSUL_INSTALL_DIR:-$repo_root/.tools/bin}"
dest="$dest_dir/consul"

# Runs `<bin> version` (with a timeout when available); succeeds if it works.
consul_works() {
  local bin="$1"
  if command -v timeout >/dev/null 2>&1; then
    timeout 20 "$bin" version >/dev/null 2>&1
  else
    "$bin" version >/dev/null 2>&1
  fi
}

# Reports an already working consul and exits 0.
use_existing() {
  local bin="$1" why="$2" path
  path="$(command -v "$bin" 2>/dev/null || printf '%s' "$bin")"
  if [[ "$path" == */* && "$path" != /* ]]; then
    path="$(cd "$(dirname "$path")" && pwd -P)/$(basename "$path")"
  fi
  log "using $why: $path ($("$bin" version 2>/dev/null | head -n1))"
  printf '%s\n' "$path"
  exit 0
}

# ---- fast paths --------------------------------------------------------------
if [[ -n "${CONSUL_BIN:-}" ]]; then
  if consul_works "$CONSUL_BIN"; then
    use_existing "$CONSUL_BIN" "CONSUL_BIN"
  fi
  log "CONSUL_BIN=$CONSUL_BIN does not run ('consul version' failed); ignoring it"
fi
if [[ -x "$dest" ]] && consul_works "$dest"; then
  use_existing "$dest" "project-local consul"
fi
if [[ "${CONSUL_FORCE_LOCAL:-0}" != 1 ]] && command -v consul >/dev/null 2>&1 \
   && consul_works consul; then
  use_existing consul "consul on PATH"
fi

# ---- install -------------------------------------------------------------------
command -v apt-get >/dev/null 2>&1 || die "apt-get not found; this script needs a Debian-based system (or set CONSUL_BIN to an existing consul)"
command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb (dpkg) not found; this script needs a Debian-based system (or set CONSUL_BIN to an existing consul)"

default_mirror() {
  local m=""
  if [[ -r /etc/apt/sources.list.d/debian.sources ]]; then
    m="$(awk '/^[[:space:]]*URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [[ -z "$m" && -r /etc/apt/sources.list ]]; then
    # first `deb [options] URI suite ...` line; skip the [options] block
    m="$(awk '$1 == "deb" {
            for (i = 2; i <= NF; i++) {
              if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; continue }
              print $i; exit
            }
          }' /etc/apt/sources.list)"
  fi
  printf '%s\n' "${m:-http://deb.debian.org/debian}"
}

mirror="${CONSUL_DEBIAN_MIRROR:-$(default_mirror)}"
mirror="${mirror%/}"
suite="${CONSUL_DEBIAN_SUITE:-bullseye}"
keyring="${CONSUL_DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}"
[[ -r "$keyring" ]] || die "keyring $keyring not readable (install debian-archive-keyring or set CONSUL_DEBIAN_KEYRING)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/install-consul.XXXXXX")"
tmp_bin=""
cleanup() {
  rm -rf "$tmp"
  if [[ -n "$tmp_bin" ]]; then rm -f "$tmp_bin"; fi
}
trap cleanup EXIT

mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/root"
: >"$tmp/status"
printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$suite" >"$tmp/sources.list"

apt_opts=(
  -o "Dir::Etc::SourceList=$tmp/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$tmp/lists"
  -o "Dir::State::status=$tmp/status"
  -o "Dir::Cache=$tmp/cache"
  # Download as the current user: as root, apt would otherwise try to drop
  # to the _apt user, which cannot write into our private 0700 temp dir.
  -o "APT::Sandbox::User=$(id -un)"
)

log "fetching consul from $mirror $suite (private apt state in $tmp)"
if ! apt-get "${apt_opts[@]}" update >"$tmp/update.log" 2>&1; then
  cat "$tmp/update.log" >&2
  die "apt-get update of $mirror $suite failed (see output above)"
fi
if ! compgen -G "$tmp/lists/*_Packages*" >/dev/null; then
  cat "$tmp/update.log" >&2
  die "could not fetch the package index of $mirror $suite (see output above; set CONSUL_DEBIAN_MIRROR to a reachable Debian mirror)"
fi

if ! (cd "$tmp" && apt-get "${apt_opts[@]}" download consul) >"$tmp/download.log" 2>&1; then
  cat "$tmp/download.log" >&2
  die "apt-get download consul from $mirror $suite failed (see output above)"
fi

debs=("$tmp"/consul_*.deb)
[[ -f "${debs[0]}" ]] || die "apt-get download reported success but no consul_*.deb appeared in $tmp"
log "downloaded $(basename "${debs[0]}")"

dpkg-deb -x "${debs[0]}" "$tmp/root" || die "dpkg-deb -x ${debs[0]} failed"
[[ -x "$tmp/root/usr/bin/consul" ]] || die "package $(basename "${debs[0]}") has no usr/bin/consul"
consul_works "$tmp/root/usr/bin/consul" \
  || die "downloaded consul does not run on this system ('consul version' failed)"

mkdir -p "$dest_dir" || die "cannot create $dest_dir"
tmp_bin="$(mktemp "$dest_dir/.consul.XXXXXX")"
cp "$tmp/root/usr/bin/consul" "$tmp_bin"
chmod 0755 "$tmp_bin"
mv -f "$tmp_bin" "$dest"
tmp_bin=""

dest_abs="$(cd "$dest_dir" && pwd -P)/consul"
version_out="$("$dest_abs" version 2>&1)" || die "installed $dest_abs but '$dest_abs version' failed: $version_out"
log "installed $dest_abs"
printf '%s\n' "$version_out" >&2
printf '%s\n' "$dest_abs"
