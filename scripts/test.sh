#!/usr/bin/env bash
# One command for the whole test suite: install, build, then ctest (unit, PostgreSQL
# integration and HTTPS API tests; the suite starts its own PostgreSQL under build/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
cd build/release
ctest --output-on-failure -j "$(nproc)" "$@"
