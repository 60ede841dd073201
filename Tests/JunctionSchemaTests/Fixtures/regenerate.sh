#!/bin/sh
# Regenerates the FileDescriptorSet fixtures from the .proto files next to this script (protoc 3.21+).
set -eu
cd "$(dirname "$0")"
protoc --descriptor_set_out=events.pb --include_imports -I. events.proto
# The same file without its imports, to test unresolved-import errors.
protoc --descriptor_set_out=events-noimports.pb -I. events.proto
