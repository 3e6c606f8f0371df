#!/usr/bin/env bash
# The nightly sanitizer run (issue 9): builds the asan (AddressSanitizer + UBSan) or tsan
# (ThreadSanitizer) preset and runs the unit and API suites under it against the suite's own
# PostgreSQL. Too slow for every CI run on 2 cores (docs/security.md, "Sanitizers", has the
# times); run it nightly or before a release:
#
#   scripts/sanitizers.sh asan        # or: tsan, or: asan tsan
#
# Extra arguments after `--` go to ctest (e.g. -- -R hazmon_apitest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
presets=()
ctest_args=()
while (($#)); do
  if [[ "$1" == "--" ]]; then shift; ctest_args=("$@"); break; fi
  presets+=("$1"); shift
done
((${#presets[@]})) || presets=(asan)
# The unit binaries, hazmond (the suite's `pg` fixture runs `hazmond pg start`), hazmon-sim
# (ctest sim_smoke, label unit) and the API tests.
targets=(hazmond hazmon-sim hazmon_apitest)
for d in tests/unit/*/; do targets+=("hazmon_unit_$(basename "$d")"); done
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp}
for p in "${presets[@]}"; do
  [[ -f "build/$p/build.ninja" ]] || cmake --preset "$p" >/dev/null
  start=$(date +%s)
  cmake --build "build/$p" -j "$(nproc)" --target "${targets[@]}"
  built=$(date +%s)
  (cd "build/$p" && ctest --output-on-failure -j "$(nproc)" -L 'unit|api' -E openapi "${ctest_args[@]}")
  echo "sanitizers: $p built in $((built - start)) s, unit + API suites ran in $(($(date +%s) - built)) s"
done
