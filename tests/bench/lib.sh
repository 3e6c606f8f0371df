# Shared by the issue-3 benchmarks (latency, noise, rss): a throw-away hazmond with its own
# embedded PostgreSQL in a temporary state directory, and hazmon-sim set up against it.
# Source it after `cd` to the repository root; it sets WORK, PORT, URL, HZ_PID, PSQL.
# HAZMOND_EXTRA_JSON adds top-level config sections, e.g. '"statistics": {"overview_cache_ms": 0}';
# HTTP_EXTRA_JSON adds keys to the http section, e.g. '"static_dir": "/tmp/x/dist"'.
HAZMOND=${HAZMOND:-build/release/src/app/hazmond}
SIM=${SIM:-build/release/tools/sim/hazmon-sim}
WORK=$(mktemp -d /tmp/hazmon-bench.XXXXXX)
chmod 755 "$WORK"
PORT=${PORT:-18544}
URL="https://127.0.0.1:$PORT"
bench_cleanup() {
  [[ -n "${SIM_PID:-}" ]] && kill "$SIM_PID" 2>/dev/null || true
  [[ -n "${HZ_PID:-}" ]] && kill "$HZ_PID" 2>/dev/null && wait "$HZ_PID" 2>/dev/null || true
  [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$WORK"
}
trap bench_cleanup EXIT

start_hazmond() {
  cat > "$WORK/hazmond.json" <<JSON
{"state_dir": "$WORK/var", "log": {"level": "${LOG_LEVEL:-warn}"},
 "http": {"port": $PORT, "listen_address": "127.0.0.1", "io_threads": 2, "worker_threads": ${WORKERS:-16}, "max_connections_per_address": 4096${HTTP_EXTRA_JSON:+, $HTTP_EXTRA_JSON}},
 "demo": {"enabled": true}${HAZMOND_EXTRA_JSON:+, $HAZMOND_EXTRA_JSON}}
JSON
  "$HAZMOND" serve --config "$WORK/hazmond.json" >> "$WORK/hazmond.log" 2>&1 &
  HZ_PID=$!
  for _ in $(seq 1 300); do curl -sk "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -sk "$URL/healthz" >/dev/null || { echo "hazmond did not start:"; tail -20 "$WORK/hazmond.log"; exit 1; }
  PSQL=(psql -qAtX "host=$WORK/var/pg/run port=5432 user=hazmon dbname=hazmon")
}

stop_hazmond() {
  kill "$HZ_PID" && wait "$HZ_PID" 2>/dev/null || true
  HZ_PID=
}

sim_setup() {  # enterprises points
  "$SIM" setup --url "$URL" --user admin --password-file "$WORK/var/admin-password" \
    --enterprises "$1" --points "$2" --out "$WORK/sim.json" >/dev/null
}

# The simulator's 20-point mix per enterprise through the API, the rest copied in PostgreSQL
# (expand_points.py; the API takes about 50 points/s, minutes for 100,000), then a
# restart so that hazmond loads them all.
sim_setup_fast() {  # enterprises points
  if (( $2 <= 20 )); then sim_setup "$1" "$2"; return; fi
  sim_setup "$1" 20
  python3 tests/bench/expand_points.py --sim-config "$WORK/sim.json" --points "$2" \
    --dsn "host=$WORK/var/pg/run port=5432 user=hazmon dbname=hazmon" >&2
  stop_hazmond
  start_hazmond
}

machine_line() {
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep PRETTY /etc/os-release | cut -d= -f2)"
}
load_now() { cut -d' ' -f1-3 /proc/loadavg; }
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin); exec("for k in sys.argv[1:]: d=d[k]"); print(d)' "$@"; }
