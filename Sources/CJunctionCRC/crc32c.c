// CRC32C (Castagnoli). Hardware path: SSE4.2 `crc32` on 8-byte words.
// Portable path: slicing-by-8 over tables built once at load time.
#include "CJunctionCRC.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define JUNCTION_CRC_X86 1
#endif

#define JUNCTION_CRC32C_POLY 0x82F63B78u

static uint32_t junction_crc_table[8][256];
static int junction_crc_hw = 0;

__attribute__((constructor))
static void junction_crc_init(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? (c >> 1) ^ JUNCTION_CRC32C_POLY : (c >> 1);
        }
        junction_crc_table[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = junction_crc_table[0][n];
        for (int t = 1; t < 8; t++) {
            c = junction_crc_table[0][c & 0xFF] ^ (c >> 8);
            junction_crc_table[t][n] = c;
        }
    }
#ifdef JUNCTION_CRC_X86
    __builtin_cpu_init();
    junction_crc_hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
#endif
}

static inline uint64_t junction_load_le64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

uint32_t junction_crc32c_software(uint32_t crc, const void *data, size_t length) {
    const unsigned char *p = (const unsigned char *)data;
    uint32_t c = ~crc;
    while (length > 0 && ((uintptr_t)p & 7) != 0) {
        c = junction_crc_table[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
        length--;
    }
    while (length >= 8) {
        uint64_t word = junction_load_le64(p) ^ (uint64_t)c;
        c = junction_crc_table[7][word & 0xFF] ^
            junction_crc_table[6][(word >> 8) & 0xFF] ^
            junction_crc_table[5][(word >> 16) & 0xFF] ^
            junction_crc_table[4][(word >> 24) & 0xFF] ^
            junction_crc_table[3][(word >> 32) & 0xFF] ^
            junction_crc_table[2][(word >> 40) & 0xFF] ^
            junction_crc_table[1][(word >> 48) & 0xFF] ^
            junction_crc_table[0][word >> 56];
        p += 8;
        length -= 8;
    }
    while (length > 0) {
        c = junction_crc_table[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
        length--;
    }
    return ~c;
}

#ifdef JUNCTION_CRC_X86
__attribute__((target("sse4.2")))
static uint32_t junction_crc32c_sse42(uint32_t crc, const void *data, size_t length) {
    const unsigned char *p = (const unsigned char *)data;
    uint64_t c = (uint32_t)~crc;
    while (length > 0 && ((uintptr_t)p & 7) != 0) {
        c = _mm_crc32_u8((uint32_t)c, *p++);
        length--;
    }
    while (length >= 32) {
        uint64_t w0, w1, w2, w3;
        memcpy(&w0, p, 8); memcpy(&w1, p + 8, 8); memcpy(&w2, p + 16, 8); memcpy(&w3, p + 24, 8);
        c = _mm_crc32_u64(c, w0);
        c = _mm_crc32_u64(c, w1);
        c = _mm_crc32_u64(c, w2);
        c = _mm_crc32_u64(c, w3);
        p += 32;
        length -= 32;
    }
    while (length >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = _mm_crc32_u64(c, w);
        p += 8;
        length -= 8;
    }
    while (length > 0) {
        c = _mm_crc32_u8((uint32_t)c, *p++);
        length--;
    }
    return ~(uint32_t)c;
}
#endif

uint32_t junction_crc32c(uint32_t crc, const void *data, size_t length) {
#ifdef JUNCTION_CRC_X86
    if (junction_crc_hw) {
        return junction_crc32c_sse42(crc, data, length);
    }
#endif
    return junction_crc32c_software(crc, data, length);
}

int junction_crc32c_is_hardware_accelerated(void) {
    return junction_crc_hw;
}
