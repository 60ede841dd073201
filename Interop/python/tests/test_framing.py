"""Framing and wire helpers, without a server."""

from __future__ import annotations

import pytest

from junction_client import FrameDecoder, FramingError, encode_frame, encode_header, protocol_pb2
from junction_client.wire import encode_varint, len_field, tag, varint_field


def test_header_is_flag_byte_then_big_endian_length() -> None:
    assert encode_header(0x01020304) == b"\x00\x01\x02\x03\x04"
    assert encode_header(5, flags=1) == b"\x01\x00\x00\x00\x05"
    assert encode_frame(b"abc") == b"\x00\x00\x00\x00\x03abc"
    assert encode_header(0xFFFFFFFF) == b"\x00\xff\xff\xff\xff"
    with pytest.raises(ValueError):
        encode_header(1 << 32)
    with pytest.raises(ValueError):
        encode_header(1, flags=256)


def test_decoder_reassembles_frames_split_at_every_byte() -> None:
    payloads = [b"", b"x", bytes(range(256)) * 3, b"tail"]
    stream = b"".join(encode_frame(p) for p in payloads)
    decoder = FrameDecoder(1 << 20)
    out = []
    for index in range(len(stream)):
        out.extend(decoder.feed(stream[index : index + 1]))
    assert out == payloads
    assert decoder.buffered == 0


def test_decoder_returns_every_frame_of_one_chunk() -> None:
    payloads = [b"a" * n for n in range(10)]
    decoder = FrameDecoder(100)
    assert decoder.feed(b"".join(encode_frame(p) for p in payloads)) == payloads


def test_decoder_rejects_flags_and_oversize_from_the_header_alone() -> None:
    with pytest.raises(FramingError, match="flags 0x01"):
        FrameDecoder(100).feed(b"\x01\x00\x00\x00\x01")
    with pytest.raises(FramingError, match="frame length 101 exceeds"):
        FrameDecoder(100).feed(encode_header(101))
    assert FrameDecoder(100).feed(encode_header(100)) == []


def test_varint_and_fields_match_the_protobuf_encoder() -> None:
    assert encode_varint(0) == b"\x00"
    assert encode_varint(300) == b"\xac\x02"
    assert encode_varint((1 << 64) - 1) == b"\xff" * 9 + b"\x01"
    with pytest.raises(ValueError):
        encode_varint(-1)
    hello = protocol_pb2.Hello(token="t", client_name="c", protocol_version=1)
    handmade = len_field(1, b"t") + len_field(2, b"c") + varint_field(3, 1)
    assert handmade == hello.SerializeToString()
    frame = protocol_pb2.ClientFrame(hello=hello)
    assert len_field(1, handmade) == frame.SerializeToString()
    assert tag(2, 2) == b"\x12"
