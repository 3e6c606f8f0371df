#!/usr/bin/env python3
"""Grows a hazmon-sim setup to M points per enterprise quickly, for the benchmarks.

`hazmon-sim setup` creates points one API call at a time, about 50 points/s on 2 cores
(tests/bench/points_bench.sh; before the debounced snapshot reload every point reloaded the
whole registry, and 100,000 points took hours), so 100,000 take over half an hour. Benchmarks
measure ingestion, not set-up: this script copies the first 20 points of each enterprise (the
simulator's full mix, made through the API) in PostgreSQL with new quota codes
<hazard><tag><nnn>, and appends them to the hazmon-sim config. Afterwards make the server load
its registry again (restart it, or create any point through the API).

usage: expand_points.py --sim-config sim.json --points M --dsn "host=... dbname=..."
"""
import argparse
import json
import re
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sim-config", required=True)
    ap.add_argument("--points", type=int, required=True)
    ap.add_argument("--dsn", required=True)
    a = ap.parse_args()
    doc = json.load(open(a.sim_config))
    pairs = []
    for e in doc["enterprises"]:
        pts = e["points"]
        if len(pts) < 20:
            sys.exit("set up at least 20 points per enterprise first (the simulator's mix)")
        templates = pts[:20]
        hazard = e["hazard_code"]
        for n in range(len(pts) + 1, a.points + 1):
            t = templates[(n - 1) % 20]
            m = re.fullmatch(re.escape(hazard) + r"([A-Z]+)\d+", t["quota_code"])
            if not m:
                sys.exit(f"unexpected quota code {t['quota_code']}")
            p = dict(t)
            p["quota_code"] = f"{hazard}{m.group(1)}{n:03d}"
            pts.append(p)
            pairs.append((t["quota_code"], p["quota_code"]))
    if pairs:
        cols = ("company_code, hazard_code, equip_code, gateway_code, name, bit_no, indicator_type, value_kind, unit, "
                "range_low, range_high, ll, l, h, hh, gas_cas, process_code, key_parameter, in_use, debounce_s, "
                "deadband, is_active, source")
        sql = ("BEGIN; CREATE TEMP TABLE px (src text, dst text) ON COMMIT DROP;\n"
               "COPY px FROM STDIN;\n" + "".join(f"{s}\t{d}\n" for s, d in pairs) + "\\.\n"
               f"INSERT INTO monitoring_point (quota_code, {cols}) SELECT px.dst, {', '.join('m.' + c.strip() for c in cols.split(','))} "
               "FROM px JOIN monitoring_point m ON m.quota_code = px.src ON CONFLICT DO NOTHING;\nCOMMIT;\n")
        subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", a.dsn], input=sql.encode(), check=True,
                       stdout=subprocess.DEVNULL)
    doc["points_per_enterprise"] = a.points
    with open(a.sim_config, "w") as f:
        json.dump(doc, f, ensure_ascii=False)
    print(f"added {len(pairs)} points; {sum(len(e['points']) for e in doc['enterprises'])} in all")


if __name__ == "__main__":
    main()
