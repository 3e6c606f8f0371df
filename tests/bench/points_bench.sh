#!/usr/bin/env bash
# Monitoring points created one POST at a time through the API (tests/bench/points_bench.py):
# POINTS into a registry without points, then POINTS more once BASE points are in the registry
# (copied in PostgreSQL), where every reload of the ingest snapshot reads them all. Each run
# ends with an upload of a reading of its last point right after the 201.
# Usage: tests/bench/points_bench.sh [points=1000] [base=20000] [points_on_base=points]
set -euo pipefail
cd "$(dirname "$0")/../.."
POINTS=${1:-1000}
BASE=${2:-20000}
POINTS2=${3:-$POINTS}
PORT=18545
source tests/bench/lib.sh
start_hazmond
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
machine_line
echo "hazmond: $HAZMOND; machine load (1/5/15 min) at the start: $(load_now)"
echo "$POINTS points into a registry without points: $(python3 tests/bench/points_bench.py --url "$URL" \
  --password-file "$WORK/var/admin-password" --points "$POINTS" --tag 1)"
COPIES=$(( (BASE + POINTS - 1) / POINTS ))
"${PSQL[@]}" -c "INSERT INTO monitoring_point (quota_code, company_code, hazard_code, name, indicator_type, value_kind, unit,
  range_low, range_high) SELECT p.quota_code || 'C' || g, p.company_code, p.hazard_code, p.name, p.indicator_type,
  p.value_kind, p.unit, p.range_low, p.range_high FROM monitoring_point p, generate_series(1, $COPIES) g
  WHERE p.company_code = '14060000001'"
HELD=$("${PSQL[@]}" -c "SELECT count(*) FROM monitoring_point")
echo "$POINTS2 points into a registry of $HELD points: $(python3 tests/bench/points_bench.py --url "$URL" \
  --password-file "$WORK/var/admin-password" --points "$POINTS2" --tag 2)"
echo "machine load at the end: $(load_now)"
