#!/usr/bin/env bash
# Reading accepted (upload 2xx) -> alarm on the live stream (GET /api/v1/stream), at half the
# maximum ingest rate (issue 3 target: p99 <= 100 ms).
#   1. the maximum: an unpaced hazmon-sim run of MAX_S seconds (or MAX_RATE=readings/s given);
#   2. hazmon-sim paced at half of it in the background;
#   3. tests/bench/latency_probe.py flips switch points (debounce 0) of the first simulated
#      enterprise every INTERVAL s and times each alarm change from its 2xx to its event.
# Usage: tests/bench/latency_bench.sh [duration_s] [enterprises] [points] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-60}
ENTERPRISES=${2:-50}
POINTS=${3:-182}
CONNS=${4:-128}
export WORKERS=${WORKERS:-128}
MAX_S=${MAX_S:-15}
INTERVAL=${INTERVAL:-0.1}
source tests/bench/lib.sh
start_hazmond
sim_setup_fast "$ENTERPRISES" "$POINTS"
if [[ -z "${MAX_RATE:-}" ]]; then
  MAX_OUT=$("$SIM" run --config "$WORK/sim.json" --rate 1000000 --duration "$MAX_S" --connections "$CONNS" --json 2>/dev/null)
  MAX_RATE=$(echo "$MAX_OUT" | jget readings_per_s)
fi
HALF=$(awk -v m="$MAX_RATE" 'BEGIN {printf "%.0f", m/2}')
LOAD0=$(load_now)
# Half the maximum in real time (no compressed time): every point reports every PERIOD seconds,
# PERIOD = points / rate, so collect times are current and no point looks offline.
PERIOD=$(awk -v p="$((ENTERPRISES * POINTS))" -v r="$HALF" 'BEGIN {printf "%.2f", p / r}')
"$SIM" run --config "$WORK/sim.json" --period "$PERIOD" --duration $((DURATION + 10)) --connections "$CONNS" --json \
  > "$WORK/sim-out.json" 2> "$WORK/sim-err.log" &
SIM_PID=$!
sleep 3
PROBE=$(python3 tests/bench/latency_probe.py --url "$URL" --password-file "$WORK/var/admin-password" \
  --sim-config "$WORK/sim.json" --duration "$DURATION" --interval "$INTERVAL") || PROBE_RC=$?
wait "$SIM_PID" || true
SIM_PID=
LOAD1=$(load_now)
cat <<RESULT
date: $(date -u +%Y-%m-%dT%H:%MZ)
$(machine_line)
machine load (1/5/15 min) before/after: $LOAD0 / $LOAD1
maximum (unpaced, ${MAX_S}s): $MAX_RATE readings/s; background load at half: $HALF readings/s requested (real time, period ${PERIOD}s), $(jget readings_per_s < "$WORK/sim-out.json") achieved, upload p99 $(jget latency_ms p99 < "$WORK/sim-out.json") ms
probe: $PROBE
RESULT
exit "${PROBE_RC:-0}"
