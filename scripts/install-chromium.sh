#!/usr/bin/env bash
# Installs Debian's chromium for the browser test (playwright-core drives it; browsers cannot be downloaded here).
# Idempotent and quiet: does nothing when /usr/bin/chromium exists; apt-get's output is shown only if it fails.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
[[ -x "$CHROMIUM" ]] && exit 0

echo "Installing Debian's chromium with apt-get (a minute or two)…" >&2
sudo=""
[[ "$(id -u)" == 0 ]] || sudo="sudo"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# Another apt-get on the machine may hold dpkg's lock for a while: wait for it rather than fail.
export DEBIAN_FRONTEND=noninteractive
if ! { $sudo apt-get -q -o DPkg::Lock::Timeout=600 update &&
	$sudo apt-get -q -o DPkg::Lock::Timeout=600 install -y --no-install-recommends chromium fonts-liberation; } >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	echo "apt-get could not install chromium" >&2
	exit 1
fi
