#!/usr/bin/env bash
# One command for a newcomer: install, build, and run hazmond with its embedded PostgreSQL
# under var/, the notice's roster loaded and a demo admin. Extra arguments go to `serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
exec build/release/src/app/hazmond serve --config config/demo.json "$@"
