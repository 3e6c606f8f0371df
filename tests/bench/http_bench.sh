#!/usr/bin/env bash
# The dashboards' polled GETs through hazmond (TLS, session check, scoped answer, response cache
# under the registry version: ADR 0018) against nginx serving the same JSON bytes from a file over
# TLS, same machine, same run, one pair of runs per endpoint, with each server's CPU time per
# request (hazmond's process; nginx's workers):
#   list      GET /api/v1/enterprises?limit=50     (registry list, 50 of the demo's enterprises)
#   overview  GET /api/v1/overview                 (the overview figures and the map's markers:
#                                                   the map page draws from it; there is no other
#                                                   map endpoint)
#   ranking   GET /api/v1/statistics/ranking?by=city  (polled every 5 min; not cached)
# Usage: tests/bench/http_bench.sh [duration_s] [connections]
# Env: HAZMOND (the binary; e.g. an older build for a before/after pair), ENDPOINTS (a subset of
# "list list304 overview ranking"; default all but list304), HAZMON_HOME (the tree its migrations and schemas come from).
# Needs wrk and nginx-light (HAZMON_SETUP_BENCH=1 scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-15}
CONNS=${2:-32}
HAZMOND=${HAZMOND:-build/release/src/app/hazmond}
WORK=$(mktemp -d /tmp/hazmon-bench.XXXXXX)
chmod 755 "$WORK"
PORT=18443
NGINX_PORT=18444
cleanup() {
  [[ -n "${HZ_PID:-}" ]] && kill "$HZ_PID" 2>/dev/null && wait "$HZ_PID" 2>/dev/null || true
  [[ -f "$WORK/nginx.pid" ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cat > "$WORK/hazmond.json" <<JSON
{"state_dir": "$WORK/var", "log": {"level": "warn"},
 "http": {"port": $PORT, "listen_address": "127.0.0.1", "io_threads": 2, "worker_threads": 8},
 "demo": {"enabled": true}}
JSON
"$HAZMOND" serve --config "$WORK/hazmond.json" > "$WORK/hazmond.log" 2>&1 &
HZ_PID=$!
for _ in $(seq 1 100); do
  curl -sk "https://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
PW=$(cat "$WORK/var/admin-password")
TOKEN=$(curl -sk "https://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$PW\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')
ENDPOINTS=${ENDPOINTS:-list overview ranking}
# list304: the list again, as a dashboard's browser asks for it once it holds the answer
# (If-None-Match with the ETag: 304, no body); nginx likewise with its own ETag of the file.
declare -A TARGETS=([list]="/api/v1/enterprises?limit=50" [list304]="/api/v1/enterprises?limit=50"
                    [overview]="/api/v1/overview"
                    [ranking]="/api/v1/statistics/ranking?by=city")
mkdir -p "$WORK/www"
for e in $ENDPOINTS; do
  curl -sk "https://127.0.0.1:$PORT${TARGETS[$e]}" -H "Authorization: Bearer $TOKEN" \
    > "$WORK/www/$e.json"
done

cat > "$WORK/nginx.conf" <<NGINX
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  types { application/json json; }
  server {
    listen 127.0.0.1:$NGINX_PORT ssl;
    ssl_certificate $WORK/var/tls/dev-cert.pem;
    ssl_certificate_key $WORK/var/tls/dev-key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    keepalive_requests 1000000;
    root $WORK/www;
    location / { default_type application/json; }
  }
}
NGINX
nginx -c "$WORK/nginx.conf"
sleep 0.5

run_wrk() {  # url [header...]
  local url=$1 args=()
  shift
  for h in "$@"; do args+=(-H "$h"); done
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "${args[@]}" "$url"
}
rps() { awk '/Requests\/sec/ {print $2}'; }
reqs() { awk '/requests in/ {print $1}'; }
cpu_ticks() { local t=0 p; for p in "$@"; do t=$(( t + $(awk '{print $14 + $15}' "/proc/$p/stat") )); done; echo "$t"; }
us_per() { awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}'; }
p99() { awk '$1=="99%" {print $2}'; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v); print v} else if (v ~ /s$/) {sub(/s/,"",v); print v*1000} else print v}'; }

cat <<RESULT
date: $(date -u +%Y-%m-%dT%H:%MZ)
machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(lsb_release -ds 2>/dev/null || grep PRETTY /etc/os-release | cut -d= -f2)
hazmond: $HAZMOND ($(stat -c %y "$HAZMOND" | cut -d. -f1))
load: wrk -t2 -c$CONNS -d${DURATION}s per run, TLS on both sides
RESULT
for e in $ENDPOINTS; do
  TARGET=${TARGETS[$e]}
  BYTES=$(stat -c %s "$WORK/www/$e.json")
  HZ_EXTRA=() NG_EXTRA=()
  if [[ $e == list304 ]]; then
    tag() { curl -skD - -o /dev/null "$@" | awk 'tolower($1)=="etag:" {sub(/\r$/,"",$2); print $2}'; }
    HZ_EXTRA=("If-None-Match: $(tag "https://127.0.0.1:$PORT$TARGET" -H "Authorization: Bearer $TOKEN")")
    NG_EXTRA=("If-None-Match: $(tag "https://127.0.0.1:$NGINX_PORT/$e.json")")
  fi
  echo "warming up $e…" >&2
  wrk -t2 -c"$CONNS" -d3s -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$PORT$TARGET" >/dev/null
  LOAD=$(cut -d' ' -f1 /proc/loadavg)
  # CPU time per request (user + system, in clock ticks), beside the rates: less at the mercy of
  # what else runs on a shared machine than req/s.
  HZ_CPU0=$(cpu_ticks "$HZ_PID")
  HZ_OUT=$(run_wrk "https://127.0.0.1:$PORT$TARGET" "Authorization: Bearer $TOKEN" "${HZ_EXTRA[@]}")
  HZ_CPU=$(( $(cpu_ticks "$HZ_PID") - HZ_CPU0 ))
  NG_CPU0=$(cpu_ticks $(pgrep -P "$(cat "$WORK/nginx.pid")"))
  NG_OUT=$(run_wrk "https://127.0.0.1:$NGINX_PORT/$e.json" "${NG_EXTRA[@]}")
  NG_CPU=$(( $(cpu_ticks $(pgrep -P "$(cat "$WORK/nginx.pid")")) - NG_CPU0 ))
  NON2XX=$(echo "$HZ_OUT" | awk '/Non-2xx/ {print $4}')
  HZ_RPS=$(echo "$HZ_OUT" | rps); NG_RPS=$(echo "$NG_OUT" | rps)
  HZ_P99=$(echo "$HZ_OUT" | p99 | to_ms); NG_P99=$(echo "$NG_OUT" | p99 | to_ms)
  RATIO=$(awk -v a="$HZ_RPS" -v b="$NG_RPS" 'BEGIN {printf "%.3f", a/b}')
  echo "$HZ_OUT" >&2
  echo "$NG_OUT" >&2
  cat <<RESULT
[$e] GET $TARGET, $BYTES bytes, load average before the run $LOAD
  hazmond: ${HZ_RPS} req/s, p99 ${HZ_P99} ms, non-2xx: ${NON2XX:-0}, CPU $(us_per "$HZ_CPU" "$(echo "$HZ_OUT" | reqs)") us/request
  nginx (same bytes from a file): ${NG_RPS} req/s, p99 ${NG_P99} ms, CPU $(us_per "$NG_CPU" "$(echo "$NG_OUT" | reqs)") us/request
  ratio hazmond/nginx: ${RATIO}
  CPU per request, nginx/hazmond: $(awk -v a="$(us_per "$NG_CPU" "$(echo "$NG_OUT" | reqs)")" -v b="$(us_per "$HZ_CPU" "$(echo "$HZ_OUT" | reqs)")" 'BEGIN {printf "%.3f", a / b}')
RESULT
done
