#!/usr/bin/env bash
# HAZMON_WITH_VIDEO=OFF stays buildable without FFmpeg and OpenCV (issue 11), checked without a
# second full build: configure an OFF tree in a scratch directory, then
#   1. this (ON) tree's hazmond link line names OpenCV and libav* (so the pattern can match),
#   2. no command of the OFF tree (every compile and link line) names them,
#   3. the OFF tree's video module (settings, and the stand-in for the pipeline) compiles.
# The full OFF build and its tests: docs/operations.md, "A server without video".
# Usage: without_video_check.sh <this build dir> <source dir>
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
off=$build/without-video-check
type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
pattern='opencv|libav(format|codec|util)|libswscale|-lav(format|codec|util)\b|-lswscale'

cmake -S "$src" -B "$off" -G Ninja -DHAZMON_WITH_VIDEO=OFF -DHAZMON_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE="$type" >"$off.configure.log" 2>&1 || { cat "$off.configure.log"; exit 1; }

on_hits=$(ninja -C "$build" -t commands hazmond | grep -Eoc "$pattern" || true)
if [[ $on_hits -eq 0 ]]; then
  echo "FAIL: the ON tree's hazmond commands name neither OpenCV nor libav*: the pattern is stale"
  exit 1
fi
if ninja -C "$off" -t commands | grep -Eo "$pattern" | sort | uniq -c; then
  echo "FAIL: the HAZMON_WITH_VIDEO=OFF tree still compiles or links the libraries above"
  exit 1
fi
if grep -Eq '^(LIBAV_FOUND|OPENCV_INCLUDE_DIR|OPENCV_core_LIBRARY)[:=]' "$off/CMakeCache.txt"; then
  echo "FAIL: the OFF tree looked for FFmpeg or OpenCV"
  exit 1
fi
ninja -C "$off" -j2 hazmon_video >"$off.build.log" 2>&1 || { cat "$off.build.log"; exit 1; }
echo "ok: hazmond (ON) names OpenCV/libav $on_hits times; the OFF tree names them none; its video module builds"
