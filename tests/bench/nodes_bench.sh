#!/usr/bin/env bash
# Ingest through one node and through two nodes sharing one PostgreSQL (docs/scaling.md,
# ADR 0028), with the psql \copy reference of the same rows beside it, as ingest_bench.sh.
# Usage: MODE=one|one-cluster|two tests/bench/nodes_bench.sh [duration_s] [enterprises] [points] [connections]
#   one          a single node, node.cluster false (the ingest_bench.sh set-up)
#   one-cluster  a single node with node.cluster true (the cost of the lock and the saved state)
#   two          two nodes with node.cluster true on the same PostgreSQL (node A's embedded one);
#                the gateways are split in halves, each half sends to one node (as HAProxy's
#                `balance source` keeps a gateway on one node); the rates are summed.
set -euo pipefail
cd "$(dirname "$0")/../.."
MODE=${MODE:-two}
DURATION=${1:-20}
ENTERPRISES=${2:-182}
POINTS=${3:-50}
CONNS=${4:-128}
WORKERS=${WORKERS:-128}
export WORKERS
PORT=18643
source tests/bench/lib.sh
CLUSTER=false
[[ "$MODE" != one ]] && CLUSTER=true
# Set for the whole script: sim_setup_fast restarts node A through start_hazmond again.
HAZMOND_EXTRA_JSON="\"node\": {\"id\": \"bench-a\", \"cluster\": $CLUSTER}"
start_hazmond
sim_setup_fast "$ENTERPRISES" "$POINTS"
DSN="host=$WORK/var/pg/run port=5432 user=hazmon dbname=hazmon"
B_PID=
if [[ "$MODE" == two ]]; then
  mkdir -p "$WORK/b/var"
  cp "$WORK/var/server.key" "$WORK/b/var/server.key"
  cat > "$WORK/b/hazmond.json" <<JSON
{"state_dir": "$WORK/b/var", "log": {"level": "${LOG_LEVEL:-warn}"},
 "http": {"port": $((PORT + 1)), "listen_address": "127.0.0.1", "io_threads": 2, "worker_threads": $WORKERS, "max_connections_per_address": 4096},
 "node": {"id": "bench-b", "cluster": true}}
JSON
  HAZMON_DB_DSN="$DSN" "$HAZMOND" serve --config "$WORK/b/hazmond.json" >> "$WORK/b/hazmond.log" 2>&1 &
  B_PID=$!
  trap 'kill $B_PID 2>/dev/null; wait $B_PID 2>/dev/null; bench_cleanup' EXIT
  for _ in $(seq 1 300); do curl -sk "https://127.0.0.1:$((PORT + 1))/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  python3 - "$WORK/sim.json" "https://127.0.0.1:$((PORT + 1))" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
ents = doc["enterprises"]
a, b = dict(doc), dict(doc)
a["enterprises"], b["enterprises"] = ents[0::2], ents[1::2]
b["url"] = sys.argv[2]
json.dump(a, open(sys.argv[1].replace("sim.json", "sim-a.json"), "w"))
json.dump(b, open(sys.argv[1].replace("sim.json", "sim-b.json"), "w"))
PY
fi
ALARMS0=$("${PSQL[@]}" -c "SELECT count(*) FROM alarm")
LOAD0=$(load_now)
if [[ "$MODE" == two ]]; then
  "$SIM" run --config "$WORK/sim-a.json" --rate 1000000 --duration "$DURATION" --connections $((CONNS / 2)) --json > "$WORK/out-a.json" 2>/dev/null &
  SA=$!
  "$SIM" run --config "$WORK/sim-b.json" --rate 1000000 --duration "$DURATION" --connections $((CONNS / 2)) --json > "$WORK/out-b.json" 2>/dev/null &
  SB=$!
  wait $SA $SB
  RATE=$(python3 -c 'import json,sys; print(sum(json.load(open(f))["readings_per_s"] for f in sys.argv[1:]))' "$WORK/out-a.json" "$WORK/out-b.json")
  P99=$(python3 -c 'import json,sys; print(max(json.load(open(f))["latency_ms"]["p99"] for f in sys.argv[1:]))' "$WORK/out-a.json" "$WORK/out-b.json")
  ACC=$(python3 -c 'import json,sys; s=[json.load(open(f)) for f in sys.argv[1:]]; print(sum(x["accepted"] for x in s), sum(x["rejected"] for x in s), sum(x.get("http_503", x.get("busy", 0)) for x in s))' "$WORK/out-a.json" "$WORK/out-b.json")
else
  "$SIM" run --config "$WORK/sim.json" --rate 1000000 --duration "$DURATION" --connections "$CONNS" --json > "$WORK/out-a.json" 2>/dev/null
  RATE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["readings_per_s"])' "$WORK/out-a.json")
  P99=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["latency_ms"]["p99"])' "$WORK/out-a.json")
  ACC=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["accepted"], s["rejected"], s.get("http_503", s.get("busy", "?")))' "$WORK/out-a.json")
fi
LOAD1=$(load_now)
ROWS=$("${PSQL[@]}" -c "SELECT count(*) FROM reading")
ALARMS=$("${PSQL[@]}" -c "SELECT count(*) FROM alarm")
DOUBLE=$("${PSQL[@]}" -c "SELECT count(*) FROM (SELECT point_id, alarm_type, start_ts FROM alarm GROUP BY 1, 2, 3 HAVING count(*) > 1) d")
NODES=$("${PSQL[@]}" -c "SELECT string_agg(node_id || ' seen ' || to_char(last_seen, 'HH24:MI:SS'), ', ' ORDER BY node_id) FROM node")
"${PSQL[@]}" -c "\\copy (SELECT point_id, collect_ts, value, quality, received_ts FROM reading) TO '$WORK/rows.tsv'"
START=$(date +%s.%N)
"${PSQL[@]}" -c "\\copy reading (point_id, collect_ts, value, quality, received_ts) FROM '$WORK/rows.tsv'"
END=$(date +%s.%N)
COPY_RATE=$(awk -v n="$ROWS" -v a="$START" -v b="$END" 'BEGIN {printf "%.0f", n/(b-a)}')
cat <<RESULT
date: $(date -u +%Y-%m-%dT%H:%MZ)
$(machine_line)
machine load (1/5/15 min) before/after: $LOAD0 / $LOAD1
mode: $MODE (nodes: $NODES)
load: hazmon-sim, $ENTERPRISES gateways x $POINTS points, $CONNS connections in all, ${DURATION}s, unpaced
hazmond: ${RATE} readings/s acknowledged (durable) in all, upload p99 ${P99} ms; accepted/rejected/503: ${ACC}; stored rows ${ROWS}; alarm episodes ${ALARMS0} -> ${ALARMS}; episodes of one point, type and start stored twice: ${DOUBLE}
psql \\copy of the same ${ROWS} rows into the same table: ${COPY_RATE} rows/s
ratio hazmond/COPY: $(awk -v a="$RATE" -v b="$COPY_RATE" 'BEGIN {printf "%.3f", a/b}')
RESULT
