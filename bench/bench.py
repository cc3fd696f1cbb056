#!/usr/bin/env python3
"""trove benchmark: build, start, seed, load with wrk, report.

Run it through bench/run.sh; see bench/README.md for what every number means.
Python 3.11 standard library only. All traffic goes to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import atexit
import datetime as dt
import http.client
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WRK_DIR = BENCH_DIR / "wrk"
CLK_TCK = os.sysconf("SC_CLK_TCK")
HOST = "127.0.0.1"

TROVE_PASSWORD = "bench-admin-pass-1"
TROVE_SECRET = "bench-jwt-secret-0123456789abcdef"

# Processes this script started (only these are ever signalled).
_STARTED: list[subprocess.Popen | int] = []


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def die(msg: str) -> None:
    log("ERROR: " + msg)
    sys.exit(1)


# --------------------------------------------------------------------------- processes

def _pid_of(p: subprocess.Popen | int) -> int:
    return p if isinstance(p, int) else p.pid


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def stop_process(p: subprocess.Popen | int, timeout: float = 10.0) -> float | None:
    """SIGTERM one process we started (by PID), SIGKILL after `timeout`.
    Returns the seconds it took to exit after SIGTERM."""
    pid = _pid_of(p)
    if not _alive(pid):
        if isinstance(p, subprocess.Popen):
            p.poll()
        return None
    t0 = time.perf_counter()
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return None
    deadline = t0 + timeout
    while time.perf_counter() < deadline:
        if isinstance(p, subprocess.Popen):
            if p.poll() is not None:
                break
        elif not _alive(pid):
            break
        time.sleep(0.01)
    else:
        log(f"process {pid} ignored SIGTERM for {timeout:.0f} s; sending SIGKILL")
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if isinstance(p, subprocess.Popen):
            p.wait(5)
    if p in _STARTED:
        _STARTED.remove(p)
    return time.perf_counter() - t0


def _cleanup() -> None:
    for p in list(_STARTED):
        stop_process(p, timeout=5)


def _on_signal(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM in kB (0 when the process is gone)."""
    out = {"VmRSS": 0, "VmHWM": 0, "RssAnon": 0, "RssFile": 0, "RssShmem": 0, "Threads": 0}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in out:
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


def proc_tree(pid: int) -> list[int]:
    """pid and its descendants (ZenML may fork helpers; trove does not)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(d))
        except (OSError, IndexError, ValueError):
            continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / CLK_TCK


def tree_rss_kb(pid: int) -> int:
    return sum(proc_status(p)["VmRSS"] for p in proc_tree(pid))


def reset_hwm(pid: int) -> bool:
    """Reset VmHWM (Linux: write 5 to clear_refs). False when not allowed."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class Sampler:
    """Samples the RSS (process tree) and CPU time of a server while a load runs."""

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid, self.interval = pid, interval
        self.max_rss_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.pids = proc_tree(self.pid)
        self.cpu0 = cpu_seconds(self.pids)
        self._thread.start()
        return self

    def _run(self):
        n = 0
        while not self._stop.is_set():
            if n % 20 == 0:
                self.pids = proc_tree(self.pid)
            n += 1
            self.max_rss_kb = max(self.max_rss_kb, sum(proc_status(p)["VmRSS"] for p in self.pids))
            self._stop.wait(self.interval)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.cpu = cpu_seconds(self.pids) - self.cpu0


# --------------------------------------------------------------------------- HTTP

class Client:
    """A small keep-alive HTTP/1.1 client for set-up requests (not for load)."""

    def __init__(self, port: int, token: str | None = None, timeout: float = 600):
        self.port, self.token, self.timeout = port, token, timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, json_body=None, form: dict | None = None,
                auth: bool = True) -> tuple[int, bytes]:
        headers = {}
        body = None
        if json_body is not None:
            body = json.dumps(json_body, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if auth and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, data
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, expect: int = 200, **kw):
        status, data = self.request(method, path, **kw)
        if status != expect:
            raise RuntimeError(f"{method} {path} -> {status} (expected {expect}): {data[:500]!r}")
        return json.loads(data)

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None


def wait_http_200(port: int, path: str, proc_alive, t0: float, timeout: float, sleep: float = 0.001) -> float:
    """Poll http://127.0.0.1:port/path until it answers 200; ms since t0 (perf_counter)."""
    deadline = t0 + timeout
    while time.perf_counter() < deadline:
        if not proc_alive():
            raise RuntimeError("the server process exited during start-up")
        try:
            c = http.client.HTTPConnection(HOST, port, timeout=2)
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                return (time.perf_counter() - t0) * 1000
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(sleep)
    raise RuntimeError(f"no 200 on {path} within {timeout:.0f} s")


def login(client: Client, user: str, password: str) -> str:
    data = client.json("POST", "/api/v1/login", form={"username": user, "password": password}, auth=False)
    return data["access_token"]


# --------------------------------------------------------------------------- servers

class Server:
    """A server under test: its PID, port, credentials and data directory."""

    def __init__(self, name: str, port: int, pid: int, data_dir: Path, db_files: list[str],
                 user: str, password: str, popen: subprocess.Popen | None = None):
        self.name, self.port, self.pid, self.data_dir = name, port, pid, data_dir
        self.db_files, self.user, self.password, self.popen = db_files, user, password, popen
        self.token = ""
        self.project = ""

    def alive(self) -> bool:
        if self.popen is not None:
            return self.popen.poll() is None
        return _alive(self.pid)

    def client(self) -> Client:
        return Client(self.port, self.token)

    def connect(self):
        c = Client(self.port)
        self.token = login(c, self.user, self.password)
        c.token = self.token
        self.project = c.json("GET", "/api/v1/projects/default")["id"]
        c.close()

    def db_bytes(self) -> dict[str, int]:
        out = {}
        for name in self.db_files:
            p = self.data_dir / name
            out[name] = p.stat().st_size if p.exists() else 0
        return out

    def stop(self) -> float | None:
        return stop_process(self.popen if self.popen is not None else self.pid)


# trove's `db_mmap_mb` for every server this run starts (--db-mmap-mb).
DB_MMAP_MB = [0]


def start_trove(binary: Path, data_dir: Path, log_path: Path, log_level: str | None,
                wrapper: list[str] | None = None, timeout: float = 60) -> tuple[Server, float]:
    port = free_port()
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("TROVE_") or k == "RUST_LOG":
            del env[k]
    env["TROVE_ADMIN_PASSWORD"] = TROVE_PASSWORD
    env["TROVE_JWT_SECRET"] = TROVE_SECRET
    if log_level:
        env["TROVE_LOG_LEVEL"] = log_level
    if DB_MMAP_MB[0]:
        env["TROVE_DB_MMAP_MB"] = str(DB_MMAP_MB[0])
    cmd = (wrapper or []) + [str(binary), "serve", "--bind", f"{HOST}:{port}", "--data-dir", str(data_dir)]
    logf = open(log_path, "ab")
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         cwd=data_dir.parent, start_new_session=True)
    _STARTED.append(p)
    logf.close()
    try:
        ms = wait_http_200(port, "/api/v1/info", lambda: p.poll() is None, t0, timeout=timeout)
    except RuntimeError as e:
        stop_process(p)
        tail = log_path.read_text(errors="replace")[-2000:]
        die(f"trove did not start: {e}\n{tail}")
    srv = Server("trove", port, p.pid, data_dir, ["trove.db", "trove.db-wal", "trove.db-shm"],
                 "admin", TROVE_PASSWORD, popen=p)
    return srv, ms


def zenml_venv() -> Path:
    v = os.environ.get("ZENML_VENV")
    if v:
        return Path(v)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "zenml-0.98-venv"


def start_zenml(script: Path, data_dir: Path) -> tuple[Server, float | None]:
    """Start the reference through the conformance script; time from launching
    the script to the first 200 on /api/v1/info (polled here, 5 ms steps)."""
    if not script.exists():
        die(f"{script} not found (needed for --compare-zenml)")
    venv_ready = (zenml_venv() / "bin" / "uvicorn").exists()
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    password = os.environ.get("ZENML_REF_PASSWORD", "admin-pass-123")
    user = os.environ.get("ZENML_REF_USER", "admin")
    log(f"starting ZenML on port {port} via {script}" + ("" if venv_ready else " (creating its venv first: slow)"))
    script_log = data_dir.parent / "start_reference_zenml.log"
    errf = open(script_log, "wb")
    t0 = time.perf_counter()
    sp = subprocess.Popen(["bash", str(script), str(port), str(data_dir)], stdout=subprocess.PIPE,
                          stderr=errf, text=True, stdin=subprocess.DEVNULL)
    errf.close()
    first = sp.stdout.readline().strip() if sp.stdout else ""
    if not venv_ready:
        t0 = time.perf_counter()  # the venv was being created: time from the PID line instead
    pid = None
    for part in first.split():
        if part.startswith("PID="):
            pid = int(part[4:])
    if pid is None:
        sp.wait(timeout=600)
        die(f"start_reference_zenml.sh did not print PID=...: {first!r}\n"
            + script_log.read_text(errors="replace")[-2000:])
    _STARTED.append(pid)
    ms = None
    try:
        ms = wait_http_200(port, "/api/v1/info", lambda: _alive(pid), t0, timeout=180, sleep=0.005)
    except RuntimeError as e:
        stop_process(pid)
        die(f"ZenML did not start: {e}; see {data_dir}/server.log")
    try:
        sp.wait(timeout=120)
    except subprocess.TimeoutExpired:
        log("start_reference_zenml.sh is still polling; continuing")
    srv = Server("zenml", port, pid, data_dir, ["zenml.db", "zenml.db-wal", "zenml.db-shm"], user, password)
    return srv, (ms if venv_ready else None)


# --------------------------------------------------------------------------- seeding

class IdSample:
    """Reservoir sample of created version ids (uniform over everything seeded)."""

    def __init__(self, cap: int, rng: random.Random):
        self.cap, self.rng, self.seen, self.ids = cap, rng, 0, []

    def add(self, vid: str):
        self.seen += 1
        if len(self.ids) < self.cap:
            self.ids.append(vid)
        else:
            j = self.rng.randrange(self.seen)
            if j < self.cap:
                self.ids[j] = vid

    def write(self, path: Path):
        path.write_text("\n".join(self.ids) + "\n")


def make_body(project: str, j: int, rng: random.Random, artifacts: int, tag_pool: int) -> dict:
    a = rng.randrange(artifacts)
    t1, t2 = rng.sample(range(tag_pool), 2)
    return {
        "project": project,
        "artifact_name": f"a{a}",
        "type": "DataArtifact",
        "uri": f"/data/a{a}/{j}",
        "save_type": "manual",
        "materializer": "zenml.materializers.built_in_materializer.BuiltInMaterializer",
        "data_type": "builtins.int",
        "tags": [f"t{t1}", f"t{t2}"],
        "metadata": {"k1": j, "k2": "x", "k3": 0.5, "k4": True},
    }


def seed(srv: Server, start: int, target: int, batch: int, args, ids: IdSample) -> dict:
    """Create versions start..target-1 through POST /artifact_versions/batch,
    from `args.seed_connections` connections (the bodies of a batch depend
    only on its first index, so the data is the same whatever the
    parallelism). Returns seconds, versions/s and the slowest batch."""
    n = target - start
    starts = iter(range(start, target, batch))
    lock = threading.Lock()
    state = {"done": 0, "worst": 0.0, "error": None, "last_report": time.perf_counter()}
    t0 = time.perf_counter()

    def worker():
        c = srv.client()
        try:
            while True:
                with lock:
                    if state["error"]:
                        return
                    j = next(starts, None)
                if j is None:
                    return
                k = min(batch, target - j)
                rng = random.Random(j)
                bodies = [make_body(srv.project, i, rng, args.artifacts, args.tag_pool) for i in range(j, j + k)]
                tb = time.perf_counter()
                status, data = c.request("POST", "/api/v1/artifact_versions/batch", json_body=bodies)
                took = time.perf_counter() - tb
                if status != 200:
                    raise RuntimeError(f"POST /api/v1/artifact_versions/batch ({k} items) -> {status}: {data[:800]!r}")
                items = json.loads(data)
                if len(items) != k:
                    raise RuntimeError(f"batch of {k} returned {len(items)} items")
                with lock:
                    for it in items:
                        ids.add(it["id"])
                    state["done"] += k
                    state["worst"] = max(state["worst"], took)
                    now = time.perf_counter()
                    if now - state["last_report"] > 15:
                        state["last_report"] = now
                        log(f"  {srv.name}: seeded {start + state['done']:,}/{target:,} "
                            f"({state['done'] / (now - t0):,.0f} versions/s)")
        except Exception as e:  # noqa: BLE001 - reported below
            with lock:
                state["error"] = state["error"] or e
        finally:
            c.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, args.seed_connections))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if state["error"]:
        die(f"{srv.name}: seeding failed: {state['error']}")
    secs = time.perf_counter() - t0
    return {"from": start, "to": target, "versions": n, "seconds": secs, "rate": n / secs if secs > 0 else 0.0,
            "worst_batch_s": state["worst"], "batch": batch, "connections": max(1, args.seed_connections)}


# --------------------------------------------------------------------------- wrk

def ensure_wrk() -> str:
    w = shutil.which("wrk")
    if w:
        return w
    log("wrk not found; installing it with apt-get (Debian package 'wrk')")
    sudo = [] if os.geteuid() == 0 else (["sudo"] if shutil.which("sudo") else [])
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    r = subprocess.run(sudo + ["apt-get", "install", "-y", "wrk"], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        subprocess.run(sudo + ["apt-get", "update"], env=env, capture_output=True, text=True)
        r = subprocess.run(sudo + ["apt-get", "install", "-y", "wrk"], env=env, capture_output=True, text=True)
    w = shutil.which("wrk")
    if not w:
        die("could not install wrk: " + r.stderr[-1000:])
    return w


# (key, title, method+path shown, lua script, auth?, connections kind)
WORKLOADS = {
    "h": ("GET /health", "get.lua", False),
    "a": ("GET /api/v1/artifact_versions/{id}", "get_random_id.lua", True),
    "b": ("GET /api/v1/artifact_versions?size=20", "get.lua", True),
    "c": ("GET /api/v1/artifact_versions?size=20&artifact=aX&tags=tY", "list_filtered.lua", True),
    "d": ("GET /api/v1/artifact_versions?size=20&page=P", "get.lua", True),
    "e": ("POST /api/v1/artifact_versions", "create.lua", True),
    "f": ("PUT /api/v1/artifact_versions/{id} add_tags", "update_tags.lua", True),
    "g": ("POST /api/v1/login", "login.lua", False),
}


def deep_page(n: int, wanted: int = 200, size: int = 20) -> int:
    return max(1, min(wanted, n // size))


def workload_path(key: str, srv: Server, n: int) -> str:
    return {
        "h": "/health",
        "a": "/api/v1/artifact_versions",   # the lua script builds the path
        "b": "/api/v1/artifact_versions?size=20",
        "c": "/api/v1/artifact_versions",   # the lua script builds the path
        "d": f"/api/v1/artifact_versions?size=20&page={deep_page(n)}",
        "e": "/api/v1/artifact_versions",
        "f": "/api/v1/artifact_versions",
        "g": "/api/v1/login",
    }[key]


def probe(key: str, srv: Server, ids: list[str], n: int, args) -> tuple[int, int, str]:
    """One request of the workload through Python first: (status, bytes, note)."""
    c = srv.client()
    rng = random.Random(7)
    try:
        if key == "a":
            st, data = c.request("GET", f"/api/v1/artifact_versions/{ids[0]}")
        elif key == "c":
            st, data = c.request("GET", "/api/v1/artifact_versions?size=20&artifact=a17&tags=t3")
        elif key == "e":
            st, data = c.request("POST", "/api/v1/artifact_versions",
                                 json_body=make_body(srv.project, 10**9, rng, args.artifacts, args.tag_pool))
        elif key == "f":
            st, data = c.request("PUT", f"/api/v1/artifact_versions/{ids[0]}", json_body={"add_tags": ["bench-x"]})
        elif key == "g":
            st, data = c.request("POST", "/api/v1/login", form={"username": srv.user, "password": srv.password},
                                 auth=False)
        else:
            st, data = c.request("GET", workload_path(key, srv, n), auth=WORKLOADS[key][2])
    finally:
        c.close()
    note = ""
    if st == 200 and key in "bcd":
        page = json.loads(data)
        items = page.get("items", [])
        note = f"{len(items)} items of total {page.get('total')}"
        if key == "c":
            note += "; " + filter_check(items, "a17", "t3")
    elif st != 200:
        note = data[:300].decode(errors="replace")
    return st, len(data), note


def filter_check(items: list, artifact: str, tag: str) -> str:
    """Do the items of the filtered probe really match artifact=..&tags=..?"""
    if not items:
        return "filter unverified (empty page)"
    bad_a = bad_t = 0
    for it in items:
        name = ((it.get("body") or {}).get("artifact") or {}).get("name")
        tags = [t.get("name") for t in ((it.get("resources") or {}).get("tags") or [])]
        bad_a += name != artifact
        bad_t += tag not in tags
    if bad_a or bad_t:
        return f"FILTER NOT APPLIED: {bad_a} items not of {artifact}, {bad_t} without tag {tag}"
    return "filter ok"


def run_wrk(key: str, srv: Server, n: int, conns: int, duration: int, args, ids_file: Path | None,
            warmup: int = 0) -> dict:
    title, script, auth = WORKLOADS[key]
    url = f"http://{HOST}:{srv.port}{workload_path(key, srv, n)}"
    env = dict(os.environ)
    env.update({
        "BENCH_WRK_DIR": str(WRK_DIR),
        "BENCH_TOKEN": srv.token if auth else "",
        "BENCH_PROJECT": srv.project,
        "BENCH_ARTIFACTS": str(args.artifacts),
        "BENCH_TAGS": str(args.tag_pool),
        "BENCH_USER": srv.user,
        "BENCH_PASSWORD": srv.password,
    })
    if ids_file is not None:
        env["BENCH_IDS_FILE"] = str(ids_file)
    threads = max(1, min(args.wrk_threads, conns))

    def once(secs: int) -> tuple[dict, str]:
        cmd = [args.wrk, f"-t{threads}", f"-c{conns}", f"-d{secs}s", "--timeout", args.wrk_timeout,
               "--latency", "-s", str(WRK_DIR / script), url]
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=secs + 120)
        line = next((l for l in r.stdout.splitlines() if l.startswith("BENCH_JSON ")), None)
        if r.returncode != 0 or line is None:
            die(f"wrk failed for {key} ({' '.join(cmd)}):\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
        return json.loads(line[len("BENCH_JSON "):]), r.stdout

    if warmup > 0:
        once(warmup)
    # Dirty pages left by earlier steps (seeding, writes) are written back
    # now, not in the middle of this measurement.
    os.sync()
    with Sampler(srv.pid) as s:
        res, raw = once(duration)
    secs = res["duration_us"] / 1e6
    errors = res["err_connect"] + res["err_read"] + res["err_write"] + res["err_timeout"]
    out = {
        "key": key, "title": title, "conns": conns, "threads": threads, "duration_s": secs,
        "requests": res["requests"], "rps": res["requests"] / secs if secs else 0.0,
        "p50_ms": res["p50"] / 1000, "p90_ms": res["p90"] / 1000, "p99_ms": res["p99"] / 1000,
        "p999_ms": res["p999"] / 1000, "max_ms": res["lat_max"] / 1000,
        "non2xx": res["err_status"], "socket_errors": errors, "timeouts": res["err_timeout"],
        "bytes_per_req": res["bytes"] / res["requests"] if res["requests"] else 0,
        "server_cpu_s": s.cpu, "cpu_us_per_req": (s.cpu / res["requests"] * 1e6) if res["requests"] else 0.0,
        "peak_rss_kb": s.max_rss_kb, "wrk_output": raw,
    }
    return out


def wait_recovered(srv: Server, key: str, ids: list[str], n: int, args, timeout: float = 300) -> float:
    """After a stalled workload: send single requests of that workload (each
    may wait up to 10 min) until one succeeds; returns the seconds it took."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        try:
            st, _, _ = probe(key, srv, ids, n, args)
            if st == 200:
                took = time.perf_counter() - t0
                log(f"    {srv.name} answers {key} again after {took:.1f} s")
                return took
        except OSError:
            pass
        time.sleep(0.5)
    log(f"    {srv.name} still does not answer {key} after {timeout:.0f} s")
    return float("nan")


def stalled(r: dict) -> bool:
    """Fewer answers than seconds: the server stalled (wrk does not count
    requests still in flight at the end as timeouts, so a stall shows up as a
    handful of requests and no errors; ZenML does this under 16 concurrent
    creates)."""
    return r["requests"] < r["duration_s"]


def run_suite(srv: Server, keys: list[str], n: int, ids_file: Path, args, label: str) -> dict[str, dict]:
    results: dict[str, dict] = {}
    ids = ids_file.read_text().split()
    for key in keys:
        base = key.rstrip("2")
        st, size, note = probe(base, srv, ids, n, args)
        conns = args.write_connections if base == "e" else args.concurrency
        log(f"{label} {key}: {WORKLOADS[base][0]} (probe {st}, {size} B{', ' + note if note else ''}); "
            f"wrk {conns} conns {args.duration} s")
        r = run_wrk(base, srv, n, conns, args.duration, args, ids_file, warmup=args.warmup)
        r["probe_status"], r["probe_bytes"], r["probe_note"] = st, size, note
        if base == "d":
            r["title"] = f"GET /api/v1/artifact_versions?size=20&page={deep_page(n)}"
        r["key"] = key
        r["hwm_after_kb"] = proc_status(srv.pid)["VmHWM"]  # cumulative since the last reset
        results[key] = r
        if stalled(r):
            log(f"    !! {srv.name} answered {r['requests']} {key} requests in {args.duration} s at {conns} connections")
            r["recovery_s"] = wait_recovered(srv, base, ids, n, args)
            if conns > 1:
                log(f"    retrying {key} with 1 connection")
                r1 = run_wrk(base, srv, n, 1, args.duration, args, ids_file)
                r["fallback_1conn"] = r1
                log(f"    1 connection: {r1['rps']:,.1f} req/s  p50 {r1['p50_ms']:.2f} ms  p99 {r1['p99_ms']:.2f} ms")
                wait_recovered(srv, base, ids, n, args)
        flag = ""
        if r["non2xx"] or r["socket_errors"]:
            flag = f"  !! {r['non2xx']} non-2xx, {r['socket_errors']} socket errors"
        log(f"    {r['rps']:,.0f} req/s  p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  "
            f"cpu {r['cpu_us_per_req']:.0f} us/req  rss {r['peak_rss_kb'] / 1024:.1f} MB{flag}")
    return results


def run_during_logins(srv: Server, n: int, ids_file: Path, args) -> dict:
    """Workload a while logins (g, 4 connections) run at the same time: the
    target is that argon2 never blocks other requests (it has one thread)."""
    logins: dict = {}

    def login_load():
        logins.update(run_wrk("g", srv, n, 4, args.duration + 2, args, None))

    t = threading.Thread(target=login_load)
    t.start()
    time.sleep(1.0)
    log(f"trove a during logins: wrk {args.concurrency} conns {args.duration} s, logins on 4 more")
    a = run_wrk("a", srv, n, args.concurrency, args.duration, args, ids_file)
    t.join()
    log(f"    {a['rps']:,.0f} req/s  p50 {a['p50_ms']:.2f} ms  p99 {a['p99_ms']:.2f} ms; "
        f"logins meanwhile {logins.get('rps', 0):,.1f}/s")
    return {"a": a, "g": logins}


def during_logins_lines(mixed: dict, alone: dict) -> list[str]:
    a, g = mixed["a"], mixed["g"]
    share = a["rps"] / alone["rps"] if alone.get("rps") else float("nan")
    return [
        "## Gets while logins run",
        "",
        "Workload a alone, then again while 4 more connections log in (argon2id) for the whole run.",
        "",
        "| | req/s | p50 ms | p99 ms | non-2xx / socket err |",
        "|---|---:|---:|---:|---:|",
        f"| a alone | {fmt_n(alone['rps'])} | {fmt_ms(alone['p50_ms'])} | {fmt_ms(alone['p99_ms'])} | "
        f"{alone['non2xx']} / {alone['socket_errors']} |",
        f"| a during logins | {fmt_n(a['rps'])} ({share:.0%} of alone) | {fmt_ms(a['p50_ms'])} | "
        f"{fmt_ms(a['p99_ms'])} | {a['non2xx']} / {a['socket_errors']} |",
        f"| logins meanwhile (4 conns) | {g.get('rps', 0):,.1f} | {fmt_ms(g.get('p50_ms', 0))} | "
        f"{fmt_ms(g.get('p99_ms', 0))} | {g.get('non2xx', 0)} / {g.get('socket_errors', 0)} |",
        "",
        "argon2 runs on one dedicated thread at nice 10, so logins take at most one of the cores, and "
        "less while gets keep both busy. A stall would show as a p99 near the login time (~250 ms) or as "
        "a collapse of the rate.",
        "",
    ]


# --------------------------------------------------------------------------- baseline

def run_baseline(binary: Path, db: Path, threads: int, duration: int, args) -> dict:
    os.sync()  # as before every workload (see run_wrk)
    cmd = [str(binary), "--db", str(db), "--threads", str(threads), "--duration", str(duration),
           "--artifacts", str(args.artifacts), "--tag-pool", str(args.tag_pool)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120)
    line = next((l for l in r.stdout.splitlines() if l.startswith("BASELINE_JSON ")), None)
    if r.returncode != 0 or line is None:
        die(f"insert_baseline failed: {r.stdout[-1000:]}\n{r.stderr[-1000:]}")
    for l in r.stdout.splitlines():
        if not l.startswith("BASELINE_JSON "):
            log("  " + l)
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    return json.loads(line[len("BASELINE_JSON "):])


# --------------------------------------------------------------------------- environment

def machine_info() -> dict:
    model = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // 1024
    except OSError:
        pass
    git = ""
    try:
        rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        git = rev + (" (+ uncommitted changes)" if dirty else "")
    except OSError:
        pass
    try:
        wrkv = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
        wrkv = " ".join(wrkv.split()[:2])
    except (OSError, IndexError):
        wrkv = "?"
    return {"nproc": os.cpu_count(), "cpu": model, "mem_mb": mem, "kernel": platform.release(),
            "loadavg": open("/proc/loadavg").read().split()[:3], "git": git, "wrk": wrkv,
            "python": platform.python_version()}


def build(args) -> tuple[Path, Path]:
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=REPO,
                          capture_output=True, text=True)
    if meta.returncode != 0:
        die("cargo metadata failed: " + meta.stderr[-1000:])
    target = Path(json.loads(meta.stdout)["target_directory"])
    trove = target / "release" / "trove"
    baseline = target / "release" / "examples" / "insert_baseline"
    if args.no_build:
        if not trove.exists() or not baseline.exists():
            die(f"--no-build but {trove} or {baseline} is missing")
        return trove, baseline
    log(f"cargo build --release (target dir {target}) ...")
    t0 = time.perf_counter()
    r = subprocess.run(["cargo", "build", "--release", "--bin", "trove", "--example", "insert_baseline"],
                       cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        die("release build failed:\n" + r.stdout[-4000:])
    log(f"build done in {time.perf_counter() - t0:.0f} s")
    return trove, baseline


# --------------------------------------------------------------------------- formatting

def fmt_n(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


def fmt_ms(x: float) -> str:
    return f"{x:.2f}" if x < 100 else f"{x:,.0f}"


def mb(kb: float) -> str:
    return f"{kb / 1024:.1f} MB"


def pct(q: float) -> str:
    return f"{q:.0%}" if q >= 0.01 or q == 0 else f"{q:.2%}"


def rss_split(st: dict) -> str:
    return f"{mb(st['VmRSS'])} (anon {mb(st['RssAnon'])}, file {mb(st['RssFile'])}, shm {mb(st['RssShmem'])}; {st['Threads']} threads)"


def mark(ok: bool | None) -> str:
    return "" if ok is None else (" ✅" if ok else " ❌")


TARGET_VS_HEALTH = {"a": 0.40, "b": 0.20, "c": 0.20, "d": 0.10}


def suite_table(res: dict[str, dict], baseline: dict | None) -> list[str]:
    h = res.get("h")
    lines = [
        "| | workload | conns | req/s | p50 ms | p99 ms | non-2xx / socket err | server CPU µs/req | peak RSS | ratio | target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, r in res.items():
        ratio, target = "", ""
        base = key.rstrip("2")
        if base in TARGET_VS_HEALTH and h and h["rps"]:
            q = r["rps"] / h["rps"]
            ratio = f"{pct(q)} of h"
            target = f"≥ {TARGET_VS_HEALTH[base]:.0%}{mark(q >= TARGET_VS_HEALTH[base])}"
        elif base == "e" and baseline and baseline["inserts_per_s"]:
            q = r["rps"] / baseline["inserts_per_s"]
            ratio = f"{q:.2f}× baseline"
            target = f"≥ 1.00×{mark(q >= 1.0)}"
        elif key == "h2" and h and h["rps"]:
            ratio = f"{pct(r['rps'] / h['rps'])} of h"
            target = "(noise check)"
        errs = f"{r['non2xx']} / {r['socket_errors']}"
        if r["non2xx"] or r["socket_errors"]:
            errs = f"**{errs}**"
        if stalled(r):
            errs = f"**{r['requests']} responses in {r['duration_s']:.0f} s**"
        lines.append(
            f"| {key} | `{r['title']}` | {r['conns']} | {fmt_n(r['rps'])} | {fmt_ms(r['p50_ms'])} | "
            f"{fmt_ms(r['p99_ms'])} | {errs} | {fmt_n(r['cpu_us_per_req'])} | {mb(r['peak_rss_kb'])} | "
            f"{ratio} | {target} |")
    return lines


def probe_lines(res: dict[str, dict]) -> list[str]:
    """One line per workload: the single request sent from Python before wrk."""
    out = []
    for key, r in res.items():
        if key == "h2":
            continue
        note = f" — {r['probe_note']}" if r.get("probe_note") else ""
        out.append(f"- {key}: HTTP {r['probe_status']}, {r['probe_bytes']:,} B{note}; "
                   f"wrk average {r['bytes_per_req']:,.0f} B/response incl. headers")
    return out


def baseline_table(bl: list[dict], e: dict | None) -> list[str]:
    lines = ["| program | threads | inserts/s | p50 ms | p99 ms | errors | trove (e) / baseline |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for b in bl:
        ratio = f"{e['rps'] / b['inserts_per_s']:.2f}×" if e and b["inserts_per_s"] else ""
        lines.append(f"| insert_baseline | {b['threads']} | {fmt_n(b['inserts_per_s'])} | {fmt_ms(b['p50_ms'])} | "
                     f"{fmt_ms(b['p99_ms'])} | {b['errors']} | {ratio} |")
    return lines


def header(args, mach: dict, mode: str) -> list[str]:
    return [
        f"# trove benchmark — {mode}",
        "",
        f"- date: {dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M:%S %z')}",
        f"- machine: {mach['nproc']} CPUs ({mach['cpu']}), {mach['mem_mb']:,} MB RAM, Linux {mach['kernel']}, "
        f"load average at start {' '.join(mach['loadavg'])}, at end {' '.join(open('/proc/loadavg').read().split()[:3])} "
        "(other work on the machine makes absolute numbers move; see README)",
        f"- trove commit: {mach['git'] or '?'}; release build",
        f"- load generator: {mach['wrk']} on the same machine, {args.wrk_threads} threads, "
        f"{args.concurrency} connections (creates: {args.write_connections}), {args.duration} s per workload"
        + (f" after a {args.warmup} s warm-up" if args.warmup else "") + f", timeout {args.wrk_timeout}",
        f"- data: {args.artifacts} artifacts, 2 tags per version from {args.tag_pool} (`t0`…), "
        f"4 metadata keys, seeded in batches of {args.batch_size} via `POST /api/v1/artifact_versions/batch`",
        f"- trove log level: {args.log_level or 'default (info, one line per request, to a file)'}; "
        f"db_mmap_mb = {args.db_mmap_mb}" + (" (default: off)" if not args.db_mmap_mb else ""),
        "",
    ]


# --------------------------------------------------------------------------- modes

def main_suite(args, mach, trove_bin: Path, baseline_bin: Path, work: Path) -> tuple[list[str], dict]:
    raw: dict = {"mode": "suite", "machine": mach, "args": {k: v for k, v in vars(args).items()}}
    data_dir = work / "trove-data"
    log_path = work / "trove.log"
    srv, start_ms = start_trove(trove_bin, data_dir, log_path, args.log_level)
    log(f"trove up on :{srv.port} (pid {srv.pid}) in {start_ms:.1f} ms (fresh data dir)")
    time.sleep(0.5)
    idle = proc_status(srv.pid)
    srv.connect()
    ids = IdSample(args.id_sample, random.Random(43))
    log(f"seeding {args.n:,} versions in batches of {args.batch_size} ...")
    seeding = seed(srv, 0, args.n, args.batch_size, args, ids)
    log(f"seeded {args.n:,} in {seeding['seconds']:.1f} s = {seeding['rate']:,.0f} versions/s")
    ids_file = work / "trove-ids.txt"
    ids.write(ids_file)
    time.sleep(0.3)
    after_seed = proc_status(srv.pid)
    db_after_seed = srv.db_bytes()
    hwm_reset = reset_hwm(srv.pid)

    keys = [k for k in ["h", "a", "b", "c", "d", "e", "f", "g"] if k in args.only] + ["h2"]
    res = run_suite(srv, keys, args.n, ids_file, args, "trove")
    mixed = run_during_logins(srv, args.n, ids_file, args) if "a" in res and "g" in res else None
    load_status = proc_status(srv.pid)
    peak_load_kb = load_status["VmHWM"] if hwm_reset else max(r["peak_rss_kb"] for r in res.values())
    time.sleep(1.0)
    idle_after = proc_status(srv.pid)
    shutdown_s = srv.stop()

    restarts = []
    for _ in range(args.restarts):
        s2, ms = start_trove(trove_bin, data_dir, log_path, args.log_level)
        restarts.append(ms)
        s2.stop()
    log(f"restart on the seeded database: {', '.join(f'{m:.1f}' for m in restarts)} ms")
    fresh_starts = [start_ms]
    for k in range(args.restarts - 1):
        s2, ms = start_trove(trove_bin, work / f"fresh-{k}", log_path, args.log_level)
        fresh_starts.append(ms)
        s2.stop()
        shutil.rmtree(work / f"fresh-{k}", ignore_errors=True)
    if len(fresh_starts) > 1:
        log(f"start on a fresh data dir: {', '.join(f'{m:.1f}' for m in fresh_starts)} ms")

    baselines = []
    if "e" in args.only:
        for threads in sorted({args.write_connections, 1}, reverse=True):
            log(f"insert_baseline: {threads} threads, {args.duration} s")
            baselines.append(run_baseline(baseline_bin, work / "baseline.db", threads, args.duration, args))
    bl16 = baselines[0] if baselines else None

    zen = None
    if args.compare_zenml:
        zen = zenml_suite(args, work, [k for k in keys])

    # ---- report
    out = header(args, mach, f"N = {args.n:,} versions" + (" (quick)" if args.quick else ""))
    out += [f"## Workloads against trove (N = {args.n:,} seeded versions)", ""]
    out += suite_table(res, bl16)
    out += ["",
            "Ratios: a–d as a share of the `/health` rate (h) measured in the same run; e against the "
            f"insert_baseline with {args.write_connections} threads. `h2` repeats h at the end: its distance "
            "from h shows how much the machine's speed drifted during the run.", ""]
    out += ["Probe (one request per workload from Python before wrk):", ""] + probe_lines(res) + [""]
    if "d" in args.only and deep_page(args.n) != 200:
        out += [f"Note: with N = {args.n:,} there are only {args.n // 20} pages of 20, so d reads page "
                f"{deep_page(args.n)} instead of 200.", ""]
    if mixed:
        out += during_logins_lines(mixed, res["a"])
    if baselines:
        out += ["## Insert baseline (SQLite alone, same rows as one create, one IMMEDIATE transaction each)", ""]
        out += baseline_table(baselines, res.get("e"))
        out += [""]
    sizes = srv.db_bytes()
    fresh_med = statistics.median(fresh_starts)
    out += ["## Memory, start-up, sizes", "",
            "| figure | value | target |", "|---|---:|---|",
            f"| start-up, fresh data dir (spawn → first 200 on `/api/v1/info`; median of {len(fresh_starts)}: "
            f"{', '.join(f'{m:.1f}' for m in fresh_starts)}) | {fresh_med:.1f} ms | < 100 ms{mark(fresh_med < 100)} |"]
    if restarts:
        med = statistics.median(restarts)
        out.append(f"| start-up, seeded database (median of {len(restarts)}: "
                   f"{', '.join(f'{m:.1f}' for m in restarts)}) | {med:.1f} ms | < 100 ms{mark(med < 100)} |")
    out += [
        f"| idle RSS after start (VmRSS) | {rss_split(idle)} | < 20 MB{mark(idle['VmRSS'] < 20 * 1024)} |",
        f"| RSS after seeding {args.n:,} (VmRSS / VmHWM incl. seeding) | {mb(after_seed['VmRSS'])} / "
        f"{mb(after_seed['VmHWM'])} | |",
        f"| peak RSS during the workloads ({'VmHWM, reset after seeding' if hwm_reset else 'sampled max VmRSS'}) "
        f"| {mb(peak_load_kb)} | < 100 MB{mark(peak_load_kb < 100 * 1024)} |",
    ]
    if hwm_reset and "g" in res:
        before_g = [r["hwm_after_kb"] for k, r in res.items() if k in "abcdef"]
        if before_g:
            pk = max(before_g)
            out.append(f"| … of which during h, a–f (VmHWM before the login workload g) | {mb(pk)} | "
                       f"< 100 MB{mark(pk < 100 * 1024)} |")
    out += [
        f"| RSS 1 s after the workloads | {rss_split(idle_after)} | |",
        f"| database after seeding: trove.db + wal (shm) | {db_after_seed['trove.db'] / 2**20:.1f} + "
        f"{db_after_seed['trove.db-wal'] / 2**20:.1f} MB ({db_after_seed['trove.db-shm'] / 2**10:.0f} KB) | |",
        f"| database after all workloads + shutdown: trove.db + wal | {sizes['trove.db'] / 2**20:.1f} + "
        f"{sizes['trove.db-wal'] / 2**20:.1f} MB | |",
        f"| bytes per seeded version (db + wal after seeding / N) | "
        f"{(db_after_seed['trove.db'] + db_after_seed['trove.db-wal']) / max(args.n, 1):,.0f} B | |",
        f"| seed rate (batches of {args.batch_size}) | {fmt_n(seeding['rate'])} versions/s "
        f"({seeding['seconds']:.1f} s, slowest batch {seeding['worst_batch_s'] * 1000:.0f} ms) | |",
        f"| release binary size | {trove_bin.stat().st_size / 2**20:.1f} MB | |",
        f"| shutdown on SIGTERM | {'%.0f ms' % (shutdown_s * 1000) if shutdown_s is not None else '?'} | |",
        "",
    ]
    if zen:
        out += zenml_report(args, res, fresh_med, idle, peak_load_kb, db_after_seed, zen, seeding)
    raw.update({"trove": {"results": res, "start_ms": start_ms, "fresh_start_ms": fresh_starts, "restart_ms": restarts, "idle": idle,
                          "after_seed": after_seed, "peak_load_kb": peak_load_kb, "idle_after": idle_after,
                          "db_after_seed": db_after_seed, "db_end": sizes, "seeding": seeding,
                          "binary_bytes": trove_bin.stat().st_size},
                "baselines": baselines, "zenml": zen, "during_logins": mixed})
    return out, raw


def zenml_suite(args, work: Path, keys: list[str]) -> dict:
    script = Path(args.zenml_script)
    srv, start_ms = start_zenml(script, work / "zenml-data")
    try:
        log(f"ZenML up on :{srv.port} (pid {srv.pid}); /api/v1/info after "
            f"{'%.0f ms' % start_ms if start_ms is not None else '? (venv was created)'}")
        time.sleep(1.0)
        idle_kb = tree_rss_kb(srv.pid)
        srv.connect()
        n = args.zenml_n
        ids = IdSample(args.id_sample, random.Random(43))
        log(f"seeding ZenML with {n} versions in batches of {args.zenml_batch_size} ...")
        seeding = seed(srv, 0, n, args.zenml_batch_size, args, ids)
        log(f"ZenML seeded {n} in {seeding['seconds']:.1f} s = {seeding['rate']:,.1f} versions/s")
        ids_file = work / "zenml-ids.txt"
        ids.write(ids_file)
        db_after_seed = srv.db_bytes()
        res = run_suite(srv, keys, n, ids_file, args, "zenml")
        peak_kb = max(r["peak_rss_kb"] for r in res.values())
    finally:
        srv.stop()
    return {"results": res, "start_ms": start_ms, "idle_kb": idle_kb, "peak_kb": peak_kb, "seeding": seeding,
            "db_after_seed": db_after_seed, "n": n}


def zenml_report(args, res, start_ms, idle, peak_kb, sizes, zen, trove_seed) -> list[str]:
    z = zen["results"]
    out = [f"## trove vs ZenML 0.98 (reference server, uvicorn, SQLite)", "",
           f"ZenML seeds slowly, so it holds only **N = {zen['n']:,}** versions "
           f"(trove: N = {args.n:,}); its deep page d is page {deep_page(zen['n'])}. "
           "Same wrk settings, same machine, one server at a time.", "",
           "| | workload | trove req/s | ZenML req/s | trove / ZenML | trove p50 ms | ZenML p50 ms | "
           "trove p99 ms | ZenML p99 ms | ZenML non-2xx / socket err |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for key, r in res.items():
        zr = z.get(key)
        if not zr:
            continue
        ratio = f"{r['rps'] / zr['rps']:,.0f}×" if zr["rps"] else "n/a"
        if zr["rps"] and r["rps"] / zr["rps"] < 10:
            ratio = f"{r['rps'] / zr['rps']:.1f}×"
        zerr = f"{zr['non2xx']} / {zr['socket_errors']}"
        zrps = fmt_n(zr["rps"], 1)
        if stalled(zr):
            zerr = f"**{zr['requests']} responses in {zr['duration_s']:.0f} s at {zr['conns']} conns**"
            if zr.get("recovery_s") is not None:
                zerr += f" (next single request answered after {zr['recovery_s']:.0f} s)"
            fb = zr.get("fallback_1conn")
            if fb:
                zrps = f"{fmt_n(zr['rps'], 1)} (1 conn: {fmt_n(fb['rps'], 1)}, p50 {fmt_ms(fb['p50_ms'])} ms)"
                if fb["rps"]:
                    ratio = f"{r['rps'] / fb['rps']:,.0f}× (vs 1 conn)"
        out.append(f"| {key} | `{r['title'] if key != 'd' else 'GET ...?size=20&page=P (deep page)'}` | "
                   f"{fmt_n(r['rps'])} | {zrps} | {ratio} | {fmt_ms(r['p50_ms'])} | "
                   f"{fmt_ms(zr['p50_ms'])} | {fmt_ms(r['p99_ms'])} | {fmt_ms(zr['p99_ms'])} | {zerr} |")
    zs = zen["seeding"]
    zdb = zen["db_after_seed"]
    out += ["",
            "| figure | trove | ZenML |", "|---|---:|---:|",
            f"| start-up (spawn → first 200 on `/api/v1/info`) | {start_ms:.1f} ms | "
            f"{'%.0f ms' % zen['start_ms'] if zen['start_ms'] is not None else '?'} (via start_reference_zenml.sh) |",
            f"| idle RSS after start | {mb(idle['VmRSS'])} | {mb(zen['idle_kb'])} |",
            f"| peak RSS during the workloads | {mb(peak_kb)} | {mb(zen['peak_kb'])} (sampled) |",
            f"| seed rate | {fmt_n(trove_seed['rate'])} versions/s (batches of {trove_seed['batch']}) | "
            f"{zs['rate']:.1f} versions/s (batches of {zs['batch']}) |",
            f"| database after seeding (db + wal) | {(sizes['trove.db'] + sizes['trove.db-wal']) / 2**20:.1f} MB for {args.n:,} | "
            f"{(zdb['zenml.db'] + zdb['zenml.db-wal']) / 2**20:.1f} MB for {zen['n']:,} |",
            ""]
    return out


def scale_mode(args, mach, trove_bin: Path, work: Path) -> tuple[list[str], dict]:
    sizes = args.scale_sizes
    data_dir = work / "trove-data"
    log_path = work / "trove.log"
    srv, start_ms = start_trove(trove_bin, data_dir, log_path, args.log_level)
    log(f"trove up on :{srv.port} (pid {srv.pid}) in {start_ms:.1f} ms")
    time.sleep(0.5)
    idle = proc_status(srv.pid)
    srv.connect()
    ids = IdSample(args.id_sample, random.Random(43))
    have = 0
    steps = []
    keys = [k for k in ["h", "a", "b", "c", "d"] if k in args.only or k == "h"]
    try:
        for size in sizes:
            log(f"seeding {have:,} → {size:,} ...")
            seeding = seed(srv, have, size, args.batch_size, args, ids)
            log(f"  {seeding['versions']:,} versions in {seeding['seconds']:.1f} s = {seeding['rate']:,.0f}/s")
            have = size
            ids_file = work / "trove-ids.txt"
            ids.write(ids_file)
            time.sleep(0.3)
            st = proc_status(srv.pid)
            db = srv.db_bytes()
            hwm_reset = reset_hwm(srv.pid)
            res = run_suite(srv, keys, size, ids_file, args, f"trove@{size:,}")
            st_load = proc_status(srv.pid)
            steps.append({"size": size, "seeding": seeding, "rss_after_seed": st, "db": db, "results": res,
                          "rss_after_reads": st_load,
                          "peak_load_kb": st_load["VmHWM"] if hwm_reset else max(r["peak_rss_kb"] for r in res.values())})
    finally:
        srv.stop()
    restarts = []
    for _ in range(args.restarts):
        s2, ms = start_trove(trove_bin, data_dir, log_path, args.log_level)
        restarts.append(ms)
        s2.stop()
    end_db = {n: (data_dir / n).stat().st_size if (data_dir / n).exists() else 0 for n in ("trove.db", "trove.db-wal")}

    out = header(args, mach, "scale (" + " → ".join(f"{s:,}" for s in sizes) + " versions)")
    cols = " | ".join(f"{s['size']:,}" for s in steps)
    sep = "|".join(["---:"] * len(steps))
    out += ["## Read workloads by table size (req/s, p50 / p99 ms)", "",
            f"| | workload | {cols} |", f"|---|---|{sep}|"]
    for key in keys:
        title = steps[0]["results"][key]["title"] if key != "d" else "GET /api/v1/artifact_versions?size=20&page=200"
        cells = []
        for s in steps:
            r = s["results"][key]
            err = f" **({r['non2xx']} non-2xx)**" if r["non2xx"] or r["socket_errors"] else ""
            cells.append(f"{fmt_n(r['rps'])} ({fmt_ms(r['p50_ms'])} / {fmt_ms(r['p99_ms'])}){err}")
        out.append(f"| {key} | `{title}` | " + " | ".join(cells) + " |")
    for key in keys:
        if key == "h":
            continue
        cells = []
        for s in steps:
            hr = s["results"]["h"]["rps"]
            q = s["results"][key]["rps"] / hr if hr else 0
            cells.append(f"{pct(q)}{mark(q >= TARGET_VS_HEALTH[key])}")
        out.append(f"| {key}/h | share of /health (target ≥ {TARGET_VS_HEALTH[key]:.0%}) | " + " | ".join(cells) + " |")
    out += ["", "| | " + cols + " |", "|---|" + sep + "|",
            "| seeded in this step | " + " | ".join(f"{s['seeding']['versions']:,}" for s in steps) + " |",
            "| seed rate (versions/s) | " + " | ".join(fmt_n(s["seeding"]["rate"]) for s in steps) + " |",
            "| seed time | " + " | ".join(f"{s['seeding']['seconds']:.1f} s" for s in steps) + " |",
            "| slowest batch | " + " | ".join(f"{s['seeding']['worst_batch_s'] * 1000:,.0f} ms" for s in steps) + " |",
            "| db + wal after seeding | " + " | ".join(
                f"{s['db']['trove.db'] / 2**20:,.0f} + {s['db']['trove.db-wal'] / 2**20:,.0f} MB" for s in steps) + " |",
            "| RSS after seeding (VmRSS / VmHWM) | " + " | ".join(
                f"{mb(s['rss_after_seed']['VmRSS'])} / {mb(s['rss_after_seed']['VmHWM'])}" for s in steps) + " |",
            "| peak RSS during the reads | " + " | ".join(mb(s["peak_load_kb"]) for s in steps) + " |",
            "| RSS after the reads: anon / file | " + " | ".join(
                f"{mb(s['rss_after_reads']['RssAnon'])} / {mb(s['rss_after_reads']['RssFile'])}" for s in steps) + " |",
            "| probe of c (one request before wrk) | " + " | ".join(
                s["results"]["c"]["probe_note"] if "c" in s["results"] else "" for s in steps) + " |",
            "| server threads after the reads | " + " | ".join(str(s["rss_after_reads"]["Threads"]) for s in steps) + " |",
            "| server CPU µs/req, a / b / c / d | " + " | ".join(
                " / ".join(fmt_n(s["results"][k]["cpu_us_per_req"]) for k in keys if k != "h") for s in steps) + " |",
            "",
            f"- start-up on a fresh data dir: {start_ms:.1f} ms; idle RSS {mb(idle['VmRSS'])}",
            f"- restart on the {sizes[-1]:,}-version database (median of {len(restarts)}): "
            + (f"{statistics.median(restarts):.1f} ms ({', '.join(f'{m:.1f}' for m in restarts)})" if restarts else "n/a"),
            f"- database at the end (after shutdown checkpoint): {end_db['trove.db'] / 2**20:,.0f} MB + wal "
            f"{end_db['trove.db-wal'] / 2**20:,.0f} MB",
            f"- release binary size: {trove_bin.stat().st_size / 2**20:.1f} MB",
            ""]
    raw = {"mode": "scale", "machine": mach, "args": vars(args), "start_ms": start_ms, "idle": idle,
           "steps": steps, "restart_ms": restarts, "end_db": end_db}
    return out, raw


# --------------------------------------------------------------------------- main

def parse_args(argv: list[str]) -> argparse.Namespace:
    env = os.environ.get
    p = argparse.ArgumentParser(prog="bench/run.sh", description=__doc__,
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--n", type=int, default=int(env("N", "0")) or None,
                   help="versions to seed (env N; default 10000, 200 with --quick)")
    p.add_argument("--duration", type=int, default=int(env("DURATION", "0")) or None,
                   help="seconds per workload (env DURATION; default 10, 2 with --quick)")
    p.add_argument("--concurrency", type=int, default=int(env("CONCURRENCY", "16")),
                   help="wrk connections for every workload but e (env CONCURRENCY)")
    p.add_argument("--write-connections", type=int, default=int(env("WRITE_CONNECTIONS", "16")),
                   help="wrk connections for e (single creates) and threads of insert_baseline")
    p.add_argument("--wrk-threads", type=int, default=os.cpu_count() or 2)
    p.add_argument("--wrk-timeout", default="10s", help="wrk per-request timeout")
    p.add_argument("--warmup", type=int, default=None, help="warm-up seconds before each workload (default 1, 0 with --quick)")
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--seed-connections", type=int, default=2, help="parallel batch requests while seeding")
    p.add_argument("--artifacts", type=int, default=100)
    p.add_argument("--tag-pool", type=int, default=20)
    p.add_argument("--id-sample", type=int, default=20000, help="random seeded ids handed to wrk for a and f")
    p.add_argument("--restarts", type=int, default=None, help="extra restarts on the seeded db to time (default 3, 1 with --quick)")
    p.add_argument("--only", default="abcdefgh", help="subset of workloads, e.g. 'abh'")
    p.add_argument("--quick", action="store_true", help="smoke run: N=200, 2 s per workload")
    p.add_argument("--compare-zenml", action="store_true", help="also run the workloads against ZenML 0.98")
    p.add_argument("--zenml-n", type=int, default=None, help="versions to seed into ZenML (default 300, 60 with --quick)")
    p.add_argument("--zenml-batch-size", type=int, default=50)
    p.add_argument("--zenml-script", default=env("ZENML_START_SCRIPT", str(REPO.parent / "shared" / "conformance" / "start_reference_zenml.sh")),
                   help="script that starts a reference ZenML server (default: ../shared/conformance/ beside the repo)")
    p.add_argument("--scale", action="store_true", help="seed 10k → 100k → 1M and run a–d (+h) at each size")
    p.add_argument("--scale-sizes", default="10000,100000,1000000")
    p.add_argument("--log-level", default=env("BENCH_TROVE_LOG_LEVEL"),
                   help="trove --log-level (default: trove's own default)")
    p.add_argument("--db-mmap-mb", type=int, default=int(env("BENCH_TROVE_DB_MMAP_MB") or 0),
                   help="trove's db_mmap_mb setting (default 0 = off, trove's default)")
    p.add_argument("--no-build", action="store_true", help="use the existing release binaries")
    p.add_argument("--work-dir", help="where data dirs go (default: a fresh temp dir, deleted afterwards)")
    p.add_argument("--keep-data", action="store_true", help="keep the work dir")
    p.add_argument("--results-dir", default=str(BENCH_DIR / "results"))
    a = p.parse_args(argv)
    a.n = a.n or (200 if a.quick else 10_000)
    a.duration = a.duration or (2 if a.quick else 10)
    a.warmup = a.warmup if a.warmup is not None else (0 if a.quick else 1)
    a.restarts = a.restarts if a.restarts is not None else (1 if a.quick else 3)
    a.zenml_n = a.zenml_n or (60 if a.quick else 300)
    a.scale_sizes = [int(s) for s in a.scale_sizes.split(",") if s.strip()]
    a.only = set(a.only)
    if a.scale and a.compare_zenml:
        p.error("--scale and --compare-zenml are separate runs")
    if a.concurrency < 1 or a.write_connections < 1 or a.duration < 1:
        p.error("connections and duration must be >= 1")
    return a


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    DB_MMAP_MB[0] = args.db_mmap_mb
    atexit.register(_cleanup)
    signal.signal(signal.SIGTERM, _on_signal)
    t_start = time.perf_counter()
    args.wrk = ensure_wrk()
    mach = machine_info()
    trove_bin, baseline_bin = build(args)
    if args.work_dir:
        work = Path(args.work_dir).resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="trove-bench-"))
    log(f"work dir {work}")
    try:
        if args.scale:
            lines, raw = scale_mode(args, mach, trove_bin, work)
            tag = "scale"
        else:
            lines, raw = main_suite(args, mach, trove_bin, baseline_bin, work)
            tag = "quick" if args.quick else ("zenml" if args.compare_zenml else "suite")
    except KeyboardInterrupt:
        log("interrupted; stopping the servers")
        return 130
    finally:
        _cleanup()
        if not args.keep_data and not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)
    lines.append(f"_Total bench run time {time.perf_counter() - t_start:.0f} s "
                 f"(`bench/run.sh {' '.join(argv)}`)._")
    text = "\n".join(lines) + "\n"
    results = Path(args.results_dir)
    results.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    md = results / f"{stamp}-{tag}.md"
    md.write_text(text)
    for r in _walk_results(raw):
        r.pop("wrk_output", None)
    (results / f"{stamp}-{tag}.json").write_text(json.dumps(raw, indent=1, default=str))
    print(text)
    log(f"saved {md} (+ .json)")
    return 0


def _walk_results(raw) -> list[dict]:
    out = []
    if isinstance(raw, dict):
        if "wrk_output" in raw:
            out.append(raw)
        for v in raw.values():
            out.extend(_walk_results(v))
    elif isinstance(raw, list):
        for v in raw:
            out.extend(_walk_results(v))
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
