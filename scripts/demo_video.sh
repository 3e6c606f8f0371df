#!/usr/bin/env bash
# Demo cameras for `scripts/run.sh`: two "cameras" made from evaluation clips, each served by a
# real RTSP server on loopback (gst-rtsp-server through tests/support/gst_rtsp_relay.py) fed by an
# ffmpeg that loops the clip without re-encoding, and their camera rows created through the API:
#   DEMOCR01  中控室 (control room) with the leave-post analyser  ← opencv_vtest_leavepost.mp4
#   DEMOFR01  罐区 (tank farm) with fire and smoke, recorded      ← furg_house6.mp4
# Their events then appear in the review queue (GET /api/v1/video/events?state=pending) with
# snapshot and clip. Runs in the foreground until TERM/INT, then stops the relays and feeders it
# started (by PID).
# usage: scripts/demo_video.sh URL ADMIN_USER PASSWORD_FILE
set -uo pipefail
cd "$(dirname "$0")/.."
URL=${1:-https://127.0.0.1:8443}
ADMIN=${2:-admin}
PWFILE=${3:-var/admin-password}
CLIPS=${HAZMON_VIDEO_CLIPS:-tests/data/video-eval}
RELAY=tests/support/gst_rtsp_relay.py
LOG=var/video-demo.log
mkdir -p var
PIDS=()
SLEEPER=
stop() {
  [[ -n "$SLEEPER" ]] && kill "$SLEEPER" 2>/dev/null
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  exit 0
}
trap stop INT TERM

skip() { echo "video demo: $1; the server runs without demo cameras" >&2; exit 0; }
[[ -f "$RELAY" ]] || skip "$RELAY is missing"
[[ -f "$CLIPS/opencv_vtest_leavepost.mp4" && -f "$CLIPS/furg_house6.mp4" ]] || skip "the clips are not in $CLIPS"
command -v ffmpeg >/dev/null || skip "ffmpeg is not installed"
/usr/bin/python3 -c 'import gi; gi.require_version("GstRtspServer", "1.0")' 2>/dev/null ||
  skip "gst-rtsp-server for Python is not installed (scripts/setup.sh)"

# name  rtsp-port  mount  udp-port  clip
start_camera() {
  /usr/bin/python3 "$RELAY" "$2" "$3" "$4" >> "$LOG" 2>&1 &
  PIDS+=($!)
  sleep 0.5
  ffmpeg -nostdin -loglevel error -re -stream_loop -1 -i "$5" -c copy -an \
    -f mpegts "udp://127.0.0.1:$4?pkt_size=1316" >> "$LOG" 2>&1 &
  PIDS+=($!)
  echo "video demo: $1 on rtsp://127.0.0.1:$2$3 (clip $(basename "$5"))"
}
start_camera 中控室 8554 /leavepost 5004 "$CLIPS/opencv_vtest_leavepost.mp4"
start_camera 罐区 8555 /fire 5006 "$CLIPS/furg_house6.mp4"

api() {  # METHOD PATH [BODY] → prints "STATUS BODY"
  curl -sk -o /tmp/hazmon-demo-video.$$ -w '%{http_code}' -X "$1" "$URL$2" -H "Authorization: Bearer $TOKEN" \
    -H 'content-type: application/json' ${3:+--data "$3"}
  echo " $(cat /tmp/hazmon-demo-video.$$)"
  rm -f /tmp/hazmon-demo-video.$$
}
PASSWORD=$(cat "$PWFILE" 2>/dev/null) || skip "no admin password in $PWFILE"
TOKEN=$(curl -sk "$URL/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"$ADMIN\",\"password\":\"$PASSWORD\"}" |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get("token",""))' 2>/dev/null)
[[ -n "$TOKEN" ]] || skip "cannot log in as $ADMIN"
COMPANY=$(api GET '/api/v1/enterprises?limit=1' | cut -d' ' -f2- |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["company_code"])' 2>/dev/null)
[[ -n "$COMPANY" ]] || skip "no enterprise to attach the cameras to"

ALL_DAY='[{"days":[1,2,3,4,5,6,7],"from":"00:00","to":"23:59"}]'
# The clip's operators leave at about 20 s and the clip loops at 30 s: a short absence time so
# that the demo shows the event (the default is 10 minutes).
camera() {  # VIDEO_ID BODY-WITHOUT-KEYS
  local r
  r=$(api POST /api/v1/cameras "{\"video_id\":\"$1\",\"company_code\":\"$COMPANY\",$2}")
  if [[ "${r%% *}" == 409 ]]; then r=$(api PATCH "/api/v1/cameras/$1" "{$2}"); fi
  echo "video demo: camera $1 → HTTP ${r%% *}"
}
camera DEMOCR01 '"name":"中控室（演示）","scene_type":"control_room","location":"综合楼二层中控室",
  "rtsp_url":"rtsp://127.0.0.1:8554/leavepost","analysers":[{"type":"leave_post","absent_s":5,"interval_s":1}],
  "duty_schedule":'"$ALL_DAY"
camera DEMOFR01 '"name":"罐区东侧球机（演示）","scene_type":"tank_farm","location":"储罐区东北角",
  "rtsp_url":"rtsp://127.0.0.1:8555/fire","record":true,"analysers":[{"type":"fire_smoke","fire":{"interval_s":1},"smoke":{"interval_s":1}}]'
echo "video demo: events for review at $URL/api/v1/video/events?state=pending (log: $LOG)"
while :; do
  sleep 3600 &
  SLEEPER=$!
  wait "$SLEEPER"
done
