#!/usr/bin/env bash
# The big screen (/screen) left open with live data (issue 10: 24 hours without leaking memory):
# a throw-away hazmond with the demo's data (the notice's roster, 20 simulated gateways × 20
# points in real time, as ./scripts/run.sh does) and, every 20 s, one point pushed above HH and
# back (a live alarm raised and cleared, so the stream, the feed, the map and the warnings move),
# while tests/bench/screen_soak.mjs samples the page's heap and DOM.
# Usage: tests/bench/screen_soak.sh [minutes=10]   (EVERY=S: seconds between samples, default 30)
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES=${1:-10}
PORT=18549
[[ -f web/dist/index.html ]] || { echo "no web/dist/index.html: scripts/setup.sh builds the dashboard" >&2; exit 2; }
source tests/bench/lib.sh
start_hazmond
echo "date: $(date -u +%Y-%m-%dT%H:%MZ), minutes: $MINUTES"
machine_line
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
for _ in $(seq 1 300); do [[ -s "$WORK/var/admin-password" ]] && break; sleep 0.2; done  # the demo's first start
sim_setup 20 20
"$SIM" run --config "$WORK/sim.json" > "$WORK/sim.log" 2>&1 &
SIM_PID=$!
# Live alarms: the first enterprise's first point (a tank level, HH 18 m) to 19.5 m, then back.
python3 - "$WORK/sim.json" "$MINUTES" > "$WORK/alarms.log" 2>&1 <<'PY' &
import json, ssl, sys, time, urllib.request, datetime
cfg = json.load(open(sys.argv[1])); end = time.time() + float(sys.argv[2]) * 60
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
n = 0
while time.time() < end:
    for e in cfg['enterprises'][:3]:
        p = e['points'][0]
        v = p['hh'] + 1.5 if n % 2 == 0 else (p['h'] + (p['l'] or 0)) / 2
        now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
        body = {"companyCode": e['company_code'], "gatewayCode": e['gateway_code'], "dataId": f"soak-{n}-{e['company_code']}",
                "reportType": "realtime", "sendTime": now, "datas": [{"quotaCode": p['quota_code'], "collectTime": now, "value": v}]}
        req = urllib.request.Request(cfg['url'] + '/api/v1/upload/realtime', data=json.dumps(body).encode(),
                                     headers={'Content-Type': 'application/json', 'Authorization': 'Bearer ' + e['bearer']})
        urllib.request.urlopen(req, context=ctx).read()
    n += 1
    time.sleep(20)
print('uploads', n)
PY
node tests/bench/screen_soak.mjs --url "$URL" --user admin --password "$(cat "$WORK/var/admin-password")" --minutes "$MINUTES" --every "${EVERY:-30}"
echo "alarms in the database: $("${PSQL[@]}" -c "SELECT count(*) FROM alarm") episodes, $("${PSQL[@]}" -c "SELECT count(*) FROM warning_event") warning events"
