#!/usr/bin/env bash
# Runs the end-to-end suite (test/e2e, the real n8n) and/or the queue-mode suite N times in a row, optionally beside a
# CPU hog that keeps one core busy, and prints one line per run (passed or FAILED, jest's counts, wall time) and a
# summary. For checking that the suites do not fail by chance; `npm run stress -- --help` for the options.
#   npm run stress -- --runs 10 --hog            test/e2e ten times beside the hog
#   npm run stress -- --runs 3 --suite queue     the queue suite three times
#   npm run stress -- --runs 2 --suite all --hog both suites, twice each
# Logs of every run: stress-results/<suite>-<n>.log. Exits non-zero if any run failed.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=10
suite=e2e
hog=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --suite) suite="$2"; shift 2 ;;
    --hog) hog=1; shift ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (--runs N, --suite e2e|queue|all, --hog)" >&2; exit 2 ;;
  esac
done
case "$suite" in
  e2e) suites=(e2e) ;;
  queue) suites=(queue) ;;
  all) suites=(e2e queue) ;;
  *) echo "--suite takes e2e, queue or all" >&2; exit 2 ;;
esac

npm run build > /dev/null
bash scripts/provision-n8n.sh > /dev/null
[[ " ${suites[*]} " == *" queue "* ]] && bash scripts/install-queue-services.sh

hog_pid=""
stop_hog() { if [ -n "$hog_pid" ]; then kill "$hog_pid" 2>/dev/null || true; wait "$hog_pid" 2>/dev/null || true; fi; }
trap stop_hog EXIT
if [ "$hog" = 1 ]; then
  # One core kept busy for as long as this script runs (ended by the trap).
  node -e 'for (;;) {}' &
  hog_pid=$!
  echo "[stress] CPU hog running (pid $hog_pid)" >&2
fi

mkdir -p stress-results
lines=()
failed=0
for n in $(seq 1 "$runs"); do
  for s in "${suites[@]}"; do
    log="stress-results/$s-$n.log"
    started=$SECONDS
    if [ "$s" = e2e ]; then
      cmd=(npx jest --runInBand test/e2e)
    else
      cmd=(npx jest --testPathIgnorePatterns /node_modules/ --testPathPattern test/queue)
    fi
    if "${cmd[@]}" > "$log" 2>&1; then result=passed; else result=FAILED; failed=$((failed + 1)); fi
    counts=$(grep -E '^Tests:' "$log" | tail -1 | sed 's/^Tests: *//')
    line="$s run $n/$runs: $result - ${counts:-no jest summary} ($((SECONDS - started)) s)$([ "$hog" = 1 ] && echo ', beside the CPU hog')"
    echo "[stress] $line" >&2
    lines+=("$line")
  done
done

echo >&2
printf '%s\n' "${lines[@]}" >&2
total=$(( runs * ${#suites[@]} ))
echo "stress: $((total - failed)) of $total runs green" >&2
[ "$failed" = 0 ]
