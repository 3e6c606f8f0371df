#!/usr/bin/env bash
# One command for a newcomer: install, build, and run hazmond with its embedded PostgreSQL
# under var/, the notice's roster loaded, a demo admin, and live demo data: hazmon-sim plays
# 20 enterprises' gateways in real time (30 s period). Extra arguments go to `serve`.
# HAZMON_DEMO_DATA=0 runs the server alone.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
HAZMOND=build/release/src/app/hazmond
SIM=build/release/tools/sim/hazmon-sim
if [[ "${HAZMON_DEMO_DATA:-1}" == 0 ]]; then
  exec "$HAZMOND" serve --config config/demo.json "$@"
fi
"$HAZMOND" serve --config config/demo.json "$@" &
SERVER=$!
SIM_PID=
VIDEO_PID=
stop() {
  [[ -n "$SIM_PID" ]] && kill "$SIM_PID" 2>/dev/null || true
  # The video demo stops its RTSP relays and feeders on TERM.
  [[ -n "$VIDEO_PID" ]] && kill "$VIDEO_PID" 2>/dev/null && wait "$VIDEO_PID" 2>/dev/null || true
  kill -TERM "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
}
trap stop INT TERM EXIT
for _ in $(seq 1 300); do
  curl -sk https://127.0.0.1:8443/healthz >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || exit 1
  sleep 0.2
done
if "$SIM" setup --url https://127.0.0.1:8443 --user admin --password-file var/admin-password \
     --enterprises 20 --points 20 --out var/sim.json > var/sim-setup.log 2>&1; then
  "$SIM" run --config var/sim.json > var/sim.log 2>&1 &
  SIM_PID=$!
  echo "demo data: hazmon-sim plays 20 gateways x 20 points (log: var/sim.log)"
else
  echo "demo data: hazmon-sim setup failed (see var/sim-setup.log); the server runs without it" >&2
fi
# Two demo cameras from clips (control room with leave-post, tank farm with fire) over real RTSP
# servers on loopback; HAZMON_DEMO_VIDEO=0 leaves them out.
if [[ "${HAZMON_DEMO_VIDEO:-1}" != 0 ]]; then
  scripts/demo_video.sh https://127.0.0.1:8443 admin var/admin-password &
  VIDEO_PID=$!
fi
wait "$SERVER"
