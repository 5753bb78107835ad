#!/usr/bin/env bash
# Installs the servers n8n's queue mode needs, from Debian's packages, when they are missing: PostgreSQL (n8n's
# database in queue mode) and Redis (its job queue). The tests start their own throwaway instances of both; the
# services the packages set up are not used. Idempotent; needs root (or sudo) only when something is missing.
set -euo pipefail

have_postgres() { compgen -G '/usr/lib/postgresql/*/bin/initdb' > /dev/null; }
have_redis() { command -v redis-server > /dev/null; }

missing=()
have_postgres || missing+=(postgresql)
have_redis || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
[ "$(id -u)" -ne 0 ] && as_root=(sudo)
echo "[queue services] installing ${missing[*]} from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" > /dev/null 2>&1; then
  "${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 update -q > /dev/null
  "${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" > /dev/null
fi
have_postgres && have_redis
