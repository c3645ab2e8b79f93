#!/usr/bin/env bash
# Installs what the tests need beyond the build (scripts/setup.sh): tmux for `chatctl chat`,
# libfaketime for nodes with skewed clocks, Node.js and Debian's chromium with playwright-core (at
# the version tests/web/package-lock.json pins) for the web page. Runs before the build is
# configured, so that the web tests find `node` and are registered.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
packages=(tmux faketime nodejs chromium fonts-noto-color-emoji)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Debian's nodejs comes without npm (NodeSource's has it built in, and conflicts with Debian's npm).
if ! command -v npm >/dev/null; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq npm >/dev/null
fi
(cd tests/web && npm ci --no-audit --no-fund --loglevel=error)
echo "test-setup: tmux, faketime, node, chromium and playwright-core are here"
