#!/usr/bin/env bash
# hazmond's memory over a long run (issue 3: RSS growth <= 5 % from minute 2 to minute 10 at
# half the maximum rate with 100,000 points).
#   1. ENTERPRISES gateways with 20 points each through the API (hazmon-sim setup), grown to
#      POINTS each in PostgreSQL (tests/bench/expand_points.py), hazmond restarted to load them;
#   2. the maximum rate: an unpaced run of MAX_S seconds (or MAX_RATE=readings/s given);
#   3. hazmon-sim at half of it for DURATION seconds; hazmond's RSS sampled every SAMPLE_S.
# Usage: tests/bench/rss_bench.sh [duration_s] [enterprises] [points] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-600}
ENTERPRISES=${2:-50}
POINTS=${3:-2000}
CONNS=${4:-128}
export WORKERS=${WORKERS:-128}
MAX_S=${MAX_S:-15}
SAMPLE_S=${SAMPLE_S:-10}
source tests/bench/lib.sh
start_hazmond
sim_setup_fast "$ENTERPRISES" "$POINTS"
NPOINTS=$("${PSQL[@]}" -c "SELECT count(*) FROM monitoring_point WHERE is_active")
if [[ -z "${MAX_RATE:-}" ]]; then
  MAX_RATE=$("$SIM" run --config "$WORK/sim.json" --rate 10000000 --duration "$MAX_S" --connections "$CONNS" --json 2>/dev/null | jget readings_per_s)
fi
HALF=$(awk -v m="$MAX_RATE" 'BEGIN {printf "%.0f", m/2}')
LOAD0=$(load_now)
# Half the maximum in real time (no compressed time): every point reports every PERIOD seconds,
# PERIOD = points / rate, so collect times are current and no point looks offline.
PERIOD=$(awk -v p="$NPOINTS" -v r="$HALF" 'BEGIN {printf "%.2f", p / r}')
"$SIM" run --config "$WORK/sim.json" --period "$PERIOD" --duration "$DURATION" --connections "$CONNS" --json \
  > "$WORK/sim-out.json" 2> "$WORK/sim-err.log" &
SIM_PID=$!
START=$(date +%s)
: > "$WORK/rss.tsv"
while kill -0 "$SIM_PID" 2>/dev/null; do
  echo -e "$(( $(date +%s) - START ))\t$(ps -o rss= -p "$HZ_PID" | tr -d ' ')" >> "$WORK/rss.tsv"
  sleep "$SAMPLE_S"
done
wait "$SIM_PID" || true
SIM_PID=
LOAD1=$(load_now)
# RSS at minute 2 and at the end (minute 10 for the default duration): the nearest samples.
read -r R2 REND GROWTH < <(awk -v d="$DURATION" '
  { t[NR] = $1; r[NR] = $2 }
  END { for (i = 1; i <= NR; i++) { if (t[i] >= 120 && !a) a = r[i]; if (t[i] <= d) b = r[i] }
        printf "%d %d %.2f\n", a, b, a ? (b - a) * 100 / a : 0 }' "$WORK/rss.tsv")
cat <<RESULT
date: $(date -u +%Y-%m-%dT%H:%MZ)
$(machine_line)
machine load (1/5/15 min) before/after: $LOAD0 / $LOAD1
points: $NPOINTS active ($ENTERPRISES gateways x $POINTS); maximum (unpaced, ${MAX_S}s) $MAX_RATE readings/s; run at half: $HALF requested (real time, period ${PERIOD}s), $(jget readings_per_s < "$WORK/sim-out.json") achieved for ${DURATION}s, $(jget readings_acked < "$WORK/sim-out.json") readings, upload p99 $(jget latency_ms p99 < "$WORK/sim-out.json") ms, failed uploads $(jget failed_uploads < "$WORK/sim-out.json")
hazmond RSS (KiB) every ${SAMPLE_S}s: $(cut -f2 "$WORK/rss.tsv" | tr '\n' ' ')
RSS minute 2 -> end: $R2 -> $REND KiB, growth $GROWTH %
RESULT
awk -v g="$GROWTH" 'BEGIN { exit !(g <= 5) }'
