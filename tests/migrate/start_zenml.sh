#!/usr/bin/env bash
# Start a real ZenML 0.98 server (OAuth2 password login, SQLite) for
# tests/migrate.rs, the way shared/conformance/start_reference_zenml.sh does.
#
#   usage: start_zenml.sh DATA_DIR
#
# Listens on a free port of 127.0.0.1 chosen here; user admin / admin-pass-123.
# The virtualenv is $TROVE_COMPAT_VENV, else the compat test's
# ~/.cache/trove-compat-venv; the server extras (zenml[server]==0.98.0) are
# installed into it when missing (it is created when it does not exist).
# Starts uvicorn in its own session, prints
#   PID=<pid> PORT=<port>
# on stdout, waits until /health answers (at most 120 s) and exits. The
# caller stops the server with `kill <pid>`.
set -euo pipefail

DATA_DIR="$1"
ZENML_VERSION="0.98.0"
VENV="${TROVE_COMPAT_VENV:-$HOME/.cache/trove-compat-venv}"
log() { printf '[start_zenml] %s\n' "$*" >&2; }

server_ok() {
    [ -x "$VENV/bin/uvicorn" ] && "$VENV/bin/python" -c "
import zenml, fastapi, sqlalchemy, uvicorn
assert zenml.__version__ == '$ZENML_VERSION', zenml.__version__" >/dev/null 2>&1
}

setup_venv() {
    server_ok && return 0
    if [ ! -x "$VENV/bin/python" ]; then
        local py=python3
        command -v python3.11 >/dev/null 2>&1 && py=python3.11
        log "creating virtualenv $VENV with $py"
        mkdir -p "$(dirname "$VENV")"
        "$py" -m venv "$VENV"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2 || true
    fi
    log "installing zenml[server]==$ZENML_VERSION into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "zenml[server]==$ZENML_VERSION" >&2
    server_ok || { log "zenml[server]==$ZENML_VERSION is not usable from $VENV"; exit 1; }
}

# The compat test builds the same virtualenv: take its lock meanwhile.
mkdir -p "$(dirname "$VENV")"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$VENV.lock"
    flock -w 1800 9 || { log "timed out waiting for the lock $VENV.lock"; exit 1; }
    setup_venv
    flock -u 9
else
    setup_venv
fi

mkdir -p "$DATA_DIR"
DATA_DIR="$(cd "$DATA_DIR" && pwd)"
PORT="$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

export ZENML_ANALYTICS_OPT_IN=false
export ZENML_CONFIG_PATH="$DATA_DIR/cfg"
export ZENML_LOCAL_STORES_PATH="$DATA_DIR/local_stores"
export ZENML_ENABLE_RICH_TRACEBACK=false
export ZENML_STORE_URL="sqlite:///$DATA_DIR/zenml.db"
export ZENML_SERVER_AUTH_SCHEME=OAUTH2_PASSWORD_BEARER
export ZENML_SERVER_AUTO_ACTIVATE=true
export ZENML_DEFAULT_USER_NAME=admin
export ZENML_DEFAULT_USER_PASSWORD=admin-pass-123
export ZENML_SERVER_DEPLOYMENT_TYPE=other
export ZENML_SERVER_JWT_SECRET_KEY=migrate-test-secret
export ZENML_LOGGING_VERBOSITY=WARN
unset ZENML_STORE_USERNAME ZENML_STORE_PASSWORD ZENML_STORE_API_KEY || true

setsid "$VENV/bin/uvicorn" zenml.zen_server.zen_server_api:app \
    --host 127.0.0.1 --port "$PORT" --log-level warning \
    >"$DATA_DIR/server.log" 2>&1 </dev/null &
PID=$!
echo "PID=$PID PORT=$PORT"

for _ in $(seq 1 240); do
    if ! kill -0 "$PID" 2>/dev/null; then
        log "the server exited early; its last log lines:"
        tail -n 30 "$DATA_DIR/server.log" >&2 || true
        exit 1
    fi
    if "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/health', timeout=2).read()" 2>/dev/null; then
        exit 0
    fi
    sleep 0.5
done
log "the server did not answer /health within 120 s (pid $PID)"
exit 1
