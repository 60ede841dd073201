// CRC32C (Castagnoli). Hardware path: SSE4.2 `crc32` on 8-byte words; from
// 192 bytes on, three independent streams over three thirds of the data
// (the instruction's latency is 3 cycles but it issues every cycle), joined
// with carry-less multiplications (PCLMULQDQ).
// Portable path: slicing-by-8 over tables built once at load time.
#include "CJunctionCRC.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#include <wmmintrin.h>
#define JUNCTION_CRC_X86 1
#endif

#define JUNCTION_CRC32C_POLY 0x82F63B78u

static uint32_t junction_crc_table[8][256];
static int junction_crc_hw = 0;

// Three-stream hardware path: streams of up to 8 * JUNCTION_CRC_MAX_WORDS
// bytes, joined by shifting a stream's register over the bytes after it:
// shift(c, n) = c * x^(8n) mod P. junction_crc_shift[k] holds x^(64k) mod P
// (a shift over k 8-byte words), reflected like the registers.
#define JUNCTION_CRC_MAX_WORDS 256
#define JUNCTION_CRC_STRIPED_MIN 192
static uint32_t junction_crc_shift[2 * JUNCTION_CRC_MAX_WORDS + 1];
static int junction_crc_striped = 0;

// a * b mod P, reflected (bit 31 is x^0). Slow; for the tables and self-check.
static uint32_t junction_crc_multiply(uint32_t a, uint32_t b) {
    uint32_t product = 0;
    for (uint32_t m = 1u << 31; m != 0; m >>= 1) {
        if (a & m) product ^= b;
        b = (b & 1) ? (b >> 1) ^ JUNCTION_CRC32C_POLY : b >> 1;
    }
    return product;
}

#ifdef JUNCTION_CRC_X86
static int junction_crc_striped_self_check(void);
#endif

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
    // x^0 is 1u << 31; x^64 is x^0 shifted over 64 bits, one at a time.
    uint32_t word = 1u << 31;
    for (int bit = 0; bit < 64; bit++) word = (word & 1) ? (word >> 1) ^ JUNCTION_CRC32C_POLY : word >> 1;
    junction_crc_shift[0] = 1u << 31;
    for (int k = 1; k <= 2 * JUNCTION_CRC_MAX_WORDS; k++) {
        junction_crc_shift[k] = junction_crc_multiply(junction_crc_shift[k - 1], word);
    }
#ifdef JUNCTION_CRC_X86
    __builtin_cpu_init();
    junction_crc_hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    if (junction_crc_hw && __builtin_cpu_supports("pclmul")) {
        junction_crc_striped = junction_crc_striped_self_check();
    }
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

#ifdef JUNCTION_CRC_X86
// a * b mod P with one carry-less multiplication; the 64-bit product is
// reduced by the crc32 instruction (which multiplies by x^32 mod P, undone
// by the product's one-bit offset in the reflected order).
__attribute__((target("sse4.2,pclmul")))
static inline uint32_t junction_crc_multiply_hw(uint32_t a, uint32_t b) {
    __m128i product = _mm_clmulepi64_si128(_mm_cvtsi32_si128((int)a), _mm_cvtsi32_si128((int)b), 0x00);
    product = _mm_slli_epi64(product, 1);
    uint64_t low = (uint64_t)_mm_cvtsi128_si64(product);
    return _mm_crc32_u32(0, (uint32_t)low) ^ (uint32_t)(low >> 32);
}

// Three streams over as many 8-byte words each; the rest sequentially.
__attribute__((target("sse4.2,pclmul")))
static uint32_t junction_crc32c_striped(uint32_t crc, const void *data, size_t length) {
    const unsigned char *p = (const unsigned char *)data;
    uint64_t c = (uint32_t)~crc;
    while (length > 0 && ((uintptr_t)p & 7) != 0) {
        c = _mm_crc32_u8((uint32_t)c, *p++);
        length--;
    }
    while (length >= JUNCTION_CRC_STRIPED_MIN) {
        size_t words = length / 24;
        if (words > JUNCTION_CRC_MAX_WORDS) words = JUNCTION_CRC_MAX_WORDS;
        const unsigned char *p1 = p + 8 * words, *p2 = p + 16 * words;
        uint64_t c1 = 0, c2 = 0;
        for (size_t i = 0; i < words; i++) {
            uint64_t w0, w1, w2;
            memcpy(&w0, p + 8 * i, 8); memcpy(&w1, p1 + 8 * i, 8); memcpy(&w2, p2 + 8 * i, 8);
            c = _mm_crc32_u64(c, w0);
            c1 = _mm_crc32_u64(c1, w1);
            c2 = _mm_crc32_u64(c2, w2);
        }
        c = junction_crc_multiply_hw((uint32_t)c, junction_crc_shift[2 * words])
            ^ junction_crc_multiply_hw((uint32_t)c1, junction_crc_shift[words]) ^ (uint32_t)c2;
        p += 24 * words;
        length -= 24 * words;
    }
    return junction_crc32c_sse42(~(uint32_t)c, p, length);
}

// Enabled only if the fast multiplication agrees with the slow one, and the
// whole striped path (combine step and shift table included) agrees with the
// software checksum over buffers of several sizes and alignments.
static int junction_crc_striped_self_check(void) {
    uint32_t a = 0x12345678u, b = 0x9ABCDEF1u;
    for (int i = 0; i < 64; i++) {
        if (junction_crc_multiply_hw(a, b) != junction_crc_multiply(a, b)) return 0;
        a = a * 1664525u + 1013904223u;
        b = b * 22695477u + 1u;
    }
    static unsigned char buffer[6144 + 8];
    uint32_t x = 0x2545F491u;
    for (size_t i = 0; i < sizeof buffer; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        buffer[i] = (unsigned char)x;
    }
    static const size_t lengths[] = {JUNCTION_CRC_STRIPED_MIN, 330, 1000, 4096, 6144};
    for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
        for (size_t offset = 0; offset < 8; offset += 3) {
            if (junction_crc32c_striped(0, buffer + offset, lengths[k])
                != junction_crc32c_software(0, buffer + offset, lengths[k])) return 0;
        }
    }
    return 1;
}
#endif

uint32_t junction_crc32c(uint32_t crc, const void *data, size_t length) {
#ifdef JUNCTION_CRC_X86
    if (junction_crc_striped && length >= JUNCTION_CRC_STRIPED_MIN) {
        return junction_crc32c_striped(crc, data, length);
    }
    if (junction_crc_hw) {
        return junction_crc32c_sse42(crc, data, length);
    }
#endif
    return junction_crc32c_software(crc, data, length);
}

int junction_crc32c_is_hardware_accelerated(void) {
    return junction_crc_hw;
}

