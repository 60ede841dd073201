#!/usr/bin/env bash
# Runs the Python interop suite against the real gateway binary.
#
#   bash Interop/python/run-tests.sh [pytest arguments...]
#
# Sets up the virtual environment (setup.sh), checks that the committed
# generated code matches Protos/ (generate.sh --check), then runs pytest.
# JUNCTION_BIN names the gateway binary (default: .build/debug/junction of the
# repository; build it first). Exits non-zero when anything fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

bash "$here/setup.sh"
bash "$here/generate.sh" --check

export JUNCTION_BIN="${JUNCTION_BIN:-$repo/.build/debug/junction}"
if [[ ! -x "$JUNCTION_BIN" ]]; then
    echo "run-tests.sh: gateway binary $JUNCTION_BIN is missing; build it first (swift build) or set JUNCTION_BIN" >&2
    echo "run-tests.sh: running the suite anyway: the gateway tests will fail" >&2
fi

cd "$here"
exec "$here/.venv/bin/python" -m pytest "$@"
