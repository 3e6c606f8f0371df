#!/usr/bin/env bash
# The big screen (/screen) left open with live data (issue 10: 24 hours without leaking memory):
# a throw-away hazmond with the demo's data (the notice's roster, 20 simulated gateways × 20
# points in real time, as ./scripts/run.sh does), cameras on an RTSP relay so that the 3×3 video
# wall plays HLS, and, every 20 s, one point of each of three enterprises pushed above HH and back
# (live alarms raised and cleared, so the stream, the feed, the map, the warnings and the video
# wall's choice move), while tests/bench/screen_soak.mjs samples the page's heap and DOM.
#
# Usage: tests/bench/screen_soak.sh [minutes=10] [pace=1]
#   pace P opens /screen?pace=P (the page's timers P times faster, web/src/screen.ts) and pushes
#   the alarms P times as often: 60 minutes at pace 24 are the page's work of 24 hours.
#   EVERY=S: seconds between samples (default 30)  CAMERAS=N (default 4; 0: no video)
#   SNAPSHOTS=1: heap snapshots at the middle and the end, their difference by constructor
#   PORT, RTSP_PORT, TS_PORT: to run two soaks side by side.
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES=${1:-10}
PACE=${2:-1}
CAMERAS=${CAMERAS:-4}
PORT=${PORT:-18549}
RTSP_PORT=${RTSP_PORT:-18664}
TS_PORT=${TS_PORT:-15124}
CLIP=tests/data/video-eval/furg_house6.mp4
[[ -f web/dist/index.html ]] || { echo "no web/dist/index.html: scripts/setup.sh builds the dashboard" >&2; exit 2; }
if (( CAMERAS > 0 )) && ! /usr/bin/python3 -c 'import gi; gi.require_version("GstRtspServer", "1.0")' 2>/dev/null; then
  echo "gst-rtsp-server for Python is missing (scripts/setup.sh): running without cameras" >&2
  CAMERAS=0
fi
source tests/bench/lib.sh
# The dashboard as built now, copied: rebuilding web/dist during a long run does not pull the
# page's lazy chunks away from under it.
cp -r web/dist "$WORK/dist"
HTTP_EXTRA_JSON="\"static_dir\": \"$WORK/dist\""
RELAY_PID= FEED_PID=
if (( CAMERAS > 0 )); then
  # One relay and one feeder (the test clip, 426×240 H.264, looped in real time), every camera
  # reading it; recording on (the wall plays cameras that record), no analysers; loopback allowed.
  HAZMOND_EXTRA_JSON="\"video\": {\"enabled\": true, \"models_dir\": \"$PWD/models\", \"segment_s\": 2, \"live_segments\": 5,
    \"max_recording_gb\": 2, \"allowed_networks\": {\"*\": [\"127.0.0.1/32\"]}}${HAZMOND_EXTRA_JSON:+, $HAZMOND_EXTRA_JSON}"
  /usr/bin/python3 tests/support/gst_rtsp_relay.py "$RTSP_PORT" /cam "$TS_PORT" > "$WORK/relay.log" 2>&1 &
  RELAY_PID=$!
  for _ in $(seq 1 100); do grep -q serving "$WORK/relay.log" && break; sleep 0.2; done
  ffmpeg -nostdin -loglevel error -re -stream_loop -1 -i "$CLIP" -c copy -f mpegts "udp://127.0.0.1:$TS_PORT?pkt_size=1316" \
    > "$WORK/feeder.log" 2>&1 &
  FEED_PID=$!
fi
soak_cleanup() {
  [[ -n "$FEED_PID" ]] && kill "$FEED_PID" 2>/dev/null || true
  [[ -n "$RELAY_PID" ]] && kill "$RELAY_PID" 2>/dev/null || true
  bench_cleanup
}
trap soak_cleanup EXIT
start_hazmond
echo "date: $(date -u +%Y-%m-%dT%H:%MZ), commit: $(git rev-parse --short HEAD), minutes: $MINUTES, pace: $PACE, cameras: $CAMERAS"
machine_line
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
for _ in $(seq 1 300); do [[ -s "$WORK/var/admin-password" ]] && break; sleep 0.2; done  # the demo's first start
sim_setup 20 20
"$SIM" run --config "$WORK/sim.json" > "$WORK/sim.log" 2>&1 &
SIM_PID=$!
TOKEN=$(curl -sk -H 'Content-Type: application/json' -d "{\"username\": \"admin\", \"password\": \"$(cat "$WORK/var/admin-password")\"}" \
  "$URL/api/v1/auth/login" | jget token)
if (( CAMERAS > 0 )); then
  # One camera each on the first CAMERAS enterprises (the first three get the live alarms).
  python3 - "$WORK/sim.json" "$CAMERAS" "rtsp://127.0.0.1:$RTSP_PORT/cam" "$TOKEN" <<'PY2'
import json, ssl, sys, urllib.request
cfg = json.load(open(sys.argv[1])); n = int(sys.argv[2])
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
for i, e in enumerate(cfg['enterprises'][:n]):
    body = {"video_id": f"SOAKCAM{i + 1:02d}", "company_code": e['company_code'], "name": f"罐区球机{i + 1}",
            "scene_type": "tank_farm", "location": "罐区", "rtsp_url": sys.argv[3], "record": True}
    req = urllib.request.Request(cfg['url'] + '/api/v1/cameras', data=json.dumps(body).encode(),
                                 headers={'Content-Type': 'application/json', 'Authorization': 'Bearer ' + sys.argv[4]})
    urllib.request.urlopen(req, context=ctx).read()
print('cameras', n)
PY2
fi
# Live alarms: the first three enterprises' first point (a tank level, HH 18 m; its debounce set to
# 0 so that every push raises or clears) to HH + 1.5, then back, every 20 s / pace. Every third
# round the warning events that have been pushed are disposed of to the end (the enterprise's
# user gives feedback, its city's officer checks, the admin closes), so that the next raise makes
# a new event: the newest warning moves between the three enterprises and the video wall reopens.
python3 - "$WORK/sim.json" "$MINUTES" "$PACE" "$TOKEN" > "$WORK/alarms.log" 2>&1 <<'PY' &
import json, ssl, sys, time, urllib.request, datetime, secrets
cfg = json.load(open(sys.argv[1])); end = time.time() + float(sys.argv[2]) * 60
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
def call(token, method, path, body=None):
    req = urllib.request.Request(cfg['url'] + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={'Content-Type': 'application/json', 'Authorization': 'Bearer ' + token})
    return json.loads(urllib.request.urlopen(req, context=ctx).read() or b'null')
ADMIN = sys.argv[4]
def user(name, role, scope):
    pw = 'Soak-' + secrets.token_hex(8) + '!'
    call(ADMIN, 'POST', '/api/v1/users', {"username": name, "password": pw, "role": role, "scope": scope, "display_name": name})
    return call('', 'POST', '/api/v1/auth/login', {"username": name, "password": pw})['token']
ents = cfg['enterprises'][:3]
enterprise_tok, city_tok = {}, {}
for i, e in enumerate(ents):
    call(ADMIN, 'PATCH', '/api/v1/monitoring-points/' + e['points'][0]['quota_code'], {"debounce_s": 0})
    enterprise_tok[e['company_code']] = user(f'soak_ent{i}', 'enterprise_user', {"kind": "enterprise", "code": e['company_code']})
    city = call(ADMIN, 'GET', '/api/v1/enterprises/' + e['company_code'])['region_code'][:4] + '00'
    if city not in city_tok:
        city_tok[city] = user(f'soak_city{city}', 'city_officer', {"kind": "region", "code": city})
    city_tok[e['company_code']] = city_tok[city]
n = errors = closed = 0
def note(*a):  # never fatal (a full disk once killed the pusher mid-run)
    try: print(*a, flush=True)
    except Exception: pass
while time.time() < end:
    for e in ents:
        p = e['points'][0]
        v = p['hh'] + 1.5 if n % 2 == 0 else (p['h'] + (p['l'] or 0)) / 2
        now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='milliseconds').replace('+00:00', 'Z')
        body = {"companyCode": e['company_code'], "gatewayCode": e['gateway_code'], "dataId": f"soak-{n}-{e['company_code']}",
                "reportType": "realtime", "sendTime": now, "datas": [{"quotaCode": p['quota_code'], "collectTime": now, "value": v}]}
        try:
            call(e['bearer'], 'POST', '/api/v1/upload/realtime', body)
        except Exception as x:  # counted, not fatal: the page is what is measured
            errors += 1
            if errors <= 5: note('upload error', x)
    if n % 3 == 2:
        try:
            for w in call(ADMIN, 'GET', '/api/v1/warning-events?status=pushed&limit=50')['items']:
                c, path = w['company_code'], f"/api/v1/warning-events/{w['id']}/transitions"
                if c not in enterprise_tok: continue
                call(enterprise_tok[c], 'POST', path, {"action": "feedback", "cause": "false_alarm", "measures": "大屏浸泡测试", "text": "测试数据"})
                call(city_tok[c], 'POST', path, {"action": "check", "text": "已核查"})
                call(ADMIN, 'POST', path, {"action": "close", "text": "关闭"})
                closed += 1
        except Exception as x:
            errors += 1
            if errors <= 5: note('disposal error', x)
    n += 1
    if n % 100 == 0: note('rounds', n, 'closed', closed, 'errors', errors)
    time.sleep(20 / float(sys.argv[3]))
print('upload rounds', n, 'of 3 points each, warning events closed', closed, 'errors', errors)
PY
node tests/bench/screen_soak.mjs --url "$URL" --user admin --password "$(cat "$WORK/var/admin-password")" --minutes "$MINUTES" --every "${EVERY:-30}" --pace "$PACE" --snapshots "${SNAPSHOTS:-0}"
echo "alarm pusher: $(cat "$WORK/alarms.log" | tail -1)"
echo "alarms in the database: $("${PSQL[@]}" -c "SELECT count(*) FROM alarm") episodes, $("${PSQL[@]}" -c "SELECT count(*) FROM warning_event") warning events"
