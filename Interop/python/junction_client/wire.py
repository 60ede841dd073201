"""Low-level protobuf wire encoding, for building frames a conforming encoder refuses to produce.

The generated classes never emit invalid UTF-8 in a string field or a broken
message; tests of the gateway's error handling need exactly that. These
helpers write fields by number and wire type (protobuf encoding spec).
"""

from __future__ import annotations

WIRE_VARINT = 0
WIRE_I64 = 1
WIRE_LEN = 2
WIRE_I32 = 5


def encode_varint(value: int) -> bytes:
    """Base-128 varint of a non-negative integer below 2**64."""
    if not 0 <= value < 1 << 64:
        raise ValueError(f"varint value must be 0...2**64-1, got {value}")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def tag(field_number: int, wire_type: int) -> bytes:
    """The key of a field: ``(field_number << 3) | wire_type`` as a varint."""
    if field_number < 1:
        raise ValueError(f"field numbers start at 1, got {field_number}")
    return encode_varint((field_number << 3) | wire_type)


def len_field(field_number: int, payload: bytes) -> bytes:
    """A length-delimited field (string, bytes or embedded message) holding ``payload`` verbatim."""
    return tag(field_number, WIRE_LEN) + encode_varint(len(payload)) + payload


def varint_field(field_number: int, value: int) -> bytes:
    """A varint field (integers, bools, enums)."""
    return tag(field_number, WIRE_VARINT) + encode_varint(value)
