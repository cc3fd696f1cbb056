#!/usr/bin/env python3
"""Pipeline-run benchmark: a 10-step pipeline run N times through the real
zenml==0.98.0 client (local orchestrator) against trove and against the
reference ZenML server, started side by side in one run. Reports, per run,
the server's CPU time (the scheduler's run time of every thread of its process tree, from
/proc/PID/task/TID/schedstat, around the
measured runs of one client process after its warm-up run) and the client's
wall time, and their ratios.

    python3 bench/pipelines.py                  # N=10, release build of trove
    python3 bench/pipelines.py --runs 30 --trove-bin target/debug/trove
    python3 bench/pipelines.py --callgrind --runs 3 --trove-bin A   # instructions per run, for A/B

Needs the ZenML venv of ../shared/conformance/start_reference_zenml.sh
(ZENML_VENV, default ~/.cache/zenml-0.98-venv), which it also runs the
client from. Results: bench/results/pipelines-<time>.md.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench as B  # noqa: E402  (server start/stop, CPU accounting, build)

PIPELINE = '''
from typing import Annotated
from zenml import pipeline, step

@step
def first() -> Annotated[int, "v0"]:
    return 1

''' + "".join(
    f'''@step
def s{i}(x: int) -> Annotated[int, "v{i}"]:
    return x + {i}

'''
    for i in range(1, 10)
) + '''@pipeline(enable_cache=False)
def bench_pipe():
    x = first()
''' + "".join(f"    x = s{i}(x)\n" for i in range(1, 10)) + '''
def server_cpu(pids):
    """CPU time of every thread of the server's processes, in seconds: the
    scheduler's nanosecond count (/proc/PID/task/TID/schedstat), not the
    10 ms ticks of utime/stime."""
    import os
    total = 0
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    total += int(f.read().split()[0])
            except (OSError, IndexError, ValueError):
                pass
    return total / 1e9


if __name__ == "__main__":
    # Protocol with bench/pipelines.py: after the warm-up, "BENCH ready";
    # then for each line N on stdin, N measured runs and one "BENCH {json}".
    import os, subprocess, sys, time, json
    pids = [int(p) for p in sys.argv[1].split(",")]
    bench_pipe()  # warm-up in this process: login, imports, registration
    print("BENCH ready", flush=True)
    hook = os.environ.get("BENCH_AROUND_RUNS")  # callgrind: zero the counters before, dump after
    for line in sys.stdin:
        n = int(line)
        if hook:
            subprocess.run([hook, "-z", str(pids[0])], check=True, capture_output=True)
        walls = []
        cpu0 = server_cpu(pids)
        for _ in range(n):
            t0 = time.perf_counter()
            run = bench_pipe()
            walls.append(time.perf_counter() - t0)
            assert str(run.status) in ("completed", "ExecutionStatus.COMPLETED"), run.status
        cpu = server_cpu(pids) - cpu0
        if hook:
            subprocess.run([hook, "-d", str(pids[0])], check=True, capture_output=True)
        print("BENCH " + json.dumps({"walls": walls, "cpu": cpu}), flush=True)
'''


class Client:
    """One client process against one server: warmed up once (login,
    imports, the pipeline's registration), then asked for measured runs as
    often as needed. It measures the server's CPU itself, around the
    measured runs only, from /proc of the server's process tree (threads
    that end during the runs are not counted: trove's live on)."""

    def __init__(self, srv, work: Path, around_runs: str | None = None):
        work.mkdir(parents=True, exist_ok=True)
        (work / "bench_pipe.py").write_text(PIPELINE)
        env = dict(os.environ)
        env.update(
            ZENML_STORE_URL=f"http://{B.HOST}:{srv.port}",
            ZENML_STORE_USERNAME=srv.user,
            ZENML_STORE_PASSWORD=srv.password,
            ZENML_CONFIG_PATH=str(work / "cfg"),
            ZENML_ANALYTICS_OPT_IN="false",
            ZENML_LOGGING_VERBOSITY="ERROR",
        )
        if around_runs:
            env["BENCH_AROUND_RUNS"] = around_runs
        py = str(B.zenml_venv() / "bin" / "python")
        pids = ",".join(str(p) for p in B.proc_tree(srv.pid))
        self.name, self.err = srv.name, work / "client.err"
        self.proc = subprocess.Popen([py, "bench_pipe.py", pids], cwd=work, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(self.err, "w"))
        self._reply()

    def _reply(self) -> str:
        for line in self.proc.stdout:
            if line.startswith("BENCH "):
                return line[len("BENCH "):].strip()
        B.die(f"client failed against {self.name}:\n{self.err.read_text()[-3000:]}")

    def runs(self, n: int) -> dict:
        """n measured runs: server CPU (s) and the runs' wall times (s)."""
        import json

        self.proc.stdin.write(f"{n}\n")
        self.proc.stdin.flush()
        return json.loads(self._reply())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


@contextlib.contextmanager
def paused(servers):
    """SIGSTOP the process trees of `servers` for the block, SIGCONT after."""
    pids = [p for srv in servers for p in B.proc_tree(srv.pid)]
    for p in pids:
        os.kill(p, signal.SIGSTOP)
    try:
        yield
    finally:
        for p in pids:
            try:
                os.kill(p, signal.SIGCONT)
            except ProcessLookupError:
                pass


def callgrind(binary: Path, runs: int, tmp: Path) -> int:
    """The user-space instructions trove executes per run (callgrind's Ir
    over the measured runs; the kernel's share is not counted). Unlike CPU
    time on a shared VM they repeat to ~0.3%, so two binaries compare
    reliably; valgrind slows trove ~50x, which the client only waits out."""
    import shutil

    for tool in ("valgrind", "callgrind_control"):
        if not shutil.which(tool):
            B.die(f"--callgrind needs {tool} (apt-get install valgrind)")
    out = tmp / "callgrind.out"
    wrapper = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--dump-instr=no"]
    srv, _ = B.start_trove(binary, tmp / "trove-data", tmp / "trove.log", "warn", wrapper=wrapper, timeout=300)
    try:
        client = Client(srv, tmp / "client-trove", around_runs="callgrind_control")
        client.runs(runs)
        client.close()
    finally:
        srv.stop()
    # callgrind_control -d wrote the measured part as <out>.1
    text = Path(f"{out}.1").read_text()
    ir = next(int(line.split()[1]) for line in text.splitlines() if line.startswith(("summary:", "totals:")))
    print(f"trove instructions per run ({runs} runs, {binary}): {ir / runs / 1e6:.2f} M")
    print(f"profile: callgrind_annotate {out}.1")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10, help="measured runs per server (default 10)")
    ap.add_argument("--rounds", type=int, default=5,
                    help="alternate the servers this many times, --runs/--rounds runs each time (default 5)")
    ap.add_argument("--trove-bin", type=Path, help="trove binary (default: cargo build --release)")
    ap.add_argument("--no-zenml", action="store_true", help="trove only")
    ap.add_argument("--callgrind", action="store_true",
                    help="trove only, under valgrind's callgrind: instructions per run (deterministic, for A/B)")
    args = ap.parse_args()
    binary = args.trove_bin
    if binary is None:
        subprocess.run(["cargo", "build", "--release", "--bin", "trove"], cwd=B.REPO, check=True)
        binary = B.REPO / "target" / "release" / "trove"
    tmp = Path(tempfile.mkdtemp(prefix="trove-pipebench."))
    if args.callgrind:
        return callgrind(binary.resolve(), args.runs, tmp)
    rounds = max(1, min(args.rounds, args.runs))
    per_round = [args.runs // rounds + (1 if r < args.runs % rounds else 0) for r in range(rounds)]
    servers = []
    try:
        srv, _ = B.start_trove(binary.resolve(), tmp / "trove-data", tmp / "trove.log", "warn")
        servers.append(srv)
        if not args.no_zenml:
            script = B.REPO.parent / "shared" / "conformance" / "start_reference_zenml.sh"
            zsrv, _ = B.start_zenml(script, tmp / "zenml-data")
            servers.append(zsrv)
        # Both servers and one client process each stay up; the clients take
        # turns, so that both servers see the same stretches of this VM's
        # drifting speed. The server not being measured is stopped
        # (SIGSTOP) meanwhile: whatever it still does after its last run
        # must not run beside the other one.
        clients = [Client(s, tmp / f"client-{s.name}") for s in servers]
        totals = {s.name: {"cpu_ms": 0.0, "walls": 0.0, "runs": 0, "rounds": []} for s in servers}
        for runs in per_round:
            for s, client in zip(servers, clients):
                with paused([o for o in servers if o is not s]):
                    got = client.runs(runs)
                t = totals[s.name]
                t["cpu_ms"] += got["cpu"] * 1000
                t["walls"] += sum(got["walls"])
                t["runs"] += runs
                t["rounds"].append(got["cpu"] * 1000 / runs)
        for client in clients:
            client.close()
    finally:
        for s in servers:
            s.stop()
    results = {
        name: {"cpu_per_run_ms": t["cpu_ms"] / t["runs"], "wall_per_run_s": t["walls"] / t["runs"], "rounds": t["rounds"]}
        for name, t in totals.items()
    }
    lines = [
        f"# Pipeline runs: 10-step pipeline, {args.runs} runs in {rounds} alternating rounds, caching off",
        "",
        "| server | server CPU per run | client wall per run |",
        "|---|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(f"| {name} | {r['cpu_per_run_ms']:.2f} ms | {r['wall_per_run_s']:.2f} s |")
    if "zenml" in results and results["trove"]["cpu_per_run_ms"] > 0:
        t, z = results["trove"], results["zenml"]
        by_round = [zc / tc for tc, zc in zip(t["rounds"], z["rounds"]) if tc > 0]
        lines += [
            "",
            f"trove/ZenML server CPU per run: 1/{z['cpu_per_run_ms'] / t['cpu_per_run_ms']:.0f}; "
            f"wall per run: {t['wall_per_run_s'] / z['wall_per_run_s']:.2f}x",
            f"by round: {', '.join(f'1/{x:.0f}' for x in by_round)}",
        ]
    for name, r in results.items():
        lines.append(f"{name} CPU per run by round: {', '.join(f'{x:.2f}' for x in r['rounds'])} ms")
    text = "\n".join(lines) + "\n"
    print(text)
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / f"pipelines-{time.strftime('%Y%m%d-%H%M%S')}.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
