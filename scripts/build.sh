#!/usr/bin/env bash
# Installs what is missing and builds (incrementally) into build/release.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [[ ! -f build/release/build.ninja ]]; then
  cmake --preset release >/dev/null
fi
cmake --build --preset release -j "$(nproc)"
