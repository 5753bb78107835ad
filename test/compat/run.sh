#!/usr/bin/env bash
# The e2e suite (test/e2e) against each n8n version of test/compat/matrix.json, each on its own Node.
# Provisions what is missing (scripts/provision-n8n.sh: about 8-10 minutes per version the first time, cached after).
#   npm run test:compat                       every version of the matrix
#   npm run test:compat -- 1.123.81 2.41.1    only these (any published version: `node` defaults to 24.21.0, or 22.23.5 for 1.x)
# Prints one summary line per version at the end; exits non-zero if any version failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

MATRIX=test/compat/matrix.json
# "<n8n> <node>" per line: the versions asked for, else the whole matrix
pairs=$(node -e '
  const matrix = require("./" + process.argv[1]).versions;
  const asked = process.argv.slice(2);
  const nodeFor = (n8n) => (matrix.find((e) => e.n8n === n8n) || {}).node || (n8n.startsWith("1.") ? "22.23.5" : "24.21.0");
  for (const n8n of asked.length ? asked : matrix.map((e) => e.n8n)) console.log(n8n + " " + nodeFor(n8n));
' "$MATRIX" "$@")

npm run build > /dev/null
summary=()
failed=0
while read -r n8n node; do
  echo "=== n8n $n8n on Node $node ===" >&2
  started=$SECONDS
  if ! E2E_N8N_VERSION="$n8n" E2E_NODE_VERSION="$node" bash scripts/provision-n8n.sh > /dev/null; then
    summary+=("n8n $n8n (Node $node): provisioning FAILED")
    failed=1
    continue
  fi
  log=$(mktemp)
  if E2E_N8N_VERSION="$n8n" E2E_NODE_VERSION="$node" npx jest --runInBand test/e2e 2>&1 | tee "$log" >&2; then result=passed; else result=FAILED; failed=1; fi
  counts=$(grep -E '^Tests:' "$log" | tail -1 | sed 's/^Tests: *//')
  summary+=("n8n $n8n (Node $node): $result - ${counts:-no jest summary} ($((SECONDS - started)) s)")
  rm -f "$log"
done <<< "$pairs"

echo >&2
printf '%s\n' "${summary[@]}" >&2
exit $failed
