#!/usr/bin/env bash
# Creates the virtual environment Interop/python/.venv and installs
# requirements.txt into it. Idempotent: when the environment already holds
# exactly these requirements (recorded by a stamp file) it returns at once.
#
# Environment: PYTHON names the interpreter to build the venv from (default
# python3; 3.10 or newer).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
requirements="$here/requirements.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

if ! command -v "$python" >/dev/null 2>&1; then
    echo "setup.sh: '$python' not found; install Python 3.10 or newer (Debian: apt-get install python3 python3-venv)" >&2
    exit 1
fi
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
    echo "setup.sh: $("$python" --version 2>&1) is too old; Python 3.10 or newer is required (protobuf 7)" >&2
    exit 1
fi

want="$( (cat "$requirements"; "$python" -c 'import sys; print(sys.version)') | sha256sum | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    exit 0
fi

if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
        echo "setup.sh: installing python3-venv (the venv module is missing)" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv >&2 \
            || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv >&2; }
    else
        echo "setup.sh: the Python venv module is missing; install it (Debian: apt-get install python3-venv)" >&2
        exit 1
    fi
fi

rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
echo "$want" > "$stamp"
echo "setup.sh: environment ready at $venv" >&2
