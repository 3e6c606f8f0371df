#!/usr/bin/env bash
# Lays out every C++ file as .clang-format says (clang-format 14, Debian 12's).
# Usage: scripts/format.sh [file ...]   (no arguments: the whole tree)
set -euo pipefail
cd "$(dirname "$0")/.."
cf=$(command -v clang-format-14 || command -v clang-format)
if (($#)); then
  exec "$cf" -i "$@"
fi
find include src tests tools -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) -print0 |
  xargs -0 "$cf" -i
