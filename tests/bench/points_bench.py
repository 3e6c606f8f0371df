#!/usr/bin/env python3
"""Creates monitoring points one POST at a time through the API and reports how long it took.

One new enterprise (code 140600<nnnnn>, region 140600), its hazard source and a gateway
credential, then --points points created sequentially over one keep-alive HTTPS connection, as
a set-up script or hazmon-sim setup would. Right after the last 201 it uploads a reading of the
last point: a point created through the API must be usable at once.

usage: points_bench.py --url https://127.0.0.1:PORT --password-file FILE [--points 1000] [--tag N]
Prints one JSON line: points, seconds, points_per_s, last_point_upload_accepted.
"""
import argparse
import http.client
import json
import ssl
import sys
import time
import urllib.parse
from datetime import datetime, timedelta, timezone


class Api:
    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=60)
        self.token = None

    def call(self, method, path, body=None, token=None):
        headers = {"content-type": "application/json"}
        tok = token or self.token
        if tok:
            headers["authorization"] = "Bearer " + tok
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        r = self.conn.getresponse()
        data = r.read()
        return r.status, (json.loads(data) if data else None)

    def ok(self, method, path, body, want=201):
        status, j = self.call(method, path, body)
        if status != want:
            sys.exit(f"{method} {path}: {status} {j}")
        return j


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--password-file", required=True)
    ap.add_argument("--user", default="admin")
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--tag", type=int, default=1, help="makes the enterprise code (140600 + 5 digits)")
    a = ap.parse_args()
    api = Api(a.url)
    password = open(a.password_file).read().strip()
    api.token = api.ok("POST", "/api/v1/auth/login", {"username": a.user, "password": password}, 200)["token"]
    company = f"140600{a.tag:05d}"
    hazard = company + "001"
    api.ok("POST", "/api/v1/enterprises", {"company_code": company, "name": f"点位批量企业{a.tag}", "region_code": "140600"})
    api.ok("POST", "/api/v1/hazard-sources", {"hazard_code": hazard, "company_code": company, "name": "罐区", "rank": 2})
    cred = api.ok("POST", "/api/v1/credentials", {"kind": "gateway", "scope": {"kind": "enterprise", "code": company}})
    t0 = time.monotonic()
    quota = None
    for n in range(1, a.points + 1):
        quota = f"{hazard}PB{n:05d}"
        api.ok("POST", "/api/v1/monitoring-points",
               {"quota_code": quota, "company_code": company, "hazard_code": hazard, "name": f"液位{n}",
                "indicator_type": "level", "value_kind": "analog", "unit": "m", "range_low": 0, "range_high": 20})
    seconds = time.monotonic() - t0
    now = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
    status, reply = api.call("POST", "/api/v1/upload/realtime",
                             {"companyCode": company, "dataId": f"pb-{a.tag}", "reportType": "realtime", "sendTime": now,
                              "datas": [{"quotaCode": quota, "collectTime": now, "value": 4.5}]},
                             token=cred["app_id"] + "." + cred["secret"])
    accepted = status == 200 and reply.get("accepted") == 1
    print(json.dumps({"points": a.points, "seconds": round(seconds, 2), "points_per_s": round(a.points / seconds, 1),
                      "last_point_upload_accepted": accepted}))
    if not accepted:
        sys.exit(f"upload right after the last 201: {status} {reply}")


if __name__ == "__main__":
    main()
