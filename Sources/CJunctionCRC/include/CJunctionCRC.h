#ifndef C_JUNCTION_CRC_H
#define C_JUNCTION_CRC_H
#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// CRC32C (Castagnoli, reflected polynomial 0x82F63B78) of `length` bytes at `data`.
///
/// `crc` is the value returned for the preceding bytes (0 to start), so a checksum
/// can be computed over several discontiguous pieces:
/// `junction_crc32c(junction_crc32c(0, a, na), b, nb) == crc32c(a || b)`.
/// Uses the SSE4.2 `crc32` instruction when the CPU supports it (checked once at
/// load time with `__builtin_cpu_supports`), otherwise a slicing-by-8 table.
/// Thread-safe; `data` may be NULL when `length` is 0.
uint32_t junction_crc32c(uint32_t crc, const void *data, size_t length);

/// Same result as `junction_crc32c`, always computed with the portable
/// slicing-by-8 table implementation (for tests and benchmarks).
uint32_t junction_crc32c_software(uint32_t crc, const void *data, size_t length);

/// 1 when `junction_crc32c` uses the SSE4.2 hardware instruction, 0 otherwise.
int junction_crc32c_is_hardware_accelerated(void);


#ifdef __cplusplus
}
#endif
#endif
