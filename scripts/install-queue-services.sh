#!/usr/bin/env bash
# Installs the servers n8n's queue mode needs, from Debian's packages, when they are missing: PostgreSQL (n8n's
# database in queue mode) and Redis (its job queue). The tests start their own throwaway instances of both; the
# services the packages set up are not used. Idempotent; needs root (or sudo) only when something is missing.
set -euo pipefail

have_postgres() { compgen -G '/usr/lib/postgresql/*/bin/initdb' > /dev/null; }
have_redis() { command -v redis-server > /dev/null; }
if have_postgres && have_redis; then exit 0; fi

as_root=()
[ "$(id -u)" -ne 0 ] && as_root=(sudo)
echo "[queue services] installing postgresql and redis-server from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
# DPkg::Lock::Timeout: wait for another apt run (the chromium install, say) instead of failing.
install() { "${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends postgresql redis-server > /dev/null; }
if ! install 2>/dev/null; then
  "${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 update -q > /dev/null
  install
fi
have_postgres && have_redis
