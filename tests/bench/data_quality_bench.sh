#!/usr/bin/env bash
# Data quality and the reports at national scale (issue 10): 7,000 enterprises and 440,000
# monitoring points loaded with SQL into a throw-away hazmond's database, one day of readings
# (one a minute) for the first $READING_POINTS of them, 100,000 data-fault episodes over two days.
# Measured:
#  - the rollup of yesterday over all 440,000 points (the aggregation ticker runs it within a
#    minute once the watermark is cleared; hazmond logs its time);
#  - GET /api/v1/data-quality at each level and as exports, as the province admin and a city
#    officer (tests/bench/statistics_bench.py: one kept-alive HTTPS connection, p50/p99/max);
#  - POST /api/v1/reports (a province daily report of yesterday) and its PDF.
# Target: p99 < 1 s for the endpoint.
# Usage: tests/bench/data_quality_bench.sh [n=30] [reading_points=2000]
# PORT (default 18561); SKIP_TODAY=1 leaves out the current-day (incremental) rollup timing.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-30}
READING_POINTS=${2:-2000}
PORT=${PORT:-18561}
LOG_LEVEL=info
source tests/bench/lib.sh
start_hazmond
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
machine_line
echo "hazmond: $HAZMOND; machine load (1/5/15 min) at the start: $(load_now)"
t0=$(date +%s)
"${PSQL[@]}" <<SQL
INSERT INTO enterprise(company_code, name, region_code)
SELECT c.code || (60000 + n)::text, '质量基准企业' || c.code || '-' || n, c.code
FROM (SELECT code FROM region WHERE level = 'city') c, generate_series(1, 637) n ORDER BY n, c.code LIMIT 7000;
CREATE TEMP TABLE bench_e AS
SELECT company_code, row_number() OVER (ORDER BY company_code) AS rn FROM enterprise WHERE name LIKE '质量基准企业%';
INSERT INTO hazard_source(hazard_code, company_code, name, rank) SELECT company_code || '001', company_code, '罐区', 1 + rn % 4 FROM bench_e;
INSERT INTO gateway(gateway_code, company_code, name, acquisition_interval_s)
SELECT 'Q' || substr(company_code, 2), company_code, '网关', 60 FROM bench_e;
INSERT INTO monitoring_point(quota_code, company_code, hazard_code, gateway_code, name, indicator_type, value_kind, created_at)
SELECT 'Q' || company_code || lpad(k::text, 2, '0'), company_code, company_code || '001', 'Q' || substr(company_code, 2),
       '液位', 'level', 'analog', now() - interval '10 days'
FROM bench_e, generate_series(1, 63) k;
CREATE TEMP TABLE bench_p AS
SELECT point_id, quota_code, company_code, row_number() OVER (ORDER BY point_id) AS rn FROM monitoring_point WHERE quota_code LIKE 'Q%';
-- Yesterday in Beijing time, as hazmond counts it.
CREATE TEMP TABLE bench_day AS
SELECT (date_trunc('day', now() AT TIME ZONE 'UTC' + interval '8 hours') - interval '1 day') AT TIME ZONE 'UTC' - interval '8 hours' AS d0;
INSERT INTO reading(point_id, collect_ts, value, quality, received_ts)
SELECT p.point_id, b.d0 + make_interval(mins => i), 1 + (i % 17), CASE WHEN i % 200 = 7 THEN 3 ELSE 0 END,
       b.d0 + make_interval(mins => i, secs => CASE WHEN i % 50 = 0 THEN 120 ELSE 2 END)
FROM bench_p p, bench_day b, generate_series(0, 1439) i
WHERE p.rn <= $READING_POINTS AND NOT (i BETWEEN 600 AND 629 AND p.rn % 10 = 0);
INSERT INTO alarm(point_id, quota_code, company_code, hazard_code, alarm_type, is_data_fault, start_ts, raised_ts, end_ts)
SELECT p.point_id, p.quota_code, p.company_code, p.company_code || '001', (ARRAY['OFFLINE','DEVICE_FAULT','OUT_OF_RANGE','FROZEN'])[1 + g % 4],
       true, s, s, s + interval '5 minutes'
FROM generate_series(1, 100000) g
JOIN bench_p p ON p.rn = 1 + (g::bigint * 7919) % 441000
CROSS JOIN bench_day b CROSS JOIN LATERAL (SELECT b.d0 + (g % 2880) * interval '1 minute' AS s) t;
DELETE FROM aggregate_watermark WHERE name = 'data_quality';
ANALYZE;
SQL
echo "loaded in $(( $(date +%s) - t0 )) s: $("${PSQL[@]}" -c "SELECT (SELECT count(*) FROM enterprise) || ' enterprises, ' ||
  (SELECT count(*) FROM monitoring_point) || ' points, ' || (SELECT count(*) FROM reading) || ' readings, ' ||
  (SELECT count(*) FROM alarm) || ' alarm episodes'")"
# The ticker's next minute rolls up the last days again (no watermark): wait for yesterday's line.
YESTERDAY=$("${PSQL[@]}" -c "SELECT to_char(now() AT TIME ZONE 'UTC' + interval '8 hours' - interval '1 day', 'YYYY-MM-DD')")
# (the start-up maintenance already logged one, over the empty registry)
before=$(grep -c "data quality rollup of $YESTERDAY" "$WORK/hazmond.log" || true)
for _ in $(seq 1 900); do
  (( $(grep -c "data quality rollup of $YESTERDAY" "$WORK/hazmond.log" || true) > before )) && break
  sleep 1
done
echo "rollup: $(grep -o "data quality rollup of $YESTERDAY.*" "$WORK/hazmond.log" | tail -1)"
echo "rollup rows of yesterday: $("${PSQL[@]}" -c "SELECT count(*) || ' points, ' || sum(received) || ' readings, online ' ||
  round(100.0 * sum(online_s) / sum(period_s), 2) || ' %' FROM data_quality_day WHERE day = '$YESTERDAY'")"
login() {
  curl -sk "$URL/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" | jget token
}
ADMIN=$(login admin "$(cat "$WORK/var/admin-password")")
curl -sk "$URL/api/v1/users" -H "Authorization: Bearer $ADMIN" -H 'content-type: application/json' \
  -d '{"username":"bench_dq_city","role":"city_officer","scope":{"kind":"region","code":"140100"},"password":"Bench-Quality-42"}' >/dev/null
CITY=$(login bench_dq_city Bench-Quality-42)
Q="from=$YESTERDAY&to=$YESTERDAY"
TARGETS=(
  "/api/v1/data-quality"
  "/api/v1/data-quality?level=city&$Q"
  "/api/v1/data-quality?level=enterprise&$Q"
  "/api/v1/data-quality?level=point&$Q"
  "/api/v1/data-quality?level=point&$Q&offset=400000"
  "/api/v1/data-quality?level=enterprise&format=xlsx&$Q"
  "/api/v1/data-quality?level=enterprise&format=csv"
  "/api/v1/data-quality?level=city&format=xlsx&$Q"
  "/api/v1/data-quality?level=enterprise&format=xlsx"
  "/api/v1/data-quality?level=point&format=csv&$Q&company_code=14010060001"
)
echo
echo "province admin (everything):"
python3 tests/bench/statistics_bench.py --url "$URL" --token "$ADMIN" --n "$N" "${TARGETS[@]}"
echo
echo "city officer of 140100:"
python3 tests/bench/statistics_bench.py --url "$URL" --token "$CITY" --n "$N" "${TARGETS[@]:0:4}"
echo
t1=$(date +%s%N)
REPORT=$(curl -sk "$URL/api/v1/reports" -H "Authorization: Bearer $ADMIN" -H 'content-type: application/json' \
  -d "{\"kind\":\"daily\",\"date\":\"$YESTERDAY\",\"replace\":true}")
echo "POST /api/v1/reports (province daily of $YESTERDAY): $(( ($(date +%s%N) - t1) / 1000000 )) ms: $(echo "$REPORT" | jget title)"
ID=$(echo "$REPORT" | jget id)
for ext in html xlsx pdf; do
  t1=$(date +%s%N)
  code=$(curl -sk -o "$WORK/report.$ext" -w '%{http_code}' "$URL/api/v1/reports/$ID.$ext" -H "Authorization: Bearer $ADMIN")
  echo "GET /api/v1/reports/$ID.$ext: $code, $(stat -c %s "$WORK/report.$ext") bytes, $(( ($(date +%s%N) - t1) / 1000000 )) ms"
done
echo
if [[ -n ${SKIP_TODAY:-} ]]; then echo "machine load at the end: $(load_now)"; exit 0; fi
# The current day's rollup: afresh (the day so far) on its first run, then incremental (only the
# readings since the last run's stable mark, docs/data-quality.md). Today's readings so far for the
# same points (one a minute, received 2 s after), today's rollup rows dropped, hazmond restarted
# with data_quality.refresh_interval_s 60: the first run of today is afresh, the next ones
# incremental; hazmond logs each run's time.
"${PSQL[@]}" <<SQL
INSERT INTO reading(point_id, collect_ts, value, quality, received_ts)
SELECT p.point_id, t, 3, 0, t + interval '2 s'
FROM monitoring_point p,
     generate_series(date_trunc('day', now() AT TIME ZONE 'UTC' + interval '8 hours') AT TIME ZONE 'UTC' - interval '8 hours',
                     now() - interval '1 minute', interval '1 minute') t
WHERE p.quota_code LIKE 'Q%' AND p.point_id IN (SELECT point_id FROM monitoring_point WHERE quota_code LIKE 'Q%' ORDER BY point_id LIMIT $READING_POINTS);
DELETE FROM data_quality_day WHERE day = (now() AT TIME ZONE 'UTC' + interval '8 hours')::date;
ANALYZE reading;
SQL
TODAY=$("${PSQL[@]}" -c "SELECT to_char(now() AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY-MM-DD')")
echo "today's readings so far: $("${PSQL[@]}" -c "SELECT count(*) FROM reading WHERE collect_ts >= (date_trunc('day', now() AT TIME ZONE 'UTC' + interval '8 hours') AT TIME ZONE 'UTC' - interval '8 hours')")"
before=$(grep -c "data quality rollup of $TODAY (incremental)" "$WORK/hazmond.log" || true)
stop_hazmond
HAZMOND_EXTRA_JSON='"data_quality": {"refresh_interval_s": 60}'
start_hazmond
for _ in $(seq 1 400); do
  (( $(grep -c "data quality rollup of $TODAY (incremental)" "$WORK/hazmond.log" || true) >= before + 3 )) && break
  sleep 1
done
echo "today's runs (the first afresh, then incremental):"
grep -o "data quality rollup of $TODAY (incremental).*" "$WORK/hazmond.log" | tail -n +$((before + 1))
echo "machine load at the end: $(load_now)"
