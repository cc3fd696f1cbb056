#!/usr/bin/env python3
"""schemathesis against trove's own /openapi.json: every operation is called
with generated inputs (coverage, fuzzing and stateful phases); the run fails
on any 5xx, any response that does not match its documented schema, and any
undocumented content type.

    TROVE_BIN=target/debug/trove python3 tests/schema/run.py

A virtualenv with schemathesis (pinned below) is created on first use at
$TROVE_SCHEMATHESIS_VENV (default ~/.cache/trove-schemathesis-venv). trove
runs on a port the OS picks, with a fresh data dir and the login throttle
raised (schemathesis sends many wrong logins). TROVE_SCHEMATHESIS_EXAMPLES
(default 25) bounds the examples per operation; the seed is fixed, so a
failure reproduces.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

VERSION = "4.32.5"
SEED = "20261203"


def log(msg: str) -> None:
    print(f"[schemathesis] {msg}", file=sys.stderr, flush=True)


def venv() -> Path:
    path = Path(os.environ.get("TROVE_SCHEMATHESIS_VENV", Path.home() / ".cache" / "trove-schemathesis-venv"))
    exe = path / "bin" / "schemathesis"
    ok = exe.exists() and VERSION in subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout
    if not ok:
        log(f"creating {path} with schemathesis=={VERSION}")
        shutil.rmtree(path, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        subprocess.run([str(path / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                        f"schemathesis=={VERSION}"], check=True)
    return exe


def main() -> int:
    binary = os.environ.get("TROVE_BIN") or "target/debug/trove"
    exe = venv()
    tmp = Path(tempfile.mkdtemp(prefix="trove-schemathesis."))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TROVE_") and k != "RUST_LOG"}
    env.update(TROVE_ADMIN_PASSWORD="schema-pass-123", TROVE_JWT_SECRET="schemathesis-secret-0123456789",
               TROVE_LOGIN_MAX_FAILURES="1000000", TROVE_LOGIN_MAX_FAILURES_PER_ADDRESS="1000000",
               TROVE_LOG_LEVEL="info")
    logf = open(tmp / "trove.log", "wb")
    server = subprocess.Popen([binary, "serve", "--bind", "127.0.0.1:0", "--data-dir", str(tmp / "data")],
                              cwd=tmp, env=env, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline and server.poll() is None:
            m = re.search(r"url=(http://127\.0\.0\.1:\d+)", (tmp / "trove.log").read_text(errors="replace"))
            url = m.group(1) if m else time.sleep(0.05)
        if url is None:
            log("trove did not start:\n" + (tmp / "trove.log").read_text(errors="replace")[-2000:])
            return 1
        form = urllib.parse.urlencode({"username": "admin", "password": "schema-pass-123"}).encode()
        with urllib.request.urlopen(f"{url}/api/v1/login", data=form, timeout=30) as r:
            token = json.load(r)["access_token"]
        cmd = [str(exe), "run", f"{url}/openapi.json", "-H", f"Authorization: Bearer {token}",
               "--checks", "not_a_server_error,response_schema_conformance,content_type_conformance",
               "--max-examples", os.environ.get("TROVE_SCHEMATHESIS_EXAMPLES", "25"), "--seed", SEED,
               # Logging out would end the session the other operations use.
               "--exclude-path-regex", "logout"]
        log(" ".join(c if not c.startswith("Authorization") else "Authorization: Bearer …" for c in cmd))
        rc = subprocess.run(cmd, cwd=tmp, timeout=900).returncode
        if rc != 0:
            log("trove log tail:\n" + (tmp / "trove.log").read_text(errors="replace")[-3000:])
        return rc
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        logf.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
