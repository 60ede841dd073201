// Arena allocation, unpack entry points and an allocation-free structural
// check of protobuf wire bytes for the gateway's hot path.
#include "CJunctionWire.h"
#include <stdlib.h>
#include <string.h>

// MARK: - arena

struct junction_arena_chunk {
    junction_arena_chunk *next;
    size_t size;
    /* followed by the chunk's bytes, 16-byte aligned */
};

#define JUNCTION_ALIGN 16u
#define JUNCTION_CHUNK_HEADER ((sizeof(junction_arena_chunk) + JUNCTION_ALIGN - 1) & ~(size_t)(JUNCTION_ALIGN - 1))

static void *junction_arena_alloc(void *data, size_t size) {
    junction_arena *arena = data;
    size_t rounded = (size + JUNCTION_ALIGN - 1) & ~(size_t)(JUNCTION_ALIGN - 1);
    if (rounded < size) return NULL; /* overflow */
    if (arena->capacity - arena->used >= rounded) {
        void *p = arena->block + arena->used;
        arena->used += rounded;
        return p;
    }
    /* The main block is full: one chunk per request that does not fit. These
       are rare (a frame far larger than the block was sized for). */
    junction_arena_chunk *chunk = malloc(JUNCTION_CHUNK_HEADER + rounded);
    if (chunk == NULL) return NULL;
    chunk->next = arena->overflow;
    chunk->size = rounded;
    arena->overflow = chunk;
    arena->overflow_bytes += rounded;
    return (unsigned char *)chunk + JUNCTION_CHUNK_HEADER;
}

static void junction_arena_free(void *data, void *pointer) {
    (void)data;
    (void)pointer; /* released with the whole arena */
}

bool junction_arena_init(junction_arena *arena, size_t capacity) {
    memset(arena, 0, sizeof *arena);
    arena->allocator.alloc = junction_arena_alloc;
    arena->allocator.free = junction_arena_free;
    arena->allocator.allocator_data = arena;
    if (capacity == 0) capacity = JUNCTION_ALIGN;
    capacity = (capacity + JUNCTION_ALIGN - 1) & ~(size_t)(JUNCTION_ALIGN - 1);
    if (posix_memalign((void **)&arena->block, JUNCTION_ALIGN, capacity) != 0) {
        arena->block = NULL;
        return false;
    }
    arena->capacity = capacity;
    return true;
}

void junction_arena_reset(junction_arena *arena) {
    junction_arena_chunk *chunk = arena->overflow;
    while (chunk != NULL) {
        junction_arena_chunk *next = chunk->next;
        free(chunk);
        chunk = next;
    }
    arena->overflow = NULL;
    arena->overflow_bytes = 0;
    arena->used = 0;
}

void junction_arena_destroy(junction_arena *arena) {
    junction_arena_reset(arena);
    free(arena->block);
    arena->block = NULL;
    arena->capacity = 0;
}

Junction__V1__ClientFrame *junction_unpack_client_frame(junction_arena *arena, const uint8_t *data, size_t len) {
    return junction__v1__client_frame__unpack(&arena->allocator, len, data);
}

Junction__V1__ServerFrame *junction_unpack_server_frame(junction_arena *arena, const uint8_t *data, size_t len) {
    return junction__v1__server_frame__unpack(&arena->allocator, len, data);
}

Junction__V1__Event *junction_unpack_event(junction_arena *arena, const uint8_t *data, size_t len) {
    return junction__v1__event__unpack(&arena->allocator, len, data);
}

// MARK: - UTF-8

#define JUNCTION_ALWAYS_INLINE inline __attribute__((always_inline))
#define JUNCTION_NOINLINE __attribute__((noinline))

#define JUNCTION_ONES  0x0101010101010101ull
#define JUNCTION_HIGHS 0x8080808080808080ull

/* True when all 8 bytes of `word` are ASCII (< 0x80) and, with `no_nul`,
   none is 0. When no byte has its high bit set, word - 0x0101... has a high
   bit set if and only if some byte is 0 (a 0 byte becomes 0xFF; a byte of
   1..0x7F only wraps when a borrow comes from a 0 byte below it), so one
   test covers both. */
static JUNCTION_ALWAYS_INLINE bool ascii_word(uint64_t word, bool no_nul) {
    if (no_nul) return ((word | (word - JUNCTION_ONES)) & JUNCTION_HIGHS) == 0;
    return (word & JUNCTION_HIGHS) == 0;
}

/* Validates `len` bytes as UTF-8 (no surrogates, no overlong forms, at most
   U+10FFFF); with `no_nul`, a 0 byte anywhere is reported as
   JUNCTION_WIRE_NUL_IN_STRING, which takes precedence over invalid UTF-8
   (as if the bytes were searched for 0 first, then validated). Returns
   JUNCTION_WIRE_OK, JUNCTION_WIRE_INVALID_UTF8 or JUNCTION_WIRE_NUL_IN_STRING. */
static JUNCTION_ALWAYS_INLINE junction_wire_status utf8_scan(const uint8_t *s, size_t len, bool no_nul) {
    size_t i = 0;
    bool tail_tried = false;
    while (i < len) {
        /* ASCII fast path, 8 bytes at a time */
        if (len - i >= 8) {
            uint64_t word;
            memcpy(&word, s + i, 8);
            if (ascii_word(word, no_nul)) { i += 8; continue; }
        } else if (len >= 8 && !tail_tried) {
            /* The last 8 bytes, overlapping bytes already looked at (i is
               at a character boundary): if they are all clean, so is
               everything from i on. */
            uint64_t word;
            memcpy(&word, s + len - 8, 8);
            if (ascii_word(word, no_nul)) return JUNCTION_WIRE_OK;
            tail_tried = true;
        }
        uint8_t c = s[i];
        if (c < 0x80) {
            if (no_nul && c == 0) return JUNCTION_WIRE_NUL_IN_STRING;
            i += 1;
            continue;
        }
        /* Every byte of a well-formed multi-byte sequence is >= 0x80, so
           bytes before i hold no 0 (each ASCII one was checked). */
        if (c >= 0xC2 && c <= 0xDF) {
            if (i + 1 >= len || (s[i + 1] & 0xC0) != 0x80) goto invalid;
            i += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (i + 2 >= len) goto invalid;
            uint8_t c1 = s[i + 1], c2 = s[i + 2];
            if ((c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80) goto invalid;
            if (c == 0xE0 && c1 < 0xA0) goto invalid;          /* overlong */
            if (c == 0xED && c1 > 0x9F) goto invalid;          /* surrogates */
            i += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (i + 3 >= len) goto invalid;
            uint8_t c1 = s[i + 1], c2 = s[i + 2], c3 = s[i + 3];
            if ((c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80 || (c3 & 0xC0) != 0x80) goto invalid;
            if (c == 0xF0 && c1 < 0x90) goto invalid;          /* overlong */
            if (c == 0xF4 && c1 > 0x8F) goto invalid;          /* above U+10FFFF */
            i += 4;
        } else {
            goto invalid;
        }
    }
    return JUNCTION_WIRE_OK;
invalid:
    /* A 0 byte later in the string still wins. */
    if (no_nul && memchr(s + i, 0, len - i) != NULL) return JUNCTION_WIRE_NUL_IN_STRING;
    return JUNCTION_WIRE_INVALID_UTF8;
}

bool junction_utf8_valid(const uint8_t *s, size_t len) {
    return utf8_scan(s, len, false) == JUNCTION_WIRE_OK;
}

/* A string field's bytes: no 0 byte, then valid UTF-8. */
static junction_wire_status check_string(const uint8_t *s, size_t len) {
    return utf8_scan(s, len, true);
}

// MARK: - wire check

/* Reads a varint of at most 10 bytes at p[*pos] (p[len] is the end),
   advancing *pos past it. The general loop; read_varint handles the short
   forms inline and comes here for the rest. */
static JUNCTION_NOINLINE bool read_varint_slow(const uint8_t *p, size_t len, size_t *pos, uint64_t *out,
                                               junction_wire_status *err) {
    uint64_t value = 0;
    for (unsigned shift = 0, n = 0; n < 10; n++, shift += 7) {
        if (*pos >= len) { *err = JUNCTION_WIRE_TRUNCATED; return false; }
        uint8_t b = p[(*pos)++];
        value |= (uint64_t)(b & 0x7F) << shift;
        if ((b & 0x80) == 0) { *out = value; return true; }
    }
    *err = JUNCTION_WIRE_BAD_VARINT;
    return false;
}

/* Tags and most lengths are one or two bytes: those are decoded here, the
   same value read_varint_slow would give; anything else (longer, or
   running into the end) goes to the loop, which reports it. */
static JUNCTION_ALWAYS_INLINE bool read_varint(const uint8_t *p, size_t len, size_t *pos, uint64_t *out,
                                               junction_wire_status *err) {
    size_t i = *pos;
    if (__builtin_expect(i < len, 1)) {
        uint8_t b0 = p[i];
        if (b0 < 0x80) { *out = b0; *pos = i + 1; return true; }
        if (i + 1 < len) {
            uint8_t b1 = p[i + 1];
            if (b1 < 0x80) { *out = (uint64_t)(b0 & 0x7F) | ((uint64_t)b1 << 7); *pos = i + 2; return true; }
        }
    }
    return read_varint_slow(p, len, pos, out, err);
}

/* Steps over a varint whose value is not needed, with the outcome
   read_varint would have: with 10 or more bytes left it cannot be cut
   short, so the first byte below 0x80 among the next 10 ends it, and none
   means more than 10 bytes. */
static JUNCTION_ALWAYS_INLINE bool skip_varint(const uint8_t *p, size_t len, size_t *pos, junction_wire_status *err) {
    size_t i = *pos;
    if (i < len && p[i] < 0x80) { *pos = i + 1; return true; }
    if (len - i >= 10) {
        uint64_t word;
        memcpy(&word, p + i, 8);
        uint64_t stops = ~word & JUNCTION_HIGHS;
        if (stops != 0) { *pos = i + (size_t)(__builtin_ctzll(stops) >> 3) + 1; return true; }
        if (p[i + 8] < 0x80) { *pos = i + 9; return true; }
        if (p[i + 9] < 0x80) { *pos = i + 10; return true; }
        *err = JUNCTION_WIRE_BAD_VARINT;
        return false;
    }
    uint64_t ignored;
    return read_varint_slow(p, len, pos, &ignored, err);
}

/* Steps over the value of a field with wire type 0 (varint), 1 (fixed64) or
   5 (fixed32); any other wire type (2 is the caller's) is
   JUNCTION_WIRE_BAD_WIRE_TYPE. */
static JUNCTION_ALWAYS_INLINE bool skip_scalar(const uint8_t *p, size_t len, size_t *pos, int wire,
                                               junction_wire_status *err) {
    switch (wire) {
    case 0: return skip_varint(p, len, pos, err);
    case 1: if (len - *pos < 8) { *err = JUNCTION_WIRE_TRUNCATED; return false; } *pos += 8; return true;
    case 5: if (len - *pos < 4) { *err = JUNCTION_WIRE_TRUNCATED; return false; } *pos += 4; return true;
    default: *err = JUNCTION_WIRE_BAD_WIRE_TYPE; return false;
    }
}

/* protoc-c emits a message's fields sorted by number (protobuf-c's own
   unpack relies on it); a test checks it for every descriptor the gateway
   uses. Numbers absent from the descriptor (unknown fields) are searched. */
static JUNCTION_NOINLINE const ProtobufCFieldDescriptor *find_field_sorted(const ProtobufCMessageDescriptor *d,
                                                                          uint32_t number) {
    size_t lo = 0, hi = d->n_fields;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t id = d->fields[mid].id;
        if (id == number) return &d->fields[mid];
        if (id < number) lo = mid + 1; else hi = mid;
    }
    return NULL;
}

/* Fields numbered 1..n without gaps sit at index number - 1. */
static JUNCTION_ALWAYS_INLINE const ProtobufCFieldDescriptor *find_field(const ProtobufCMessageDescriptor *d,
                                                                        uint32_t number) {
    size_t i = (size_t)number - 1;
    if (i < d->n_fields && d->fields[i].id == number) return &d->fields[i];
    return find_field_sorted(d, number);
}

static int expected_wire_type(ProtobufCType type) {
    switch (type) {
    case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_BOOL: case PROTOBUF_C_TYPE_ENUM:
        return 0;
    case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_SFIXED64: case PROTOBUF_C_TYPE_DOUBLE:
        return 1;
    case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_SFIXED32: case PROTOBUF_C_TYPE_FLOAT:
        return 5;
    default:
        return 2;
    }
}

static bool check_message(const ProtobufCMessageDescriptor *d, const uint8_t *base, size_t start, size_t end,
                          unsigned depth, unsigned max_depth, junction_wire_problem *problem) {
    if (depth > max_depth) {
        problem->status = JUNCTION_WIRE_TOO_DEEP;
        problem->offset = start;
        problem->message_name = d->name;
        return false;
    }
    size_t pos = start;
    while (pos < end) {
        size_t field_start = pos;
        uint64_t key;
        junction_wire_status err = JUNCTION_WIRE_OK;
        if (!read_varint(base, end, &pos, &key, &err)) goto fail_status;
        uint32_t number = (uint32_t)(key >> 3);
        int wire = (int)(key & 7);
        if (number == 0 || (key >> 3) > 0x1FFFFFFF) { err = JUNCTION_WIRE_ZERO_FIELD; goto fail_status; }
        const ProtobufCFieldDescriptor *f = find_field(d, number);
        if (f != NULL) {
            int expected = expected_wire_type(f->type);
            bool packed_ok = (f->label == PROTOBUF_C_LABEL_REPEATED && expected != 2 && wire == 2);
            if (wire != expected && !packed_ok) {
                problem->status = JUNCTION_WIRE_TYPE_MISMATCH;
                problem->offset = field_start;
                problem->message_name = d->name;
                problem->field_name = f->name;
                problem->field_number = number;
                return false;
            }
        }
        if (wire == 2) {
            uint64_t length;
            if (!read_varint(base, end, &pos, &length, &err)) goto fail_field;
            if (length > end - pos) { err = JUNCTION_WIRE_TRUNCATED; goto fail_field; }
            if (f != NULL && f->type == PROTOBUF_C_TYPE_STRING) {
                err = check_string(base + pos, (size_t)length);
                if (err != JUNCTION_WIRE_OK) goto fail_field;
            } else if (f != NULL && f->type == PROTOBUF_C_TYPE_MESSAGE) {
                if (!check_message(f->descriptor, base, pos, pos + (size_t)length, depth + 1, max_depth, problem)) {
                    return false;
                }
            }
            pos += (size_t)length;
        } else if (!skip_scalar(base, end, &pos, wire, &err)) {
            goto fail_field;
        }
        continue;
    fail_field:
        problem->status = err;
        problem->offset = field_start;
        problem->message_name = d->name;
        problem->field_name = f ? f->name : NULL;
        problem->field_number = number;
        return false;
    fail_status:
        problem->status = err;
        problem->offset = field_start;
        problem->message_name = d->name;
        problem->field_name = NULL;
        problem->field_number = 0;
        return false;
    }
    return true;
}

bool junction_wire_check(const ProtobufCMessageDescriptor *descriptor, const uint8_t *data, size_t len,
                         unsigned max_depth, junction_wire_problem *problem) {
    memset(problem, 0, sizeof *problem);
    return check_message(descriptor, data, 0, len, 0, max_depth, problem);
}

const ProtobufCMessageDescriptor *junction_client_frame_descriptor(void) {
    return &junction__v1__client_frame__descriptor;
}

const ProtobufCMessageDescriptor *junction_server_frame_descriptor(void) {
    return &junction__v1__server_frame__descriptor;
}

// MARK: - event ranges

/* Skips one field's value; false on malformed input. */
static bool skip_value(const uint8_t *p, size_t end, size_t *pos, int wire) {
    junction_wire_status err;
    uint64_t v;
    switch (wire) {
    case 2:
        if (!read_varint(p, end, pos, &v, &err) || v > end - *pos) return false;
        *pos += (size_t)v;
        return true;
    default: return skip_scalar(p, end, pos, wire, &err);
    }
}

long junction_publish_event_ranges(const uint8_t *data, size_t len, uint32_t *offsets, uint32_t *lengths, size_t max) {
    junction_wire_status err;
    size_t pos = 0;
    long count = 0;
    bool seen_publish = false;
    while (pos < len) {
        uint64_t key;
        if (!read_varint(data, len, &pos, &key, &err)) return -1;
        if ((key >> 3) == 2 && (key & 7) == 2) { /* ClientFrame.publish */
            uint64_t blen;
            if (!read_varint(data, len, &pos, &blen, &err) || blen > len - pos) return -1;
            if (seen_publish) return -1; /* a merged publish field is not accepted */
            seen_publish = true;
            size_t bend = pos + (size_t)blen;
            while (pos < bend) {
                uint64_t bkey;
                if (!read_varint(data, bend, &pos, &bkey, &err)) return -1;
                if ((bkey >> 3) == 2 && (bkey & 7) == 2) { /* PublishBatch.events */
                    uint64_t elen;
                    if (!read_varint(data, bend, &pos, &elen, &err) || elen > bend - pos) return -1;
                    if ((size_t)count < max) {
                        offsets[count] = (uint32_t)pos;
                        lengths[count] = (uint32_t)elen;
                    }
                    count++;
                    pos += (size_t)elen;
                } else if (!skip_value(data, bend, &pos, (int)(bkey & 7))) {
                    return -1;
                }
            }
        } else if (!skip_value(data, len, &pos, (int)(key & 7))) {
            return -1;
        }
    }
    return seen_publish ? count : -1;
}
