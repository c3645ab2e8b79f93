#!/usr/bin/env bash
# Every check CI runs, in the order that fails fastest: formatting (scripts/check-format.sh), the
# test tools (scripts/test-setup.sh), then set up and build (scripts/setup.sh) and run every test:
# unit tests, and integration tests that start real `chatctl serve` processes on loopback (with
# tmux for `chat`, headless chromium for the web page); then the whole suite again built with ASan
# and UBSan (scripts/test-sanitizers.sh).
# Usage: scripts/test.sh [extra cmake args...]
#   CHATCTL_TEST_SANITIZERS=0 leaves out the sanitizer pass (a quicker local run; CI never does).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/check-format.sh
scripts/test-setup.sh
scripts/setup.sh "$@"
(cd build && ctest -j2 --output-on-failure --timeout 300)
if [ "${CHATCTL_TEST_SANITIZERS:-1}" != 0 ]; then
  scripts/test-sanitizers.sh "$@"
fi
