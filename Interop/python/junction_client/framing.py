"""Junction framing: 1 flag byte, a 4-byte big-endian length, then one protobuf message.

Pure functions and a streaming decoder; no I/O.
"""

from __future__ import annotations

import struct
from typing import List

from .errors import FramingError

HEADER_SIZE = 5
"""Bytes in a frame header: one flag byte and a 32-bit big-endian length."""

MAX_LENGTH_FIELD = 0xFFFF_FFFF
"""Largest value the 32-bit length field can hold."""

_HEADER = struct.Struct(">BI")


def encode_header(length: int, flags: int = 0) -> bytes:
    """Returns a 5-byte frame header.

    ``length`` may be any value the header can hold (0 to 2**32 - 1), including
    lengths over a server's maximum: tests use that to send oversize headers.
    """
    if not 0 <= flags <= 0xFF:
        raise ValueError(f"frame flags must be 0...255, got {flags}")
    if not 0 <= length <= MAX_LENGTH_FIELD:
        raise ValueError(f"frame length must be 0...{MAX_LENGTH_FIELD}, got {length}")
    return _HEADER.pack(flags, length)


def encode_frame(payload: bytes, flags: int = 0) -> bytes:
    """Returns ``payload`` (one serialized protobuf message) with its frame header in front."""
    return encode_header(len(payload), flags) + payload


class FrameDecoder:
    """Splits a byte stream into frame payloads.

    Feed it bytes as they arrive; it returns every complete payload. The header
    is checked before the body is buffered: a set flag bit or a length over
    ``max_frame_bytes`` raises :class:`FramingError` at once.
    """

    def __init__(self, max_frame_bytes: int) -> None:
        if max_frame_bytes <= 0:
            raise ValueError(f"max_frame_bytes must be positive, got {max_frame_bytes}")
        self.max_frame_bytes = max_frame_bytes
        self._buffer = bytearray()
        self._need: int = -1  # body length of the frame being read, -1 while reading a header

    @property
    def buffered(self) -> int:
        """Bytes received that are not yet part of a returned payload."""
        return len(self._buffer)

    def feed(self, data: bytes) -> List[bytes]:
        """Adds ``data`` and returns the payloads of the frames it completes, in order."""
        self._buffer += data
        frames: List[bytes] = []
        offset = 0
        buffer = self._buffer
        available = len(buffer)
        while True:
            if self._need < 0:
                if available - offset < HEADER_SIZE:
                    break
                flags, length = _HEADER.unpack_from(buffer, offset)
                if flags != 0:
                    raise FramingError(
                        f"frame header has flags 0x{flags:02x}; version 1 defines no flags (all bits must be 0)"
                    )
                if length > self.max_frame_bytes:
                    raise FramingError(
                        f"frame length {length} exceeds the client's maximum of {self.max_frame_bytes} bytes"
                    )
                offset += HEADER_SIZE
                self._need = length
            if available - offset < self._need:
                break
            frames.append(bytes(buffer[offset : offset + self._need]))
            offset += self._need
            self._need = -1
        if offset:
            del buffer[:offset]
        return frames
