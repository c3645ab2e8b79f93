#!/usr/bin/env bash
# Builds the whole tree with AddressSanitizer (leaks included where the kernel lets LeakSanitizer
# run) and UndefinedBehaviorSanitizer into build-asan/, and runs the whole test suite against it:
# the integration tests start the sanitized chatctl, since its path is compiled into them. Any
# finding fails the run, also one in a child process whose exit a test does not check: reports
# go to build-asan/sanitizer-logs/, and a report there fails the run and is printed.
# Run after scripts/setup.sh has installed the packages. Usage: scripts/test-sanitizers.sh
# [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."

# -O1 -g1 compiles in about half the time of -O2 -g with the sanitizers on (26 s against 49 s of
# CPU for relay/gateway.cpp), runs fast enough for the integration tests' real nodes, and keeps
# the line tables the reports' stacks need (file:line, function); no NDEBUG, so asserts run too.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DCHATCTL_SANITIZE=address,undefined "$@" >/dev/null
cmake --build build-asan -j"$(nproc)"

logs="$PWD/build-asan/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"

# LeakSanitizer cannot run under ptrace or where the kernel refuses it (some containers); there
# it stops the process with a fatal error rather than a finding, so it is turned off instead.
leaks=1
probe=$(ASAN_OPTIONS=detect_leaks=1 build-asan/cmd/chatctl --help 2>&1 >/dev/null || true)
if grep -q "LeakSanitizer has encountered a fatal error\|LeakSanitizer does not work" <<<"$probe"; then
  echo "test-sanitizers: LeakSanitizer cannot run here; leaks are not checked"
  leaks=0
fi
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=${leaks}:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1:log_path=${logs}/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=${logs}/ubsan"

status=0
(cd build-asan && ctest -j2 --output-on-failure --timeout 600) || status=$?

reports=("$logs"/*)
if [ -e "${reports[0]}" ]; then
  echo "test-sanitizers: ${#reports[@]} sanitizer report(s):"
  for r in "${reports[@]}"; do
    echo "--- $r"
    cat "$r"
  done
  status=1
fi
[ "$status" -eq 0 ] && echo "test-sanitizers: the whole suite passed under ASan+UBSan"
exit "$status"
