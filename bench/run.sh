#!/usr/bin/env bash
# trove benchmark: builds trove (release), starts it on a fresh data dir, seeds
# it, drives the workloads with wrk and prints/saves a markdown report.
# All options are documented in bench/README.md and `bench/run.sh --help`.
#
#   bench/run.sh                    # default run: N=10000, 10 s per workload
#   bench/run.sh --quick            # smoke run (N=200, 2 s per workload)
#   N=2000 DURATION=5 bench/run.sh  # env overrides
#   bench/run.sh --compare-zenml    # + the same workloads against ZenML 0.98
#   bench/run.sh --scale            # 10k -> 100k -> 1M versions, reads a-d
#
# Honours CARGO_TARGET_DIR (default: the crate's target/).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
    if command -v python3.11 >/dev/null 2>&1; then PY=python3.11; else PY=python3; fi
fi
exec "$PY" "$here/bench.py" "$@"
