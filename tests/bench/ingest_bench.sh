#!/usr/bin/env bash
# Readings through the whole path (HTTPS, JSON, validation, rules, group commit with COPY into
# PostgreSQL) driven by hazmon-sim on the same machine, beside psql \copy of the same rows into
# the same table in the same run.
# Usage: tests/bench/ingest_bench.sh [duration_s] [enterprises] [points] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-20}
ENTERPRISES=${2:-182}
POINTS=${3:-50}
CONNS=${4:-128}
# Upload handlers wait for their group commit on an HTTP worker thread: the workers bound how
# many uploads (and so how many readings) one group can hold.
WORKERS=${WORKERS:-128}
export WORKERS
PORT=18543
source tests/bench/lib.sh
start_hazmond
# SETUP=api: every point through the API (hazmon-sim setup; about 50 points/s, see
# points_bench.sh); default: 20 per enterprise through the API, the rest
# copied in PostgreSQL (tests/bench/expand_points.py) and hazmond restarted.
if [[ "${SETUP:-fast}" == api ]]; then sim_setup "$ENTERPRISES" "$POINTS"; else sim_setup_fast "$ENTERPRISES" "$POINTS"; fi
RSS0=$(ps -o rss= -p "$HZ_PID")
# PERF_OUT=file: a system-wide perf profile (call graphs) of the run, for finding what dominates.
if [[ -n "${PERF_OUT:-}" ]]; then
  perf record -a -g -o "$PERF_OUT" -- sleep "$DURATION" >/dev/null 2>&1 &
  PERF_PID=$!
fi
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
SIM_OUT=$("$SIM" run --config "$WORK/sim.json" --rate 1000000 --duration "$DURATION" --connections "$CONNS" --json 2>/dev/null)
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
[[ -n "${PERF_PID:-}" ]] && wait "$PERF_PID" || true
RSS1=$(ps -o rss= -p "$HZ_PID")
ROWS=$("${PSQL[@]}" -c "SELECT count(*) FROM reading")
ALARMS=$("${PSQL[@]}" -c "SELECT count(*) FROM alarm")
# The reference: the same rows, exported and COPY'd back into the same table by psql.
"${PSQL[@]}" -c "\\copy (SELECT point_id, collect_ts, value, quality, received_ts FROM reading) TO '$WORK/rows.tsv'"
START=$(date +%s.%N)
"${PSQL[@]}" -c "\\copy reading (point_id, collect_ts, value, quality, received_ts) FROM '$WORK/rows.tsv'"
END=$(date +%s.%N)
COPY_RATE=$(awk -v n="$ROWS" -v a="$START" -v b="$END" 'BEGIN {printf "%.0f", n/(b-a)}')
RATE=$(echo "$SIM_OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["readings_per_s"])')
P99=$(echo "$SIM_OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["latency_ms"]["p99"])')
ACC=$(echo "$SIM_OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["accepted"], s["rejected"], s.get("http_503", s.get("busy", "?")))')
cat <<RESULT
date: $(date -u +%Y-%m-%dT%H:%MZ)
$(machine_line)
machine load (1/5/15 min) before/after: $LOAD0 / $LOAD1
load: hazmon-sim, $ENTERPRISES gateways x $POINTS points, $CONNS connections, ${DURATION}s, unpaced; hazmond $WORKERS HTTP workers
hazmond: ${RATE} readings/s acknowledged (durable), upload p99 ${P99} ms; accepted/rejected/503: ${ACC}; stored rows ${ROWS}; alarm episodes ${ALARMS}; RSS ${RSS0} -> ${RSS1} KiB
psql \\copy of the same ${ROWS} rows into the same table: ${COPY_RATE} rows/s
ratio hazmond/COPY: $(awk -v a="$RATE" -v b="$COPY_RATE" 'BEGIN {printf "%.3f", a/b}')
RESULT
echo "$SIM_OUT" >&2
