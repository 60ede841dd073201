"""Generated protobuf modules for Protos/junction/v1. Do not edit: run Interop/python/generate.sh."""
