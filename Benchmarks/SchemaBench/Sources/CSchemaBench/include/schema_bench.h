#ifndef SCHEMA_BENCH_H
#define SCHEMA_BENCH_H
#include <stddef.h>
#include <stdint.h>
#include "bench.pb-c.h"

/// Heap allocations made by the process so far.
unsigned long long schema_bench_allocations(void);

/// protobuf-c generated unpack of a bench.Detail, then free. Returns 0 when unpacking fails.
int schema_bench_protobuf_c_unpack_free(const uint8_t *data, size_t length);
#endif
