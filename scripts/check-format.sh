#!/usr/bin/env bash
# Checks that every C++ source file under cmd/ lib/ relay/ loadgen/ bench/ tests/ is formatted as
# the checked-in .clang-format says (installing Debian's clang-format when it is missing). Fails
# with the list of files that are not, and the command that formats them. It never edits a file.
# Usage: scripts/check-format.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v clang-format >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "check-format: installing clang-format"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq clang-format >/dev/null
fi

# The files git knows or would add (tracked, or new and not ignored), so that a new file is checked
# before its first commit; a tree that is not a git checkout (an unpacked tarball) is searched.
dirs=(cmd lib relay loadgen bench tests)
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- \
                         "${dirs[@]/%//*.cpp}" "${dirs[@]/%//*.h}" | sort -u)
else
  existing=()
  for d in "${dirs[@]}"; do [ -d "$d" ] && existing+=("$d"); done
  mapfile -t files < <(find "${existing[@]}" -type f \( -name '*.cpp' -o -name '*.h' \) | sort)
fi

unformatted=()
for f in "${files[@]}"; do
  [ -f "$f" ] || continue  # deleted in the worktree, not yet in the index
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || unformatted+=("$f")
done

version=$(clang-format --version)
if [ ${#unformatted[@]} -gt 0 ]; then
  echo "check-format: ${#unformatted[@]} of ${#files[@]} files are not formatted (${version}):"
  printf '  %s\n' "${unformatted[@]}"
  echo "check-format: to fix, run: clang-format -i ${unformatted[*]}"
  exit 1
fi
echo "check-format: all ${#files[@]} files formatted (${version})"
