#!/usr/bin/env bash
# Fails when a C++ file under include/, src/, tests/ or tools/ is not laid out as .clang-format
# says. clang-format 14 (Debian 12's) is the reference: other versions lay some constructs out
# differently, so another version is refused rather than trusted.
# Usage: tests/format/check_format.sh [source_dir]    Fix: scripts/format.sh
set -euo pipefail
cd "${1:-$(dirname "$0")/../..}"
cf=$(command -v clang-format-14 || command -v clang-format || true)
if [[ -z "$cf" ]]; then
  echo "check_format: clang-format is not installed (scripts/setup.sh installs it)" >&2
  exit 1
fi
if ! "$cf" --version | grep -q 'version 14\.'; then
  echo "check_format: need clang-format 14, found: $("$cf" --version)" >&2
  exit 1
fi
mapfile -t files < <(find include src tests tools -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) | sort)
if ((${#files[@]} < 100)); then
  echo "check_format: found only ${#files[@]} C++ files; wrong directory?" >&2
  exit 1
fi
bad=()
for f in "${files[@]}"; do
  if ! "$cf" --dry-run --Werror "$f" >/dev/null 2>&1; then bad+=("$f"); fi
done
if ((${#bad[@]})); then
  printf 'check_format: not formatted (run scripts/format.sh):\n' >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check_format: ${#files[@]} files formatted"
