#!/usr/bin/env python3
"""Times GET requests over one kept-alive HTTPS connection and prints p50/p99/max per target.

Usage: statistics_bench.py --url URL --token TOKEN [--n 30] TARGET...
Each target is requested once to warm up, then N times; every answer must be 200.
"""
import argparse
import http.client
import ssl
import statistics
import sys
import time
import urllib.parse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("targets", nargs="+")
    a = ap.parse_args()
    u = urllib.parse.urlparse(a.url)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=60)
    headers = {"Authorization": "Bearer " + a.token}
    print("| request | bytes | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|")
    worst = 0.0
    for target in a.targets:
        size = 0
        times = []
        for i in range(a.n + 1):
            t0 = time.perf_counter()
            conn.request("GET", target, headers=headers)
            r = conn.getresponse()
            body = r.read()
            dt = (time.perf_counter() - t0) * 1000
            if r.status != 200:
                print(f"{target}: {r.status} {body[:300]!r}", file=sys.stderr)
                return 1
            if i:  # the first one warms caches
                times.append(dt)
            size = len(body)
        times.sort()
        p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
        worst = max(worst, p99)
        print(f"| `{target}` | {size} | {statistics.median(times):.0f} | {p99:.0f} | {times[-1]:.0f} |")
    print(f"\nworst p99: {worst:.0f} ms over {a.n} requests each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
