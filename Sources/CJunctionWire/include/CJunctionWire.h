#ifndef C_JUNCTION_WIRE_H
#define C_JUNCTION_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <protobuf-c/protobuf-c.h>
#include "junction/v1/event.pb-c.h"
#include "junction/v1/protocol.pb-c.h"

/// A bump allocator for protobuf-c: one frame's unpack allocates from a single
/// block instead of ~8 mallocs per event. `free` is a no-op; everything is
/// released at once by junction_arena_reset or junction_arena_destroy.
/// One arena is used by one thread at a time.
typedef struct junction_arena_chunk junction_arena_chunk;
typedef struct junction_arena {
    ProtobufCAllocator allocator; /* allocator_data points at this arena */
    unsigned char *block;          /* the main block, owned */
    size_t capacity;               /* bytes in block */
    size_t used;                   /* bytes handed out from block */
    junction_arena_chunk *overflow;/* extra blocks when the main one is full */
    size_t overflow_bytes;         /* total bytes in overflow chunks */
} junction_arena;

/// Initializes an arena with a main block of `capacity` bytes (malloc'd).
/// Returns false when the allocation fails.
bool junction_arena_init(junction_arena *arena, size_t capacity);
/// Forgets every allocation; keeps the main block, frees overflow chunks.
void junction_arena_reset(junction_arena *arena);
/// Frees everything the arena owns.
void junction_arena_destroy(junction_arena *arena);

/// Unpacks a ClientFrame into the arena. NULL when the bytes are not a valid
/// ClientFrame (protobuf-c gives no reason; see junction_wire_check).
Junction__V1__ClientFrame *junction_unpack_client_frame(junction_arena *arena, const uint8_t *data, size_t len);
/// Unpacks a ServerFrame into the arena.
Junction__V1__ServerFrame *junction_unpack_server_frame(junction_arena *arena, const uint8_t *data, size_t len);

/// Unpacks one stored Event (as the event log keeps it) into the arena.
Junction__V1__Event *junction_unpack_event(junction_arena *arena, const uint8_t *data, size_t len);

/// Result of junction_wire_check.
typedef enum junction_wire_status {
    JUNCTION_WIRE_OK = 0,
    JUNCTION_WIRE_TRUNCATED = 1,      /* a field runs past the end of its message */
    JUNCTION_WIRE_BAD_VARINT = 2,     /* a varint longer than 10 bytes */
    JUNCTION_WIRE_BAD_WIRE_TYPE = 3,  /* wire type 6 or 7, or groups */
    JUNCTION_WIRE_TYPE_MISMATCH = 4,  /* a known field with the wrong wire type */
    JUNCTION_WIRE_INVALID_UTF8 = 5,   /* a string field that is not UTF-8 */
    JUNCTION_WIRE_NUL_IN_STRING = 6,  /* a string field holding U+0000 */
    JUNCTION_WIRE_TOO_DEEP = 7,       /* nesting deeper than the limit */
    JUNCTION_WIRE_ZERO_FIELD = 8,     /* field number 0 */
} junction_wire_status;

/// Where junction_wire_check stopped.
typedef struct junction_wire_problem {
    junction_wire_status status;
    size_t offset;                    /* byte offset in the checked buffer */
    const char *message_name;         /* protobuf name of the message, e.g. "junction.v1.Event" */
    const char *field_name;           /* the field, or NULL when unknown */
    uint32_t field_number;
} junction_wire_problem;

/// Walks `data` as a message of type `descriptor` without allocating:
/// wire structure, wire types of known fields, UTF-8 of string fields
/// (proto3 requires it; protobuf-c does not check), nesting depth. Unknown
/// fields are skipped (structure only). Returns true when everything holds;
/// otherwise fills `problem`.
bool junction_wire_check(const ProtobufCMessageDescriptor *descriptor, const uint8_t *data, size_t len,
                         unsigned max_depth, junction_wire_problem *problem);

/// The protobuf-c descriptors of the two frame types.
const ProtobufCMessageDescriptor *junction_client_frame_descriptor(void);
const ProtobufCMessageDescriptor *junction_server_frame_descriptor(void);

/// For a ClientFrame holding a PublishBatch, finds the byte range of each
/// encoded Event inside `data` (offsets relative to `data`). Writes at most
/// `max` ranges and returns how many events the batch holds (which may be
/// more than `max`), or -1 when the frame is not a well-formed publish frame.
/// Call after junction_wire_check succeeded.
long junction_publish_event_ranges(const uint8_t *data, size_t len, uint32_t *offsets, uint32_t *lengths, size_t max);

/// True when the `len` bytes at `s` are well-formed UTF-8 (no surrogates,
/// no overlong forms, at most U+10FFFF).
bool junction_utf8_valid(const uint8_t *s, size_t len);

#endif
