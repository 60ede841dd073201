#!/usr/bin/env bash
# Installs what Junction needs, builds it (release) and runs a development
# gateway: self-signed TLS and a development token in ./junction-data.
# Extra arguments go to `junction serve`, e.g. scripts/serve.sh --listen 0.0.0.0:7400
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product junction >&2
exec .build/release/junction serve --dev "$@"
