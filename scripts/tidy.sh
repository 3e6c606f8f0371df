#!/usr/bin/env bash
# clang-tidy (.clang-tidy) over the sources of the named modules, using a build's
# compile_commands.json. Exits non-zero on any finding.
# Usage: scripts/tidy.sh [build_dir] [module ...]
#   default build dir build/release; default modules: every module under src/.
# One file takes 10-60 s (Beast and pqxx headers are the slow ones): the whole tree is an
# hour of CPU on two cores, so CI runs the header-light modules (tests/CMakeLists.txt,
# `static_analysis`) and the rest is run by hand before a release.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build/release}"
shift || true
[[ -f "$build/compile_commands.json" ]] || { echo "tidy: no $build/compile_commands.json" >&2; exit 1; }
tidy=$(command -v clang-tidy-14 || command -v clang-tidy)
if (($#)); then modules=("$@"); else mapfile -t modules < <(ls -d "$root"/src/*/ | xargs -n1 basename); fi
files=()
for m in "${modules[@]}"; do
  [[ -d "$root/src/$m" ]] || { echo "tidy: no module src/$m" >&2; exit 1; }
  while IFS= read -r f; do files+=("$f"); done < <(find "$root/src/$m" -name '*.cpp' | sort)
done
((${#files[@]})) || { echo "tidy: no sources" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
printf '%s\n' "${files[@]}" |
  xargs -P "$(nproc)" -n 1 "$tidy" -p "$build" --quiet 2>/dev/null >"$out" || true
if grep -qE ': (warning|error):' "$out"; then
  grep -E ': (warning|error):' "$out" | sort -u >&2
  echo "tidy: $(grep -cE ': (warning|error):' "$out") findings in ${#files[@]} files" >&2
  exit 1
fi
echo "tidy: ${#files[@]} files of ${modules[*]}: no findings"
