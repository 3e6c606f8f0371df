#!/usr/bin/env bash
# Sizes of the C++ sources under a tree: files over 600 lines and functions over 80 lines
# (function extents from universal-ctags' `end:` field).
set -euo pipefail
root=${1:-.}
cd "$root"
files=$(find src include -name '*.cpp' -o -name '*.hpp' | sort)
total=$(echo "$files" | xargs cat | wc -l)
echo "source files: $(echo "$files" | wc -l), lines: $total"
echo "files over 600 lines:"
echo "$files" | xargs wc -l | awk '$2!="total" && $1>600 {printf "  %5d %s\n",$1,$2}' | sort -rn
ctags -x --_xformat='%{line} %{end} %{kind} %N %F' --kinds-c++=f --fields=+ne -R src include 2>/dev/null \
  | awk '$2!="" && $2-$1+1>80 {printf "  %5d %s:%s %s\n",$2-$1+1,$5,$1,$4}' | sort -rn > /tmp/tools/long_functions.txt
echo "functions over 80 lines: $(wc -l < /tmp/tools/long_functions.txt)"
cat /tmp/tools/long_functions.txt
# Where the SQL lives (issue 11 §1): calls on a storage::Tx outside and inside storage.
count() { grep -rhoE "$1" $2 2>/dev/null | wc -l; }
echo "tx exec calls in service+auth: $(count '\btx\.exec(_one|_count|_json)?\(' 'src/service src/auth'), in storage: $(count '\btx\.exec(_one|_count|_json)?\(' src/storage)"
echo "row[\"col\"] lookups by string in service+auth: $(count '\[\"[a-z_]+\"\]' 'src/service src/auth')"
echo "ph() placeholder helpers defined: $(grep -rlE '(std::string|auto) ph\(' src | wc -l)"
