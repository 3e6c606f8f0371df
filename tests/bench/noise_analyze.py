#!/usr/bin/env python3
"""Alarm-noise analysis for tests/bench/noise_bench.sh.

Reads a hazmon-sim trace (one upload body per line), the points' limits and the platform's
alarm episodes from PostgreSQL, and the filed windows (JSON list written by the script), then
reports:
  naive      threshold crossings a naive alarm would raise: per point in collect-time order,
             every sample that newly exceeds H, HH, L or LL (or a switch going to 1);
  alarms     process alarm episodes the platform recorded (H/HH/L/LL/SWITCH; an escalation
             H -> HH stays one episode), and their share of the naive crossings;
  sustained  runs of consecutive good-quality samples beyond H (or L, or a switch at 1), with no
             dropout inside, lasting at least the point's debounce: each must overlap an alarm
             episode of the same side (missed = those that do not);
  windows    alarms raised (raised_ts) inside a filed window of their point, hazard source or
             enterprise: each must be recorded as suppressed (violations = those that are not).
Prints one JSON object. Exit status 1 when a target is missed.
usage: noise_analyze.py --trace T --dsn DSN --windows W.json [--period 30]
"""
import argparse
import datetime
import json
import subprocess
import sys
from collections import defaultdict

TZ8 = datetime.timezone(datetime.timedelta(hours=8))


def parse_time(s):
    if "T" in s:
        return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
    return datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S").replace(tzinfo=TZ8).timestamp()


def psql(dsn, sql):
    out = subprocess.run(["psql", "-qAtX", "-F", "\t", dsn, "-c", sql], check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def fnum(x):
    return float(x) if x != "" else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trace", required=True)
    ap.add_argument("--dsn", required=True)
    ap.add_argument("--windows", required=True)
    ap.add_argument("--period", type=float, default=30)
    a = ap.parse_args()

    pts = {}
    for q, company, hazard, kind, ll, l, h, hh, deb in psql(a.dsn,
            "SELECT quota_code, company_code, hazard_code, value_kind, ll, l, h, hh, debounce_s FROM monitoring_point"):
        pts[q] = dict(company=company, hazard=hazard, switch=kind == "switch", ll=fnum(ll), l=fnum(l), h=fnum(h),
                      hh=fnum(hh), debounce=float(deb))

    samples = defaultdict(list)  # quota -> [(t, value, quality)]
    for line in open(a.trace):
        line = line.strip()
        if not line:
            continue
        body = json.loads(line)
        for it in body.get("datas", []):
            q = it["quotaCode"]
            v = it.get("value", it.get("switchValue"))
            samples[q].append((parse_time(it["collectTime"]), float(v), int(it.get("quality", 0))))

    naive = 0
    sustained = []  # (quota, side, t_first, t_last)
    for q, ss in samples.items():
        p = pts.get(q)
        if not p:
            continue
        ss.sort()
        limits = [("SWITCH", 0.5, "high")] if p["switch"] else \
            [(n, p[n.lower()], "high" if n in ("H", "HH") else "low") for n in ("H", "HH", "L", "LL") if p[n.lower()] is not None]

        def beyond(v, lim, side):
            return v > lim if side == "high" else v < lim

        prev = None
        for t, v, qual in ss:
            for name, lim, side in limits:
                if beyond(v, lim, side) and not (prev is not None and beyond(prev, lim, side)):
                    naive += 1
            prev = v
        # Sustained runs beyond the first limit of each side (H, L, switch).
        for side in ("high", "low"):
            first = [(n, lim) for n, lim, sd in limits if sd == side]
            if not first:
                continue
            lim = first[0][1] if side == "high" else max(x[1] for x in first)
            lim = min(x[1] for x in first) if side == "high" else lim
            run = None
            last_t = None
            for t, v, qual in ss:
                gap = last_t is not None and t - last_t > 1.5 * a.period
                ok = qual == 0 and beyond(v, lim, side)
                if run and (gap or not ok):
                    if run[1] - run[0] >= p["debounce"]:
                        sustained.append((q, side, run[0], run[1]))
                    run = None
                if ok:
                    run = [t, t] if run is None else [run[0], t]
                last_t = t
            if run and run[1] - run[0] >= p["debounce"]:
                sustained.append((q, side, run[0], run[1]))

    alarms = psql(a.dsn,
        "SELECT quota_code, alarm_type, extract(epoch FROM start_ts), extract(epoch FROM raised_ts), "
        "coalesce(extract(epoch FROM end_ts)::text, ''), suppressed FROM alarm WHERE origin = 'platform'")
    process = [x for x in alarms if x[1] in ("H", "HH", "L", "LL", "SWITCH")]
    faults = len(alarms) - len(process)
    by_q = defaultdict(list)
    for q, typ, s, r, e, sup in process:
        side = "low" if typ in ("L", "LL") else "high"
        by_q[(q, side)].append((float(s), float(e) if e else float("inf")))
    missed = [x for x in sustained if not any(s <= x[3] and e >= x[2] for s, e in by_q.get((x[0], x[1]), []))]

    windows = json.load(open(a.windows))
    in_window, violations = 0, []
    for q, typ, s, r, e, sup in process:
        p = pts.get(q)
        for w in windows:
            hit = (w["target_kind"] == "enterprise" and w["company_code"] == p["company"]) or \
                  (w["target_kind"] == "hazard_source" and w["target_code"] == p["hazard"]) or \
                  (w["target_kind"] == "point" and w["target_code"] == q)
            if hit and w["start"] <= float(r) < w["end"]:
                in_window += 1
                if sup != "t":
                    violations.append({"quota_code": q, "type": typ, "raised": float(r)})
                break
    share = len(process) / naive if naive else None
    out = {
        "readings": sum(len(s) for s in samples.values()), "points": len(samples),
        "naive_crossings": naive, "alarms": len(process), "alarm_share": None if share is None else round(share, 4),
        "data_fault_alarms": faults,
        "data_fault_alarms_by_type": {t: sum(1 for x in alarms if x[1] == t) for t in sorted({x[1] for x in alarms} - {"H", "HH", "L", "LL", "SWITCH"})},
        "flagged_samples": sum(1 for ss in samples.values() for t, v, qual in ss if qual in (1, 2, 3)),
        "sustained_exceedances": len(sustained), "missed_sustained": len(missed), "missed_examples": missed[:5],
        "alarms_in_filed_windows": in_window, "unsuppressed_in_windows": len(violations), "violations": violations[:5],
        "filed_windows": len(windows),
    }
    print(json.dumps(out))
    ok = share is not None and share <= 0.2 and not missed and not violations and sustained and in_window
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
