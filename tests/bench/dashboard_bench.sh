#!/usr/bin/env bash
# Dashboard page load times (issue 10: each page interactive in under 2 s on the demo), in
# Debian's headless Chromium (tests/bench/dashboard_pages.mjs: what "interactive" means, cold and
# warm visits, both viewports), against a throw-away hazmond serving web/dist:
#   demo      the demo's data: the notice's roster (182 enterprises), 20 simulated gateways with
#             20 points each playing in real time (as ./scripts/run.sh does), measured while they play;
#   national  the registry at national scale loaded with SQL (tests/bench/national_scale.sql:
#             7,000 enterprises, 441,000 points, 200,000 alarms, 20,000 warning events, 14,000
#             cameras, 50,000 video events), as the province admin.
# Usage: tests/bench/dashboard_bench.sh [demo|national] [n=5]
set -euo pipefail
cd "$(dirname "$0")/../.."
SCALE=${1:-demo}
N=${2:-5}
PORT=18548
[[ -f web/dist/index.html ]] || { echo "no web/dist/index.html: scripts/setup.sh builds the dashboard" >&2; exit 2; }
source tests/bench/lib.sh
start_hazmond
echo "date: $(date -u +%Y-%m-%dT%H:%MZ), scale: $SCALE"
machine_line
echo "hazmond: $HAZMOND; chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
case "$SCALE" in
  demo)
    sim_setup 20 20
    "$SIM" run --config "$WORK/sim.json" > "$WORK/sim.log" 2>&1 &
    SIM_PID=$!
    sleep 30  # a few rounds of readings, latest values and the first alarms
    ;;
  national)
    t0=$(date +%s)
    "${PSQL[@]}" -f tests/bench/national_scale.sql
    echo "loaded in $(( $(date +%s) - t0 )) s"
    ;;
  *) echo "scale: demo or national" >&2; exit 2 ;;
esac
echo "data: $("${PSQL[@]}" -c "SELECT (SELECT count(*) FROM enterprise) || ' enterprises, ' ||
  (SELECT count(*) FROM monitoring_point) || ' points, ' || (SELECT count(*) FROM camera) || ' cameras, ' ||
  (SELECT count(*) FROM alarm) || ' alarms, ' || (SELECT count(*) FROM warning_event) || ' warning events, ' ||
  (SELECT count(*) FROM video_event) || ' video events'")"
echo "machine load (1/5/15 min) before: $(load_now)"
node tests/bench/dashboard_pages.mjs --url "$URL" --user admin --password "$(cat "$WORK/var/admin-password")" --n "$N"
echo "machine load (1/5/15 min) after: $(load_now)"
