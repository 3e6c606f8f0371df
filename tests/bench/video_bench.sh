#!/usr/bin/env bash
# Video pipeline capacity (issue 4 target): N cameras at 1 analysed frame/s each, with the
# leave-post and fire analysers, all reading a 1080p25 4 Mbit/s H.264 stream (sensor noise,
# GOP 25, no B-frames, like an IP camera) from a real RTSP server (gst-rtsp-server) on loopback.
# One relay and one feeder serve every camera (each camera is its own RTSP/TCP session), so the
# server's CPU stays small and is reported apart. Beside it, in the same run, the reference:
# `ffmpeg -threads 1 -skip_frame nokey` decoding the same clip, CPU per key frame, and the same
# with `-skip_loop_filter all` (what hazmond's analysis decoder does).
#
# PHASES=K (default 1) runs K relays, each with its own feeder started 1/K s after the previous
# one, and spreads the cameras over them: with one relay every camera's key frame arrives in
# the same instant (the worst case for the inference queue); independent cameras' key frames
# arrive at random phases.
#
# Usage: tests/bench/video_bench.sh [cameras="8 16 32"] [seconds=30]
#   BENCH=build/<dir>/tools/video-bench/hazmon-video-bench  THREADS=2 (inference threads)  PHASES=1
#   CLIP=file (reuse a clip; default: generated once into var/bench/video-1080p25-4M-gop25.mp4)
set -euo pipefail
cd "$(dirname "$0")/../.."
CAMERAS=${1:-"8 16 32"}
DURATION=${2:-30}
BENCH=${BENCH:-build/release/tools/video-bench/hazmon-video-bench}
THREADS=${THREADS:-2}
PHASES=${PHASES:-1}
CLIP=${CLIP:-var/bench/video-1080p25-4M-gop25.mp4}
WORK=$(mktemp -d /tmp/hazmon-video-bench.XXXXXX)
RTSP_PORT=${RTSP_PORT:-18654}
TS_PORT=${TS_PORT:-15104}
FEED_PIDS=()
RELAY_PIDS=()
cleanup() {
  for p in "${FEED_PIDS[@]}" "${RELAY_PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ ! -s "$CLIP" ]]; then
  mkdir -p "$(dirname "$CLIP")"
  echo "encoding $CLIP (20 s of 1080p25 with noise; a minute or more on 2 cores)" >&2
  ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=1920x1080:rate=25 -t 20 -vf "noise=alls=6:allf=t" \
    -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p -b:v 4M -maxrate 4M -bufsize 8M \
    -g 25 -keyint_min 25 -sc_threshold 0 -bf 0 -an "$CLIP"
fi

# Reference decode cost: key frames only, one thread, CPU seconds per key frame (the clip five
# times over, so that process start-up weighs little).
read -r REF_CPU REF_FRAMES < <(
  /usr/bin/time -f "%U %S" -o "$WORK/ref.time" ffmpeg -nostdin -threads 1 -skip_frame nokey -stream_loop 4 -i "$CLIP" -f null - \
    2> "$WORK/ref.log" >/dev/null
  frames=$(grep -o 'frame= *[0-9]*' "$WORK/ref.log" | tail -1 | tr -dc 0-9)
  awk -v f="$frames" '{print $1 + $2, f}' "$WORK/ref.time")
REF_MS=$(awk -v c="$REF_CPU" -v f="$REF_FRAMES" 'BEGIN {printf "%.2f", 1000 * c / f}')
echo "reference: ffmpeg -threads 1 -skip_frame nokey: $REF_FRAMES key frames, $REF_CPU s CPU, $REF_MS ms per key frame" >&2
# hazmond decodes the analysed key frames without the deblocking filter (skip_loop_filter =
# AVDISCARD_ALL, docs/video.md): the like-for-like second reference is ffmpeg doing the same.
read -r REF2_CPU REF2_FRAMES < <(
  /usr/bin/time -f "%U %S" -o "$WORK/ref2.time" ffmpeg -nostdin -threads 1 -skip_frame nokey -skip_loop_filter all \
    -stream_loop 4 -i "$CLIP" -f null - 2> "$WORK/ref2.log" >/dev/null
  frames=$(grep -o 'frame= *[0-9]*' "$WORK/ref2.log" | tail -1 | tr -dc 0-9)
  awk -v f="$frames" '{print $1 + $2, f}' "$WORK/ref2.time")
REF2_MS=$(awk -v c="$REF2_CPU" -v f="$REF2_FRAMES" 'BEGIN {printf "%.2f", 1000 * c / f}')
echo "reference: ffmpeg -threads 1 -skip_frame nokey -skip_loop_filter all: $REF2_MS ms per key frame" >&2

URLS=""
for ((k = 0; k < PHASES; k++)); do
  /usr/bin/python3 tests/support/gst_rtsp_relay.py "$((RTSP_PORT + k))" /cam "$((TS_PORT + k))" > "$WORK/relay$k.log" 2>&1 &
  RELAY_PIDS+=($!)
  for _ in $(seq 1 100); do grep -q serving "$WORK/relay$k.log" && break; sleep 0.2; done
  URLS+="${URLS:+,}rtsp://127.0.0.1:$((RTSP_PORT + k))/cam"
done
for ((k = 0; k < PHASES; k++)); do
  ffmpeg -nostdin -loglevel error -re -stream_loop -1 -i "$CLIP" -c copy -f mpegts \
    "udp://127.0.0.1:$((TS_PORT + k))?pkt_size=1316" > "$WORK/feeder$k.log" 2>&1 &
  FEED_PIDS+=($!)
  sleep "$(awk -v k="$PHASES" 'BEGIN {printf "%.3f", 1 / k}')"
done
sleep 2
echo "relays (key-frame phases): $PHASES" >&2

cat > "$WORK/report.py" <<'PY'
import json, sys
r = json.load(sys.stdin)
ref, server, ref2 = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
r["server_cores_used"] = server
r["reference_ms_per_key_frame"] = ref
r["decode_ratio_vs_ffmpeg"] = round(r["decode_ms_per_frame"] / ref, 2) if ref else None
r["reference_ms_per_key_frame_no_deblock"] = ref2
r["decode_ratio_vs_ffmpeg_no_deblock"] = round(r["decode_ms_per_frame"] / ref2, 2) if ref2 else None
print(json.dumps(r))
print(f"cameras={r['cameras']} online={r['online']} sustained={r['sustained']} "
      f"analysed/s/camera={r['analysed_fps_per_camera']:.2f} dropped={r['frames_dropped']} "
      f"cpu={r['cpu_cores_used']:.2f} cores (server {server:.2f}) rss={r['rss_mib']:.0f} MiB "
      f"({r['rss_mib_per_camera']:.1f}/camera) | per frame: decode {r['decode_ms_per_frame']:.1f} ms "
      f"(ffmpeg {ref:.1f}, x{r['decode_ratio_vs_ffmpeg']}; without deblocking {ref2:.1f}, "
      f"x{r['decode_ratio_vs_ffmpeg_no_deblock']}), scale {r['scale_ms_per_frame']:.1f}, "
      f"inference {r['inference_ms_per_frame']:.1f}, analyse {r['analyse_ms_per_frame']:.1f} ms; "
      f"demux {r['demux_us_per_packet']:.0f} us/packet | process CPU {r['cpu_ms_per_analysed_frame']:.0f} ms "
      f"per analysed frame = {r['cameras_per_2_cores_at_this_cost']:.1f} cameras per 2 idle cores", file=sys.stderr)
PY
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
server_ticks() {
  local t=0
  for p in "${FEED_PIDS[@]}" "${RELAY_PIDS[@]}"; do t=$((t + $(cpu_ticks "$p"))); done
  echo "$t"
}
HZ=$(getconf CLK_TCK)
for N in $CAMERAS; do
  R0=$(server_ticks)
  T0=$(date +%s.%N)
  OUT=$("$BENCH" --url "$URLS" --cameras "$N" --seconds "$DURATION" --warmup 10 \
        --threads "$THREADS" --models models)
  T1=$(date +%s.%N)
  R1=$(server_ticks)
  SERVER=$(awk -v a="$R0" -v b="$R1" -v t0="$T0" -v t1="$T1" -v hz="$HZ" 'BEGIN {printf "%.3f", (b - a) / hz / (t1 - t0)}')
  echo "$OUT" | python3 "$WORK/report.py" "$REF_MS" "$SERVER" "$REF2_MS"
done
