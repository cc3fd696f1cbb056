#!/usr/bin/env bash
# Client-compatibility test: runs the OFFICIAL zenml==0.98.0 Python client
# (and its CLI) against a fresh trove server. See tests/compat/README.md.
#
# Environment:
#   TROVE_BIN                  trove binary (default: `cargo build`, target/debug/trove)
#   TROVE_COMPAT_VENV          virtualenv with zenml==0.98.0 (default ~/.cache/trove-compat-venv;
#                              created from scratch when missing or broken)
#   TROVE_COMPAT_ONLY          optional comma-separated substrings selecting checks
#   TROVE_COMPAT_KEEP=1        keep the temp dir (server log, data, artifacts) for debugging
#   TROVE_COMPAT_START_TIMEOUT seconds to wait for /health (default 60)
#   TROVE_COMPAT_RUN_TIMEOUT   seconds for all workflows together (default 1200)
#
# Prints one line per check and finally exactly "N passed, M failed".
# Exit status: 0 when everything passed, non-zero otherwise.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${TROVE_COMPAT_VENV:-$HOME/.cache/trove-compat-venv}"
ZENML_VERSION="0.98.0"
START_TIMEOUT="${TROVE_COMPAT_START_TIMEOUT:-60}"
RUN_TIMEOUT="${TROVE_COMPAT_RUN_TIMEOUT:-1200}"

log() { printf '[compat] %s\n' "$*" >&2; }
die() { printf '[compat] ERROR: %s\n' "$*" >&2; exit 1; }  # cleanup prints the summary

# ---------------------------------------------------------------- temp dir + cleanup
TMP="$(mktemp -d "${TMPDIR:-/tmp}/trove-compat.XXXXXX")"
TROVE_PID=""
WF_PID=""
SUMMARY=""
stop_trove() {
    if [ -n "$TROVE_PID" ] && kill -0 "$TROVE_PID" 2>/dev/null; then
        kill -TERM "$TROVE_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$TROVE_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$TROVE_PID" 2>/dev/null; then
            log "trove did not stop within 5 s; killing it"
            kill -KILL "$TROVE_PID" 2>/dev/null || true
        fi
        wait "$TROVE_PID" 2>/dev/null || true
    fi
    TROVE_PID=""
}
cleanup() {
    local rc=$?
    if [ -n "$WF_PID" ] && kill -0 "$WF_PID" 2>/dev/null; then
        log "stopping the workflows (pid $WF_PID)"
        kill -TERM "$WF_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$WF_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$WF_PID" 2>/dev/null || true
        wait "$WF_PID" 2>/dev/null || true
    fi
    stop_trove
    if [ "$rc" -ne 0 ] && [ -f "$TMP/trove.log" ]; then
        log "last lines of the trove log ($TMP/trove.log):"
        tail -n 25 "$TMP/trove.log" | sed 's/\x1b\[[0-9;]*m//g; s/^/    /' >&2 || true
    fi
    if [ "${TROVE_COMPAT_KEEP:-0}" = "1" ]; then
        log "kept $TMP"
    else
        rm -rf "$TMP"
    fi
    # The summary is always the very last line of the output.
    if [ -n "$SUMMARY" ]; then
        echo "$SUMMARY"
    elif [ "$rc" -ne 0 ]; then
        echo "0 passed, 1 failed"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- virtualenv
venv_ok() {
    [ -x "$VENV/bin/python" ] &&
        "$VENV/bin/python" -c "import zenml; assert zenml.__version__ == '$ZENML_VERSION', zenml.__version__" \
            >/dev/null 2>&1
}

pick_python() {
    local p
    for p in python3.11 python3; do
        if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import sys, venv; assert sys.version_info >= (3, 9)' >/dev/null 2>&1; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

setup_venv() {
    if venv_ok; then
        log "using virtualenv $VENV (zenml $ZENML_VERSION)"
        return 0
    fi
    local py
    py="$(pick_python)" || die "no usable python3 (>= 3.9 with the venv module) found"
    if [ -e "$VENV" ]; then
        # Only ever remove something that is recognisably a virtualenv.
        [ -f "$VENV/pyvenv.cfg" ] || die "$VENV exists but is not a virtualenv; remove it or set TROVE_COMPAT_VENV"
        log "virtualenv $VENV lacks zenml==$ZENML_VERSION; recreating it"
        rm -rf "$VENV"
    fi
    log "creating virtualenv $VENV with $py ($("$py" --version 2>&1)) and installing zenml==$ZENML_VERSION"
    mkdir -p "$(dirname "$VENV")"
    "$py" -m venv "$VENV" || die "could not create the virtualenv $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip \
        || log "warning: pip upgrade failed; continuing with the bundled pip"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "zenml==$ZENML_VERSION" \
        || die "pip install zenml==$ZENML_VERSION failed"
    venv_ok || die "zenml==$ZENML_VERSION is not importable from $VENV after installation"
}

# Serialise venv creation between concurrent runs when flock is available.
mkdir -p "$(dirname "$VENV")"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$VENV.lock"
    flock -w 1800 9 || die "timed out waiting for the lock $VENV.lock"
    setup_venv
    flock -u 9
else
    setup_venv
fi
PY="$VENV/bin/python"

# ---------------------------------------------------------------- trove binary
if [ -n "${TROVE_BIN:-}" ]; then
    BIN="$TROVE_BIN"
else
    log "building trove (cargo build)"
    (cd "$ROOT" && cargo build --quiet --bin trove) || die "cargo build failed"
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/trove"
fi
[ -x "$BIN" ] || die "trove binary $BIN not found or not executable"
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"

# ---------------------------------------------------------------- start trove
ADMIN_PASSWORD="compat-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
JWT_SECRET="compat-secret-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
STORE_PATH="$TMP/artifact-store"
mkdir -p "$STORE_PATH" "$TMP/data" "$TMP/work"

listening_url() { # log pid timeout -> prints trove's URL; 1 timeout, 2 process died
    "$PY" - "$1" "$2" "$3" <<'EOF'
import os, re, sys, time
path, pid, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
line = re.compile(r"listening.*\burl=(http://127\.0\.0\.1:[0-9]+)")
deadline = time.monotonic() + timeout
while time.monotonic() < deadline:
    try:
        with open(path, errors="replace") as f:
            found = line.search(f.read())
    except FileNotFoundError:
        found = None
    if found:
        print(found.group(1))
        sys.exit(0)
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(2)
    time.sleep(0.05)
sys.exit(1)
EOF
}

wait_healthy() { # url pid timeout -> 0 up, 1 timeout, 2 process died
    "$PY" - "$1" "$2" "$3" <<'EOF'
import os, sys, time, urllib.request
url, pid, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
deadline = time.monotonic() + timeout
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(2)
    if os.path.exists(f"/proc/{pid}/stat"):
        with open(f"/proc/{pid}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                sys.exit(2)
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            if r.status == 200 and r.read().strip() == b"ok":
                sys.exit(0)
    except Exception:
        pass
    time.sleep(0.1)
sys.exit(1)
EOF
}

# trove binds a port of the OS's choice (--bind 127.0.0.1:0) and logs it once
# bound (`listening url=http://127.0.0.1:PORT`, an info line: RUST_LOG and
# TROVE_LOG_LEVEL are unset for it), so no free port is picked first and
# then raced for.
start_trove() {
    local rc=0
    log "starting trove on 127.0.0.1, on a port the OS picks"
    # Run from an empty dir so a ./trove.toml of the caller is not picked up;
    # drop this harness's own TROVE_* variables from trove's environment.
    (
        cd "$TMP/work"
        exec env -u TROVE_BIN -u TROVE_COMPAT_VENV -u TROVE_COMPAT_ONLY -u TROVE_COMPAT_KEEP \
            -u TROVE_COMPAT_START_TIMEOUT -u TROVE_COMPAT_RUN_TIMEOUT -u SKIP_CLIENT_COMPAT \
            -u TROVE_CONFIG -u TROVE_BIND -u TROVE_DATA_DIR -u TROVE_LOG_LEVEL -u RUST_LOG \
            TROVE_ADMIN_PASSWORD="$ADMIN_PASSWORD" TROVE_JWT_SECRET="$JWT_SECRET" \
            TROVE_ARTIFACT_STORE_PATH="$STORE_PATH" TROVE_TOKEN_LIFETIME_MINUTES=0 \
            "$BIN" serve --bind "127.0.0.1:0" --data-dir "$TMP/data"
    ) >>"$TMP/trove.log" 2>&1 &
    TROVE_PID=$!
    URL="$(listening_url "$TMP/trove.log" "$TROVE_PID" "$START_TIMEOUT")" || rc=$?
    if [ "$rc" = 0 ]; then
        wait_healthy "$URL/health" "$TROVE_PID" "$START_TIMEOUT" || rc=$?
    fi
    case "$rc" in
        0) log "trove is up on $URL (pid $TROVE_PID)" ;;
        1) die "trove did not start within ${START_TIMEOUT}s (see $TMP/trove.log)" ;;
        *) die "trove exited during start-up (see $TMP/trove.log)" ;;
    esac
}
start_trove

# ---------------------------------------------------------------- run the workflows
CONFIG="$TMP/zenml-config"
mkdir -p "$CONFIG" "$TMP/scratch"
# Run in the background and `wait`, so that a SIGTERM/SIGINT to this script is
# handled at once (bash defers traps while a foreground command runs).
env \
    ZENML_STORE_URL="$URL" \
    ZENML_STORE_USERNAME=admin \
    ZENML_STORE_PASSWORD="$ADMIN_PASSWORD" \
    ZENML_CONFIG_PATH="$CONFIG" \
    ZENML_ANALYTICS_OPT_IN=false \
    ZENML_ENABLE_RICH_TRACEBACK=false \
    ZENML_LOGGING_COLORS_DISABLED=true \
    ZENML_LOGGING_VERBOSITY="${ZENML_LOGGING_VERBOSITY:-WARN}" \
    TROVE_COMPAT_JWT_SECRET="$JWT_SECRET" \
    TROVE_COMPAT_STORE_PATH="$STORE_PATH" \
    TROVE_COMPAT_TMP="$TMP/scratch" \
    TROVE_COMPAT_SUMMARY_FILE="$TMP/summary" \
    COLUMNS=250 \
    PYTHONUNBUFFERED=1 \
    timeout --kill-after=10 "$RUN_TIMEOUT" "$PY" "$HERE/workflows.py" </dev/null &
WF_PID=$!
rc=0
wait "$WF_PID" || rc=$?
WF_PID=""
SUMMARY="$(cat "$TMP/summary" 2>/dev/null || true)"
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    log "the workflows did not finish within ${RUN_TIMEOUT}s"
    SUMMARY=""
    rc=1
elif [ -z "$SUMMARY" ]; then
    log "workflows.py exited with status $rc without printing its summary"
    rc=1
elif [ "$rc" -eq 0 ] && ! printf '%s' "$SUMMARY" | grep -qE '^[0-9]+ passed, 0 failed$'; then
    log "workflows.py exited with 0 but reported failures"
    rc=1
fi
exit "$rc"
