#!/usr/bin/env bash
# Regenerates the protobuf-c code in Sources/CJunctionWire from Protos/.
# Usage: scripts/generate-protos.sh          (writes the files)
#        scripts/generate-protos.sh --check  (fails if the committed files are stale)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/Sources/CJunctionWire"
command -v protoc-c >/dev/null || { echo "protoc-c not found: apt-get install protobuf-c-compiler" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$root/Protos" && protoc-c --c_out="$tmp" junction/v1/event.proto junction/v1/protocol.proto)
# SwiftPM wants public headers in include/; the generated .c files include
# "junction/v1/x.pb-c.h", which resolves through include/.
mkdir -p "$tmp/include/junction/v1" "$tmp/src"
for f in event protocol; do
  mv "$tmp/junction/v1/$f.pb-c.h" "$tmp/include/junction/v1/$f.pb-c.h"
  mv "$tmp/junction/v1/$f.pb-c.c" "$tmp/src/$f.pb-c.c"
done
if [ "${1:-}" = "--check" ]; then
  stale=0
  for f in include/junction/v1/event.pb-c.h include/junction/v1/protocol.pb-c.h src/event.pb-c.c src/protocol.pb-c.c; do
    cmp -s "$tmp/$f" "$out/$f" || { echo "stale generated file: Sources/CJunctionWire/$f (run scripts/generate-protos.sh)" >&2; stale=1; }
  done
  exit $stale
fi
mkdir -p "$out/include/junction/v1" "$out/src"
for f in include/junction/v1/event.pb-c.h include/junction/v1/protocol.pb-c.h src/event.pb-c.c src/protocol.pb-c.c; do
  cp "$tmp/$f" "$out/$f"
done
echo "generated into $out"
