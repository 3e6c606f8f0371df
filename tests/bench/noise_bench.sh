#!/usr/bin/env bash
# Alarm noise on a replayed noisy trace (issue 3): alarms raised <= 20 % of the naive threshold
# crossings, no sustained exceedance without an alarm, no unsuppressed alarm inside a filed
# shut-down window.
#   1. hazmon-sim plays ENTERPRISES x POINTS with --noise-profile noisy (jitter around limits,
#      spikes, sustained excursions, dropouts, bad-quality readings) against its own sink and
#      records every upload (--record): the trace;
#   2. shut-down windows are filed through POST /api/v1/filings for the first WINDOWS
#      enterprises over the middle quarter of the trace's collect times;
#   3. the trace is replayed into hazmond (hazmon-sim replay) and tests/bench/noise_analyze.py
#      compares it with the alarm episodes in PostgreSQL.
# Usage: tests/bench/noise_bench.sh [record_s] [enterprises] [points] [rate]
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORD_S=${1:-20}
ENTERPRISES=${2:-20}
POINTS=${3:-20}
RATE=${4:-20000}
WINDOWS=${WINDOWS:-3}
source tests/bench/lib.sh
start_hazmond
sim_setup "$ENTERPRISES" "$POINTS"
SINK_PORT=$((PORT + 1))
"$SIM" sink --port "$SINK_PORT" > "$WORK/sink.log" 2>&1 &
SINK_PID=$!
sleep 1
"$SIM" run --config "$WORK/sim.json" --url "https://127.0.0.1:$SINK_PORT" --noise-profile noisy --rate "$RATE" \
  --duration "$RECORD_S" --record "$WORK/trace.jsonl" --json > "$WORK/record.json" 2>/dev/null
kill "$SINK_PID"; wait "$SINK_PID" 2>/dev/null || true
# Alarm settings: SETTINGS=isa (default) gives the analog points the deadbands and on-delays
# that ANSI/ISA-18.2 suggests as a starting point per signal type (level 5 % of range / 60 s,
# pressure 2 % / 15 s, temperature 1 % / 60 s; gas 2 % / 30 s); SETTINGS=setup keeps what
# hazmon-sim setup made (deadband 0, debounce 30 s). The filing below makes hazmond reload them.
SETTINGS=${SETTINGS:-isa}
if [[ "$SETTINGS" == isa ]]; then
  "${PSQL[@]}" -c "UPDATE monitoring_point SET
    deadband = (range_high - range_low) * CASE indicator_type WHEN 'level' THEN 0.05 WHEN 'pressure' THEN 0.02
                                                              WHEN 'temperature' THEN 0.01 ELSE 0.02 END,
    debounce_s = CASE indicator_type WHEN 'level' THEN 60 WHEN 'pressure' THEN 15 WHEN 'temperature' THEN 60 ELSE 30 END
    WHERE value_kind = 'analog' AND range_high IS NOT NULL AND range_low IS NOT NULL"
fi
TOKEN=$(curl -sk "$URL/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$(cat "$WORK/var/admin-password")\"}" | jget token)
# The middle quarter of the trace's collect times, for the first WINDOWS enterprises.
python3 - "$WORK/trace.jsonl" "$WORK/sim.json" "$WINDOWS" > "$WORK/windows.json" <<'PY'
import datetime, json, sys
tz = datetime.timezone(datetime.timedelta(hours=8))
lo, hi = float("inf"), 0.0
for line in open(sys.argv[1]):
    for it in json.loads(line).get("datas", []):
        t = datetime.datetime.strptime(it["collectTime"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz).timestamp()
        lo, hi = min(lo, t), max(hi, t)
span = hi - lo
start, end = lo + span * 0.375, lo + span * 0.625
ents = json.load(open(sys.argv[2]))["enterprises"][: int(sys.argv[3])]
print(json.dumps([{"company_code": e["company_code"], "target_kind": "enterprise", "target_code": e["company_code"],
                   "start": start, "end": end} for e in ents]))
PY
python3 - "$WORK/windows.json" <<'PY' | while read -r body; do
import datetime, json, sys
for w in json.load(open(sys.argv[1])):
    iso = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    print(json.dumps({"company_code": w["company_code"], "target_kind": "enterprise", "filing_type": "shutdown",
                      "starts_at": iso(w["start"]), "ends_at": iso(w["end"]), "reason": "停车检修（基准测试）", "person": "bench"}))
PY
  code=$(curl -sk -o /dev/null -w '%{http_code}' "$URL/api/v1/filings" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d "$body")
  [[ "$code" == 201 ]] || { echo "filing refused: $code $body"; exit 1; }
done
sleep 1
LOAD0=$(load_now)
"$SIM" replay --config "$WORK/sim.json" --trace "$WORK/trace.jsonl" --json > "$WORK/replay.json" 2>/dev/null || true
LOAD1=$(load_now)
sleep 2
RESULT=$(python3 tests/bench/noise_analyze.py --trace "$WORK/trace.jsonl" --windows "$WORK/windows.json" \
  --dsn "host=$WORK/var/pg/run port=5432 user=hazmon dbname=hazmon") || RC=$?
cat <<OUT
date: $(date -u +%Y-%m-%dT%H:%MZ)
$(machine_line)
machine load (1/5/15 min) before/after the replay: $LOAD0 / $LOAD1
alarm settings: $SETTINGS
trace: $ENTERPRISES gateways x $POINTS points, noisy profile, ${RECORD_S}s at $RATE readings/s ($(jget time_compression < "$WORK/record.json")x simulated time), $(wc -l < "$WORK/trace.jsonl") uploads
replay: $(jget readings_acked < "$WORK/replay.json") readings acknowledged, $(jget rejected < "$WORK/replay.json") rejected, $(jget failed_uploads < "$WORK/replay.json") failed uploads
analysis: $RESULT
OUT
exit "${RC:-0}"
