#!/usr/bin/env bash
# Regenerates the Python protobuf modules in junction_client/gen/ from
# ../../Protos with the protoc bundled in the pinned grpcio-tools
# (requirements.txt), so the generated code always matches the pinned
# protobuf runtime.
#
#   generate.sh           regenerate junction_client/gen/
#   generate.sh --check [DIR]
#                         regenerate into a temporary directory and fail
#                         (exit 1, with a diff) when gen/ (or DIR) is stale
#
# protoc writes junction/v1/{event,protocol}_pb2.py whose cross-file import is
# absolute ("from junction.v1 import event_pb2"). The modules are flattened
# into gen/ and that import is made relative so the package needs no sys.path
# change; the rewrite is part of generation, so --check covers it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
protos="$(cd "$here/../../Protos" && pwd)"
target="$here/junction_client/gen"

mode="write"
case "${1:-}" in
    "") ;;
    --check) mode="check"; target="${2:-$target}" ;;
    *) echo "usage: generate.sh [--check [DIR]]" >&2; exit 2 ;;
esac

bash "$here/setup.sh"
python="$here/.venv/bin/python"

work="$(mktemp -d)"
mkdir -p "$work/raw"
trap 'rm -rf "$work"' EXIT

"$python" -m grpc_tools.protoc -I "$protos" \
    --python_out="$work/raw" --pyi_out="$work/raw" \
    junction/v1/event.proto junction/v1/protocol.proto 2>&1 \
    || { echo "generate.sh: protoc failed on $protos/junction/v1" >&2; exit 1; }

out="$work/gen"
mkdir -p "$out"
for name in event_pb2 protocol_pb2; do
    for ext in py pyi; do
        src="$work/raw/junction/v1/$name.$ext"
        [[ -f "$src" ]] || { echo "generate.sh: protoc did not produce $src" >&2; exit 1; }
        sed -e 's/^from junction\.v1 import event_pb2 as /from . import event_pb2 as /' "$src" > "$out/$name.$ext"
    done
done
if grep -n '^from junction\.' "$out"/*.py "$out"/*.pyi; then
    echo "generate.sh: unexpected absolute import left in generated code (see above)" >&2
    exit 1
fi
cat > "$out/__init__.py" <<'PY'
"""Generated protobuf modules for Protos/junction/v1. Do not edit: run Interop/python/generate.sh."""
PY

if [[ "$mode" == "check" ]]; then
    if diff -ru --exclude=__pycache__ "$target" "$out" > "$work/diff.txt" 2>&1; then
        echo "generate.sh: $target is up to date with Protos/" >&2
        exit 0
    fi
    cat "$work/diff.txt" >&2
    echo "generate.sh: $target is STALE relative to Protos/junction/v1; run: bash Interop/python/generate.sh" >&2
    exit 1
fi

rm -rf "$target"
mkdir -p "$target"
cp "$out"/* "$target/"
echo "generate.sh: wrote $(ls "$target" | wc -l) files to $target" >&2
