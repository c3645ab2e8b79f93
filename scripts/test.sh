#!/usr/bin/env bash
# Sets up (scripts/setup.sh), then runs every test: unit tests and integration tests that start
# real `chatctl serve` processes on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh "$@"
cd build
ctest -j2 --output-on-failure --timeout 300
