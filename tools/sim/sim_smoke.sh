#!/usr/bin/env bash
# Smoke test of hazmon-sim against a real hazmond (ctest sim_smoke, fixture pg):
#   sim_smoke.sh HAZMOND HAZMON_SIM PG_DIR
# Starts `hazmond serve` on a fresh database of the test cluster with the demo admin, runs
# `hazmon-sim setup` twice (3 enterprises × 20 points; the second run must reuse everything) and
# `hazmon-sim run --duration 10 --rate 2000 --json`, then checks with the server's own API and
# with psql that what the server stored equals what the simulator says was accepted.
set -euo pipefail

hazmond=$1 sim=$2 pgdir=$3
t_start=$(date +%s.%N)
work=$(mktemp -d "${TMPDIR:-/tmp}/hazmon-sim-smoke.XXXXXX")
db="sim_smoke_$(date +%s)_$$"
server_pid=""
psql_() { psql -h "$pgdir/run" -p 5432 -U hazmon -X -q -v ON_ERROR_STOP=1 "$@"; }

cleanup() {
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  psql_ -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  if [[ -f $work/server.log ]]; then
    echo "--- hazmond output (last 40 lines)" >&2
    tail -n 40 "$work/server.log" >&2
    [[ -n "${HAZMON_KEEP_LOG:-}" ]] && cp "$work/server.log" "$HAZMON_KEEP_LOG"
  fi
  exit 1
}

stamp() { python3 -c "import sys; print(f'[{float(sys.argv[2]) - float(sys.argv[1]):5.1f}s] ' + sys.argv[3])" "$t_start" "$(date +%s.%N)" "$1"; }

# JSON field from a file: jget FILE 'python expression on d'
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

psql_ -d postgres -c "CREATE DATABASE $db" >/dev/null
cat >"$work/hazmond.json" <<EOF
{"state_dir": "$work/var", "log": {"level": "warn"},
 "http": {"port": 0, "listen_address": "127.0.0.1", "shutdown_grace_ms": 3000},
 "demo": {"enabled": true, "admin_user": "admin"}}
EOF
HAZMON_DB_DSN="host=$pgdir/run port=5432 user=hazmon dbname=$db" \
  "$hazmond" serve --config "$work/hazmond.json" >"$work/server.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 600); do
  port=$(sed -n 's|.*serving https://localhost:\([0-9][0-9]*\)/.*|\1|p' "$work/server.log" | head -n 1)
  [[ -n $port ]] && break
  kill -0 "$server_pid" 2>/dev/null || fail "hazmond exited during start-up"
  sleep 0.1
done
[[ -n $port ]] || fail "hazmond did not print its port within 60 s"
url="https://127.0.0.1:$port"
stamp "hazmond serving $url (database $db)"

# --- setup, twice: the second must reuse the enterprises, points and credentials
"$sim" setup --url "$url" --user admin --password-file "$work/var/admin-password" \
  --enterprises 3 --points 20 --out "$work/sim.json" || fail "setup exited $?"
cp "$work/sim.json" "$work/sim.first.json"
"$sim" setup --url "$url" --user admin --password-file "$work/var/admin-password" \
  --enterprises 3 --points 20 --out "$work/sim.json" || fail "second setup exited $?"
summary='[(e["company_code"], e["gateway_code"], e["bearer"], [p["quota_code"] for p in e["points"]]) for e in d["enterprises"]]'
first=$(jget "$work/sim.first.json" "$summary")
second=$(jget "$work/sim.json" "$summary")
[[ $first == "$second" ]] ||
  fail "the second setup changed the simulator file"
companies=$(jget "$work/sim.json" '" ".join(e["company_code"] for e in d["enterprises"])')
[[ $(wc -w <<<"$companies") == 3 ]] || fail "setup did not write 3 enterprises: $companies"
[[ $(jget "$work/sim.json" 'sum(len(e["points"]) for e in d["enterprises"])') == 60 ]] || fail "setup did not write 60 points"
n_points=$(psql_ -d "$db" -Atc "SELECT count(*) FROM monitoring_point")
[[ $n_points == 60 ]] || fail "the server has $n_points monitoring points after two setups, not 60"
n_creds=$(psql_ -d "$db" -Atc "SELECT count(*) FROM api_credential")
[[ $n_creds == 3 ]] || fail "the server has $n_creds API credentials after two setups, not 3"
stamp "setup: 3 enterprises ($companies), 60 points, 3 gateway credentials; the second setup reused them"

# --- run
set +e
"$sim" run --config "$work/sim.json" --duration 10 --rate 2000 --json >"$work/run.json" 2>"$work/run.log"
rc=$?
set -e
tail -n 2 "$work/run.log"
cat "$work/run.json"
stamp "run done"
[[ $rc == 0 ]] || fail "hazmon-sim run exited $rc"
accepted=$(jget "$work/run.json" 'd["accepted"]')
rejected=$(jget "$work/run.json" 'd["rejected"]')
sent=$(jget "$work/run.json" 'd["readings_sent"]')
[[ $rejected == 0 ]] || fail "the server rejected $rejected readings"
[[ $accepted == "$sent" ]] || fail "accepted $accepted of $sent readings"
# 2000 readings/s for 10 s; dropouts and a loaded machine may cost some, not half.
((accepted >= 10000)) || fail "only $accepted readings accepted in 10 s at --rate 2000"
[[ $(jget "$work/run.json" 'd["failed_uploads"]') == 0 ]] || fail "some uploads failed"

# --- what the server has
stored=$(psql_ -d "$db" -Atc "SELECT count(*) FROM reading")
[[ $stored == "$accepted" ]] || fail "the reading table holds $stored rows; the simulator was told $accepted were accepted"

token=$(curl -sk "$url/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$(head -n 1 "$work/var/admin-password")\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
# One curl for every point's history (kept-alive connection), one python to add them up.
curl_args=()
for c in $companies; do
  curl -sk -H "Authorization: Bearer $token" "$url/api/v1/readings/latest?company_code=$c&limit=1000" >"$work/latest.json"
  n=$(jget "$work/latest.json" 'sum(1 for i in d["items"] if i["collect_ts"] is not None)')
  [[ $n == 20 ]] || fail "enterprise $c: $n of 20 points have a latest reading"
  for q in $(jget "$work/latest.json" '" ".join(i["quota_code"] for i in d["items"])'); do
    curl_args+=("$url/api/v1/points/$q/history?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&limit=100000"
      -o "$work/history/$q.json")
  done
done
mkdir -p "$work/history"
curl -sk --fail -H "Authorization: Bearer $token" "${curl_args[@]}" || fail "a history request failed"
api_total=$(python3 -c 'import json,sys,glob; fs=glob.glob(sys.argv[1] + "/*.json"); assert len(fs) == 60, len(fs); print(sum(len(json.load(open(f))["items"]) for f in fs))' "$work/history") ||
  fail "the history answers are not 60 JSON documents"
[[ $api_total == "$accepted" ]] || fail "the history API returns $api_total readings; the simulator was told $accepted"

stamp "PASS: $accepted readings accepted, stored and served back (psql and /history), 0 rejected"
