#!/usr/bin/python3
"""hazmond from an installed tree only (ctest install_tree, issue 11 part 6).

usage: install_test.py BUILD_DIR SOURCE_DIR   (env HAZMON_TEST_PG_DSN: the pg fixture's cluster)

`cmake --install BUILD_DIR --prefix /usr` with DESTDIR into a fresh directory under /tmp, then, in a
private mount namespace where the source tree (and the build tree) are covered by an empty tmpfs,
so that nothing of them can be opened:
  - `hazmond migrate` without HAZMON_HOME (the installed binary finds <prefix>/share/hazmon) applies
    every migration to a fresh database;
  - `hazmond serve` with HAZMON_HOME set to the staged share/hazmon as the systemd unit sets it,
    a working directory under /tmp, and no static_dir or models_dir in its config;
  - /readyz is ready, / is the staged dashboard's index.html and one of its assets loads;
  - a camera with the fire_smoke and leave_post analysers on a real RTSP relay (the video tests'
    gst-rtsp-server helper, outside the namespace) runs inference with the staged models: the
    pipeline's inference time grows and a fire event with a confidence from the fire network arrives;
  - /proc/<pid>/maps, fds and cwd of hazmond name nothing under the source or build tree.
Python standard library only. About 20-40 s.
"""
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

BUILD = os.path.realpath(sys.argv[1])
SOURCE = os.path.realpath(sys.argv[2])
PG_DSN = os.environ["HAZMON_TEST_PG_DSN"]
DB = "hazmon_install_test"
CAM = "INSTFIRE01"
COMPANY = "14070239201"

failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what, flush=True)
    if not cond:
        failures.append(what)
    return cond


def fatal(what):
    check(False, what)
    raise SystemExit(1)


def under(path, roots):
    path = os.path.realpath(path) if os.path.isabs(path) else path
    return any(path == r or path.startswith(r + "/") for r in roots)


def free_port(kind):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dsn_get(dsn, key):
    m = re.search(r"(?:^|\s)" + key + r"=(\S+)", dsn)
    return m.group(1) if m else None


def dsn_with(dsn, **kv):
    for k, v in kv.items():
        if dsn_get(dsn, k) is None:
            dsn += f" {k}={v}"
        else:
            dsn = re.sub(r"(^|\s)" + k + r"=\S+", lambda m: f"{m.group(1)}{k}={v}", dsn)
    return dsn


def psql(sql, dbname="postgres"):
    out = subprocess.run(["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", dsn_with(PG_DSN, dbname=dbname), "-c", sql],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        fatal(f"psql {sql!r}: {out.stderr.strip()}")
    return out.stdout.strip()


class Output:
    """A child's stdout+stderr, collected by a thread."""

    def __init__(self, proc):
        self.proc, self.text, self.lock = proc, "", threading.Lock()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in iter(self.proc.stdout.readline, ""):
            with self.lock:
                self.text += line

    def get(self):
        with self.lock:
            return self.text


class Https:
    def __init__(self, port):
        self.base = f"https://127.0.0.1:{port}"
        self.ctx = ssl.create_default_context()
        self.ctx.check_hostname = False
        self.ctx.verify_mode = ssl.CERT_NONE  # the development certificate hazmond makes in state_dir
        self.token = None

    def request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=20) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def json(self, method, path, body=None):
        status, data = self.request(method, path, body)
        try:
            return status, json.loads(data) if data else None
        except ValueError:
            return status, data


def main():
    work = tempfile.mkdtemp(prefix="hazmon-install-", dir="/tmp")
    hidden = [SOURCE] + ([] if under(BUILD, [SOURCE]) else [BUILD])
    if under(work, hidden):
        fatal(f"the work directory {work} lies under the source or build tree")
    children = []
    try:
        run(work, hidden, children)
    finally:
        for p in reversed(children):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        subprocess.run(["psql", "-X", "-q", dsn_with(PG_DSN, dbname="postgres"), "-c",
                        f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)"], capture_output=True, timeout=60)
        if failures:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("all checks passed")


def run(work, hidden, children):
    t0 = time.monotonic()
    # ---------------------------------------------------------------- install
    stage = os.path.join(work, "stage")
    inst = subprocess.run(["cmake", "--install", BUILD, "--prefix", "/usr"], env={**os.environ, "DESTDIR": stage},
                          capture_output=True, text=True, timeout=120)
    if not check(inst.returncode == 0, "cmake --install into DESTDIR"):
        fatal(inst.stdout[-2000:] + inst.stderr[-2000:])
    usr = os.path.join(stage, "usr")
    home = os.path.join(usr, "share/hazmon")
    hazmond = os.path.join(usr, "bin/hazmond")
    check(os.access(hazmond, os.X_OK), "bin/hazmond is installed and executable")
    for rel in ["schemas/config.schema.json", "schemas/openapi.yaml", "data/roster", "web/dist/index.html",
                "config/hazmond.prod.json", "config/hazmond.example.json",
                "models/yolo-fastest-1.1-body/yolo-fastest-1.1_body.weights", "models/yolo-fastest-1.1-body/LICENSE",
                "models/shufflenetv2-onfire/shufflenetv2_onfire_ff.caffemodel", "models/shufflenetv2-onfire/LICENSE"]:
        check(os.path.exists(os.path.join(home, rel)), f"share/hazmon/{rel}")
    src_migrations = sorted(f for f in os.listdir(os.path.join(SOURCE, "migrations")) if f.endswith(".sql"))
    check(sorted(os.listdir(os.path.join(home, "migrations"))) == src_migrations,
          f"share/hazmon/migrations holds the {len(src_migrations)} migrations")
    check(not os.path.exists(os.path.join(home, "web/dist/.hazmon-build-sha256")), "the build stamp of web/dist is left out")
    unit = open(os.path.join(usr, "lib/systemd/system/hazmond.service")).read()
    check("ExecStart=/usr/bin/hazmond serve --config /etc/hazmon/hazmond.json" in unit and
          "Environment=HAZMON_HOME=/usr/share/hazmon" in unit and not re.search(r"@[A-Z_]+@", unit),
          "the unit names /usr/bin/hazmond and HAZMON_HOME=/usr/share/hazmon")
    check(re.search(r"^u hazmon ", open(os.path.join(usr, "lib/sysusers.d/hazmon.conf")).read(), re.M) is not None,
          "lib/sysusers.d/hazmon.conf makes the hazmon user")
    check("d /etc/hazmon " in open(os.path.join(usr, "lib/tmpfiles.d/hazmon.conf")).read(), "lib/tmpfiles.d/hazmon.conf")
    check(os.path.exists(os.path.join(usr, "share/doc/hazmon/operations.md")), "share/doc/hazmon/operations.md")
    print(f"      installed in {time.monotonic() - t0:.1f} s", flush=True)

    # ---------------------------------------------------------------- the namespace
    sock_dir = dsn_get(PG_DSN, "host")
    pg_run = os.path.join(work, "pgrun")
    os.makedirs(pg_run)
    cover = " && ".join(f"mount -t tmpfs -o ro,size=4k hazmon-hidden '{d}'" for d in hidden)
    # Mounts in a private namespace only; the socket directory of the test cluster (under the build
    # tree) is bound to a path under /tmp first.
    prelude = f"mount --bind '{sock_dir}' '{pg_run}' && {cover}"
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", prelude + f" && test ! -e '{SOURCE}/CMakeLists.txt'"],
                           capture_output=True, text=True)
    hide = probe.returncode == 0
    if hide:
        dsn = dsn_with(PG_DSN, host=pg_run, dbname=DB)
        print(f"      source and build tree covered by tmpfs in hazmond's mount namespace: {', '.join(hidden)}")
    else:
        # Without CAP_SYS_ADMIN: the /proc checks below still show what hazmond opened.
        dsn = dsn_with(PG_DSN, dbname=DB)
        print(f"      no private mount namespace ({probe.stderr.strip()}); relying on the /proc checks")

    def in_ns(argv):
        if not hide:
            return argv
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", prelude + ' && exec "$@"', "sh"] + argv

    cwd = os.path.join(work, "cwd")
    os.makedirs(cwd)
    base_env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": work, "LANG": "C.UTF-8", "HAZMON_DB_DSN": dsn}
    env_home = {**base_env, "HAZMON_HOME": home}
    config = os.path.join(work, "hazmond.json")
    with open(config, "w") as f:
        json.dump({"state_dir": os.path.join(work, "var"),
                   "log": {"level": "info"},
                   "http": {"listen_address": "127.0.0.1", "port": 0, "shutdown_grace_ms": 1000},
                   "video": {"enabled": True, "allowed_networks": {"*": ["127.0.0.1/32"]}, "clip_before_s": 1,
                             "clip_after_s": 1}}, f)

    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB}")

    # migrate without HAZMON_HOME: the installed binary's own share/hazmon.
    mig = subprocess.run(in_ns([hazmond, "migrate", "--config", config]), cwd=cwd, env=base_env, capture_output=True,
                         text=True, timeout=120)
    check(mig.returncode == 0, "hazmond migrate (no HAZMON_HOME) from the installed tree" +
          ("" if mig.returncode == 0 else ": " + (mig.stdout + mig.stderr)[-1500:]))
    applied = psql("SELECT count(*) FROM schema_migrations", DB)
    check(applied == str(len(src_migrations)), f"schema_migrations holds {applied} of {len(src_migrations)} migrations")
    check(psql("SELECT to_regclass('public.enterprise') IS NOT NULL", DB) == "t",
          "the registry's enterprise table exists")

    add = subprocess.run(in_ns([hazmond, "user", "add", "--config", config, "--username", "inst_admin", "--role",
                                "province_admin", "--display-name", "安装测试"]),
                         cwd=cwd, env={**env_home, "HAZMON_PASSWORD": "Inst-" + "x7Kp2mQ9wZ"}, capture_output=True,
                         text=True, timeout=120)
    check(add.returncode == 0, "hazmond user add" + ("" if add.returncode == 0 else ": " + add.stderr[-1000:]))

    # ---------------------------------------------------------------- serve
    proc = subprocess.Popen(in_ns([hazmond, "serve", "--config", config]), cwd=cwd, env=env_home,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    children.append(proc)
    out = Output(proc)
    port = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and port is None:
        m = re.search(r"serving https://localhost:(\d+)/", out.get())
        if m:
            port = int(m.group(1))
        elif proc.poll() is not None:
            fatal("hazmond exited before serving:\n" + out.get()[-3000:])
        else:
            time.sleep(0.1)
    if port is None:
        fatal("hazmond did not serve within 60 s:\n" + out.get()[-3000:])
    print(f"      serving on {port} after {time.monotonic() - t0:.1f} s", flush=True)
    c = Https(port)

    status, body = c.json("GET", "/readyz")
    check(status == 200 and body.get("status") == "ready", f"/readyz: {status} {body}")

    index = open(os.path.join(home, "web/dist/index.html"), "rb").read()
    status, page = c.request("GET", "/")
    check(status == 200 and page == index, "GET / is the installed web/dist/index.html")
    assets = re.findall(rb'(?:src|href)="(/assets/[^"]+)"', index)
    if check(len(assets) > 0, "index.html names its assets"):
        asset = assets[0].decode()
        status, data = c.request("GET", asset)
        check(status == 200 and data == open(os.path.join(home, "web/dist") + asset, "rb").read(),
              f"GET {asset} is the installed file")

    status, body = c.json("POST", "/api/v1/auth/login", {"username": "inst_admin", "password": "Inst-x7Kp2mQ9wZ"})
    if not check(status == 200, f"login: {status}"):
        fatal(str(body))
    c.token = body["token"]

    # ---------------------------------------------------------------- a camera and its analysers
    clip = os.path.join(SOURCE, "tests/data/video-eval/furg_house6.mp4")
    rtsp_port, ts_port = free_port(socket.SOCK_STREAM), free_port(socket.SOCK_DGRAM)
    relay_log = open(os.path.join(work, "relay.log"), "w+")
    relay = subprocess.Popen(["/usr/bin/python3", os.path.join(SOURCE, "tests/support/gst_rtsp_relay.py"), str(rtsp_port),
                              "/cam", str(ts_port)], stdout=relay_log, stderr=subprocess.STDOUT)
    children.append(relay)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if "serving" in open(relay_log.name).read():
            break
        if relay.poll() is not None:
            fatal("the RTSP relay exited: " + open(relay_log.name).read())
        time.sleep(0.1)
    else:
        fatal("the RTSP relay did not start within 20 s")
    feeder = subprocess.Popen(["ffmpeg", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", clip, "-c",
                               "copy", "-f", "mpegts", f"udp://127.0.0.1:{ts_port}?pkt_size=1316"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children.append(feeder)

    status, body = c.json("POST", "/api/v1/regions", {"code": "140702", "name": "榆次区", "level": "county",
                                                       "parent_code": "140700"})
    check(status in (201, 409), f"region: {status}")
    status, body = c.json("POST", "/api/v1/enterprises", {"company_code": COMPANY, "name": "安装测试化工有限公司",
                                                           "region_code": "140702"})
    check(status == 201, f"enterprise: {status} {body}")
    status, body = c.json("POST", "/api/v1/cameras", {
        "video_id": CAM, "company_code": COMPANY, "name": "储罐区球机", "scene_type": "tank_farm", "location": "罐区",
        "rtsp_url": f"rtsp://127.0.0.1:{rtsp_port}/cam",
        "analysers": [{"type": "fire_smoke"}, {"type": "leave_post"}]})
    if not check(status == 201, f"camera with fire_smoke and leave_post: {status} {body}"):
        fatal("no camera")

    def metric(text, name, labels):
        m = re.search(r"^" + re.escape(name) + r"\{" + re.escape(labels) + r"\} (\S+)$", text, re.M)
        return float(m.group(1)) if m else 0.0

    inference = analysed = 0.0
    event = None
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline and (inference <= 0 or event is None):
        _, text = c.request("GET", "/metrics")
        text = text.decode()
        inference = metric(text, "hazmon_video_stage_seconds_total", 'stage="inference"')
        analysed = metric(text, "hazmon_video_frames_total", 'kind="analysed"')
        status, body = c.json("GET", f"/api/v1/video/events?analyser=fire&video_id={CAM}")
        if status == 200 and body["items"]:
            event = body["items"][0]
        time.sleep(0.5)
    check(analysed > 0, f"the pipeline analysed frames ({analysed:.0f})")
    check(inference > 0, f"the analysers ran the models from the installed tree (inference {inference:.3f} s)")
    check(event is not None and event.get("confidence", 0) > 0.5,
          "a fire event from the fire network: " + (json.dumps(event, ensure_ascii=False)[:200] if event else "none"))
    status, body = c.json("GET", f"/api/v1/cameras/{CAM}/status")
    check(status == 200 and body.get("state") == "online", f"camera status: {status} {body}")
    log = out.get()
    check(not re.search(r"model cannot be loaded|model is empty|no models", log), "no model failed to load (log)")
    print(f"      video checks done after {time.monotonic() - t0:.1f} s", flush=True)

    # ---------------------------------------------------------------- nothing of the source tree
    pid = proc.pid
    opened = [line.split(None, 5)[5] for line in open(f"/proc/{pid}/maps").read().splitlines() if len(line.split(None, 5)) == 6]
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            opened.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    opened.append(os.readlink(f"/proc/{pid}/cwd"))
    opened.append(os.readlink(f"/proc/{pid}/exe"))
    inside = sorted({p for p in opened if p.startswith("/") and under(p, [SOURCE, BUILD])})
    check(not inside, f"hazmond maps and opens nothing under the source or build tree ({len(opened)} paths): {inside[:5]}")
    check(under(os.readlink(f"/proc/{pid}/exe"), [stage]), "the process is the installed binary")
    check(SOURCE not in log and BUILD not in log, "the log names no source or build path")

    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    check(rc == 0, f"hazmond stops on SIGTERM with 0 (rc {rc})")
    print(f"      done in {time.monotonic() - t0:.1f} s", flush=True)


if __name__ == "__main__":
    main()
