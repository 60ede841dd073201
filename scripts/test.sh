#!/usr/bin/env bash
# Installs what the tests need, then runs every test: generated-code check,
# Swift unit and integration tests, and the Python interop suite against the
# real binary over TLS.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
echo "== generated protobuf-c code is fresh"
bash scripts/generate-protos.sh --check
echo "== Swift tests"
swift build --build-tests
swift test --skip-build
echo "== Python interop tests"
swift build --product junction
JUNCTION_BIN="$PWD/.build/debug/junction" bash Interop/python/run-tests.sh
