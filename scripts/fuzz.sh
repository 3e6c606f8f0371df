#!/usr/bin/env bash
# Runs one libFuzzer target of tests/fuzz (docs/fuzzing.md) from build/fuzz (cmake --preset fuzz &&
# cmake --build --preset fuzz), niced, one job, until `runs` executions or `seconds` have passed:
#   scripts/fuzz.sh <target> [seconds=600] [runs=10000000]
# New inputs go to build/fuzz/work/<target> (seeded with tests/fuzz/corpus/<target>), crashes to
# build/fuzz/artifacts/<target>/, the log with libFuzzer's final stats to build/fuzz/logs/<target>.log.
# `scripts/fuzz.sh <target> merge` minimises work + seeds back into tests/fuzz/corpus/<target>.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:?target: upload http_request config roster camera_settings}
bin=build/fuzz/tests/fuzz/hazmon_fuzz_$t
seeds=tests/fuzz/corpus/$t
work=build/fuzz/work/$t
[[ -x $bin ]] || { echo "no $bin: cmake --preset fuzz && cmake --build --preset fuzz" >&2; exit 2; }
mkdir -p "$work" "build/fuzz/artifacts/$t" build/fuzz/logs
dict=()
[[ -f tests/fuzz/$t.dict ]] && dict=(-dict="tests/fuzz/$t.dict")
if [[ ${2:-} == merge ]]; then
  fresh=$(mktemp -d build/fuzz/merge.XXXXXX)
  # -use_counters=0: keep an input only for a new edge, not for a new hit count on one (a tenth of
  # the files for the same edges), so the committed corpus stays small; build/fuzz/work keeps all.
  nice -n 10 "$bin" -merge=1 -use_counters=0 "${dict[@]}" "$fresh" "$seeds" "$work" 2>&1 | tail -1
  # Hand-written seeds (any name that is not a 40-digit SHA-1) and crash-* reproducers stay; the
  # previous merge's files are replaced by this one's, less copies of the kept files.
  find "$seeds" -type f -regextype posix-extended -regex '.*/[0-9a-f]{40}' -delete
  kept=$(find "$seeds" -type f -exec sha1sum {} + | cut -d' ' -f1)
  for f in "$fresh"/*; do
    grep -qx "$(basename "$f")" <<<"$kept" || cp -n "$f" "$seeds"/
  done
  rm -rf "$fresh"
  echo "$seeds: $(find "$seeds" -type f | wc -l) files, $(du -sb "$seeds" | cut -f1) bytes"
  exit 0
fi
seconds=${2:-600}
runs=${3:-10000000}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
nice -n 10 "$bin" "$work" "$seeds" "${dict[@]}" -runs="$runs" -max_total_time="$seconds" -timeout=10 \
  -print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$t/" 2>&1 | tee "build/fuzz/logs/$t.log" |
  grep -E '^#[0-9]+ +(DONE|INITED)|ERROR|SUMMARY|stat::|Done [0-9]+ runs' || true
