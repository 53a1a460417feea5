#!/usr/bin/env python3
"""Helpers of compose/bench.sh (standard library only). One subcommand per job:

  sink PORT STATS_FILE          OTLP/HTTP sink: 200 to POST /v1/traces, counts requests and bytes
  seed N PORT...                N form POSTs (msg=seed <i>) to /facade, over the ports in turn
  kv-change CONSUL N PORT...    R4: N changes of lab_settings' queue_name, time until every instance's
                                GET /settings reports it (polled every 10 ms per instance)
  set CONSUL KEY JSON PORT...   R8: lab_settings' KEY := JSON, and wait until every instance reports it
  total URL                     X-Total-Count of GET URL?limit=1
  freshness N PORT_A PORT_B     R11: N POSTs, each through one facade in turn, time until the uuid is
                                on the other facade's GET ?limit=100 (logging list)
  failover CONSUL SERVICE PORT PID   R5: kill -9 PID, time until its id leaves SERVICE?passing
  start-to-passing CONSUL SERVICE RUNS PID_FILE LOG -- CMD...
                                R6: start CMD RUNS times, each on a machine at rest, time from the
                                fork to passing (a blocking query), stop it
  register CONSUL SERVICE COUNT PORT_BASE   R7: COUNT synthetic instances with passing TTL checks
  health-size CONSUL SERVICE    R7: bytes and time of one SERVICE?passing answer
  jmh JSON...                   R7: "<param> <means> <errors> <median of all iterations>" per parameter
  jfr-top JSON TOP              top frames of jdk.ExecutionSample events (jfr print --json)

Times are printed in milliseconds as key=value pairs on one line.
"""
import http.client
import http.server
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter


def consul_conn(url):
    u = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=10)


def answer(conn, method, path, body=None):
    """The response (for its headers) and its body; a status of 300 or more raises."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        raise RuntimeError(f"{method} {path}: {r.status} {data[:200]!r}")
    return r, data


def call(conn, method, path, body=None):
    return answer(conn, method, path, body)[1]


def passing_ids(conn, service):
    return {e["Service"]["ID"]: e["Service"]["Port"]
            for e in json.loads(call(conn, "GET", f"/v1/health/service/{service}?passing") or b"[]")}


def ms(seconds):
    return f"{seconds * 1000:.0f}"


# ---- sink ----------------------------------------------------------------------------------
def sink(port, stats_file):
    stats = {"requests": 0, "bytes": 0}
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n)
            with lock:
                stats["requests"] += 1
                stats["bytes"] += len(body)
                with open(stats_file + ".tmp", "w") as f:
                    json.dump(stats, f)
                os.replace(stats_file + ".tmp", stats_file)
            # An empty ExportTraceServiceResponse is an empty protobuf message.
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    with open(stats_file, "w") as f:
        json.dump(stats, f)
    server.serve_forever()


def seed(n, ports):
    conns = {p: http.client.HTTPConnection("127.0.0.1", p, timeout=10) for p in ports}
    for i in range(n):
        c = conns[ports[i % len(ports)]]
        c.request("POST", "/facade", body=f"msg=seed {i}",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
        r = c.getresponse()
        r.read()
        if r.status != 201:
            print(f"error=seed_{i}_answered_{r.status}")
            return 1
    print(f"seeded={n}")
    return 0


# ---- R4 ------------------------------------------------------------------------------------
def settings_reported(ports, key, value, t0, timeout=10.0):
    """Seconds from t0 until each instance's GET /settings reports KEY == value, by port."""
    seen = {}

    def poll(port):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        while time.monotonic() - t0 < timeout:
            try:
                c.request("GET", "/settings")
                r = c.getresponse()
                body = r.read()
                if r.status == 200 and json.loads(body).get(key) == value:
                    seen[port] = time.monotonic() - t0
                    return
            except (OSError, http.client.HTTPException, ValueError):
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            time.sleep(0.01)

    threads = [threading.Thread(target=poll, args=(p,)) for p in ports]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return seen


def kv_change(consul, changes, ports):
    conn = consul_conn(consul)
    original = call(conn, "GET", "/v1/kv/lab_settings?raw")
    doc = json.loads(original)
    times = []

    try:
        for i in range(changes):
            value = f"bench-queue-{os.getpid()}-{i}"
            changed = dict(doc, queue_name=value)
            time.sleep(0.3)
            t0 = time.monotonic()
            call(conn, "PUT", "/v1/kv/lab_settings", json.dumps(changed, indent=2))
            seen = settings_reported(ports, "queue_name", value, t0)
            if len(seen) != len(ports):
                missing = sorted(set(ports) - set(seen))
                print(f"error=instances_{missing}_did_not_report_{value}_within_10s")
                return 1
            times.append(max(seen.values()))
    finally:
        call(conn, "PUT", "/v1/kv/lab_settings", original)
    back = settings_reported(ports, "queue_name", doc.get("queue_name"), time.monotonic())
    print(f"changes={len(times)} max_ms={ms(max(times))} median_ms={ms(statistics.median(times))} "
          f"all_ms={','.join(ms(t) for t in times)} restored={len(back)}/{len(ports)}")
    return 0


# ---- R8 / R10 / R11 -------------------------------------------------------------------------
def set_setting(consul, key, value, ports):
    conn = consul_conn(consul)
    doc = json.loads(call(conn, "GET", "/v1/kv/lab_settings?raw"))
    doc[key] = json.loads(value)
    t0 = time.monotonic()
    call(conn, "PUT", "/v1/kv/lab_settings", json.dumps(doc, indent=2))
    seen = settings_reported(ports, key, doc[key], t0)
    if len(seen) != len(ports):
        print(f"error=instances_{sorted(set(ports) - set(seen))}_did_not_report_{key}_within_10s")
        return 1
    print(f"{key}={value} max_ms={ms(max(seen.values()))}")
    return 0


def total(url):
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    c.request("GET", f"{u.path}?limit=1")
    r = c.getresponse()
    r.read()
    print(r.getheader("X-Total-Count") or "none")
    return 0 if r.status == 200 else 1


def freshness(n, port_a, port_b, timeout=5.0):
    facades = [http.client.HTTPConnection("127.0.0.1", p, timeout=10) for p in (port_a, port_b)]
    times = []
    for i in range(n):
        poster, reader = facades[i % 2], facades[(i + 1) % 2]
        poster.request("POST", "/facade", body=f"msg=fresh {i}",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
        r = poster.getresponse()
        body = r.read()
        if r.status != 201:
            print(f"error=post_{i}_answered_{r.status}")
            return 1
        uuid = json.loads(body)["uuid"]
        t0 = time.monotonic()
        while True:
            reader.request("GET", "/facade?limit=100")
            r = reader.getresponse()
            page = json.loads(r.read())
            if r.status == 200 and any(item["uuid"] == uuid for item in page["logging"]):
                times.append(time.monotonic() - t0)
                break
            if time.monotonic() - t0 > timeout:
                print(f"error={uuid}_not_on_the_other_facade_within_{timeout}s")
                return 1
    times.sort()
    p99 = times[min(len(times) - 1, int(round(0.99 * len(times))) - 1)]
    print(f"tries={n} p99_ms={ms(p99)} p50_ms={ms(statistics.median(times))} max_ms={ms(times[-1])} "
          f"under_50ms={sum(1 for t in times if t < 0.05)}")
    return 0


# ---- R5 ------------------------------------------------------------------------------------
def failover(consul, service, port, pid, timeout=30.0):
    conn = consul_conn(consul)
    ids = [i for i, p in passing_ids(conn, service).items() if p == port]
    if len(ids) != 1:
        print(f"error=no_single_passing_{service}_on_port_{port}")
        return 1
    victim = ids[0]
    t0 = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    while time.monotonic() - t0 < timeout:
        if victim not in passing_ids(conn, service):
            print(f"id={victim} dropped_ms={ms(time.monotonic() - t0)}")
            return 0
        time.sleep(0.02)
    print(f"id={victim} error=still_passing_after_{timeout:.0f}s")
    return 1


# ---- R6 ------------------------------------------------------------------------------------
def health(conn, service, query="", index=None):
    """SERVICE's ids in the health endpoint and the answer's index; with INDEX, a blocking query."""
    blocking = f"&index={index}&wait=2s" if index else ""
    r, data = answer(conn, "GET", f"/v1/health/service/{service}?{query}{blocking}")
    return {e["Service"]["ID"] for e in json.loads(data or b"[]")}, r.getheader("X-Consul-Index")


def busy_share(seconds):
    """The share of the machine's CPU time spent busy over SECONDS (/proc/stat; iowait counts as idle)."""
    def sample():
        fields = [int(v) for v in open("/proc/stat").readline().split()[1:]]
        return sum(fields), fields[3] + fields[4]
    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def at_rest(limit=0.25, window=2, longest=30):
    """Waits (up to LONGEST s) for WINDOW s of the machine under LIMIT busy; returns the last window's share."""
    t0 = time.monotonic()
    share = busy_share(window)
    while share > limit and time.monotonic() - t0 < longest:
        share = busy_share(window)
    return share


def start_to_passing(consul, service, runs, pid_file, log, cmd):
    # Each start begins on a machine at rest (the lab idle: what came before, R5's restart and R4's
    # reconnects, done), and is seen by a blocking query: Consul answers it when the service's health
    # changes. Polling every 20 ms cost ~10% of a core (the probe and Consul) taken from the start it
    # timed, and added up to 20 ms to each (docs/benchmarks.md, R6a's probe).
    conn = consul_conn(consul)
    times, rest = [], []
    for run in range(runs):
        rest.append(at_rest())
        before, index = health(conn, service)
        with open(f"{log}.{run}", "w") as out:
            t0 = time.monotonic()
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            with open(pid_file, "w") as f:
                f.write(f"{proc.pid}\n")
            try:
                found = None
                while found is None and time.monotonic() - t0 < 60 and proc.poll() is None:
                    passing, index = health(conn, service, "passing", index)
                    if passing - before:
                        found = time.monotonic() - t0
                if found is None:
                    print(f"error=run_{run}_not_passing_within_60s_(log_{log}.{run})")
                    return 1
                times.append(found)
            finally:
                proc.terminate()
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                os.remove(pid_file)
    print(f"runs={len(times)} max_ms={ms(max(times))} median_ms={ms(statistics.median(times))} "
          f"all_ms={','.join(ms(t) for t in times)} busy_before_pct={','.join(f'{100 * b:.0f}' for b in rest)}")
    return 0


# ---- R7 ------------------------------------------------------------------------------------
def register(consul, service, count, port_base, workers=4):
    failures = []

    def work(first):
        conn = consul_conn(consul)
        try:
            for i in range(first, count, workers):
                sid = f"{service}-{i:05d}"
                body = {"ID": sid, "Name": service, "Address": "127.0.0.1", "Port": port_base + i,
                        "Tags": ["bench"], "Meta": {"version": "bench"},
                        "Check": {"TTL": "60m", "Status": "passing", "DeregisterCriticalServiceAfter": "90m"}}
                call(conn, "PUT", "/v1/agent/service/register", json.dumps(body))
        except (OSError, RuntimeError, http.client.HTTPException) as e:
            failures.append(str(e))

    t0 = time.monotonic()
    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - t0
    if failures:
        print(f"error=registration_failed:{failures[0]}")
        return 1
    n = len(passing_ids(consul_conn(consul), service))
    print(f"registered={count} passing={n} took_ms={ms(took)}")
    return 0 if n == count else 1


def health_size(consul, service):
    conn = consul_conn(consul)
    call(conn, "GET", f"/v1/health/service/{service}?passing")
    best = None
    for _ in range(5):
        t0 = time.monotonic()
        data = call(conn, "GET", f"/v1/health/service/{service}?passing")
        took = time.monotonic() - t0
        best = took if best is None else min(best, took)
    n = len(json.loads(data))
    print(f"instances={n} bytes={len(data)} bytes_per_instance={len(data) // max(n, 1)} min_ms={best * 1000:.1f}")
    return 0


def jmh(paths):
    """Per parameter over all files: "<param> <means> <errors> <median of all iterations>" (means and
    errors one per file, joined by '/')."""
    by_param = {}
    for path in paths:
        for r in json.load(open(path)):
            m = r["primaryMetric"]
            params = ",".join(f"{v}" for v in (r.get("params") or {}).values())
            entry = by_param.setdefault(params, {"means": [], "errors": [], "iterations": []})
            entry["means"].append(f'{m["score"]:.2f}')
            entry["errors"].append(f'{m["scoreError"] if m["scoreError"] == m["scoreError"] else 0:.2f}')
            entry["iterations"].extend(x for fork in m["rawData"] for x in fork)
    for params, e in by_param.items():
        print(params, "/".join(e["means"]), "/".join(e["errors"]), statistics.median(e["iterations"]))
    return 0


def jfr_top(path, top):
    events = json.load(open(path))["recording"]["events"]
    self_frames, lab_incl, pkg_incl, threads = Counter(), Counter(), Counter(), Counter()
    total = 0
    for e in events:
        frames = (e["values"].get("stackTrace") or {}).get("frames") or []
        if not frames:
            continue
        total += 1

        def name(f):
            m = f["method"]
            return f'{m["type"]["name"].replace("/", ".")}.{m["name"]}'

        self_frames[name(frames[0])] += 1
        names = [name(f) for f in frames]
        lab_incl.update({n for n in names if n.startswith("lab.") and "$$Lambda" not in n})
        pkg_incl.update({".".join(n.split(".")[:3]) for n in names})
        thread = e["values"].get("sampledThread") or {}
        label = thread.get("javaName") or thread.get("osName") or "(unnamed)"
        label = re.sub(r"\[[^]]*\]\s*|0x[0-9a-f]+|\d+", "", label).strip(" -_#") or "(unnamed)"
        threads[("virtual: " if thread.get("virtual") else "") + label] += 1

    def show(title, counter):
        print(title)
        for n, c in counter.most_common(top):
            print(f"  {100 * c / total:5.1f}% {n}")

    print(f"samples={total} (jdk.ExecutionSample, stacks up to 64 frames)")
    show("threads:", threads)
    show("top frames (self time):", self_frames)
    show("packages on the stack (inclusive):", pkg_incl)
    show("lab.* methods on the stack (inclusive):", lab_incl)
    return 0


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "sink":
        return sink(int(args[0]), args[1])
    if cmd == "seed":
        return seed(int(args[0]), [int(p) for p in args[1:]])
    if cmd == "kv-change":
        return kv_change(args[0], int(args[1]), [int(p) for p in args[2:]])
    if cmd == "set":
        return set_setting(args[0], args[1], args[2], [int(p) for p in args[3:]])
    if cmd == "total":
        return total(args[0])
    if cmd == "freshness":
        return freshness(int(args[0]), int(args[1]), int(args[2]))
    if cmd == "failover":
        return failover(args[0], args[1], int(args[2]), int(args[3]))
    if cmd == "start-to-passing":
        sep = args.index("--")
        return start_to_passing(args[0], args[1], int(args[2]), args[3], args[4], args[sep + 1:])
    if cmd == "register":
        return register(args[0], args[1], int(args[2]), int(args[3]))
    if cmd == "health-size":
        return health_size(args[0], args[1])
    if cmd == "jmh":
        return jmh(args)
    if cmd == "jfr-top":
        return jfr_top(args[0], int(args[1]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
