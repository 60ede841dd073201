"""A bare TLS connection for protocol tests: send any bytes or frames, read server frames one at a time.

Single-threaded and without bookkeeping, so a test can send what a correct
client never would (garbage, oversize headers, frames before Hello) and see
exactly what the server answers.
"""

from __future__ import annotations

import time
from typing import List, Optional

from google.protobuf.message import DecodeError

from .errors import FramingError, JunctionTimeout, ServerError
from .framing import FrameDecoder, encode_frame, encode_header
from .gen import protocol_pb2
from .transport import TlsTransport

_POLL_SECONDS = 0.05


class RawConnection:
    """A TLS connection to the gateway with manual framing."""

    def __init__(self, transport: TlsTransport, max_inbound_frame_bytes: int = 64 * 1024 * 1024) -> None:
        self.transport = transport
        self._decoder = FrameDecoder(max_inbound_frame_bytes)
        self._frames: List[bytes] = []
        self._eof = False

    @classmethod
    def connect(
        cls,
        host: str,
        port: int,
        *,
        ca_file: Optional[str],
        server_hostname: Optional[str] = None,
        timeout: float = 10.0,
    ) -> "RawConnection":
        """Connects and completes the TLS handshake; sends nothing else."""
        return cls(TlsTransport.connect(host, port, ca_file=ca_file, server_hostname=server_hostname, timeout=timeout))

    # -- sending --------------------------------------------------------------------------------

    def send_raw(self, data: bytes) -> None:
        """Sends ``data`` inside TLS with no framing."""
        self.transport.send(data)

    def send_header(self, length: int, flags: int = 0) -> None:
        """Sends only a frame header announcing ``length`` bytes."""
        self.transport.send(encode_header(length, flags))

    def send_payload(self, payload: bytes, flags: int = 0) -> None:
        """Sends ``payload`` (any bytes) as one frame."""
        self.transport.send(encode_frame(payload, flags))

    def send_frame(self, frame: "protocol_pb2.ClientFrame", flags: int = 0) -> None:
        """Sends one ``ClientFrame``."""
        self.send_payload(frame.SerializeToString(), flags)

    def hello(self, token: str, client_name: str = "junction-python-raw", timeout: float = 10.0) -> "protocol_pb2.Welcome":
        """Sends ``Hello`` and returns the ``Welcome``; raises :class:`ServerError` on an ``Error`` answer."""
        self.send_frame(
            protocol_pb2.ClientFrame(hello=protocol_pb2.Hello(token=token, client_name=client_name, protocol_version=1))
        )
        frame = self.read_frame(timeout)
        if frame is None:
            raise ServerError(protocol_pb2.ERROR_UNSPECIFIED, "connection closed instead of Welcome", fatal=True)
        kind = frame.WhichOneof("frame")
        if kind == "error":
            raise ServerError.from_frame(frame.error)
        if kind != "welcome":
            raise FramingError(f"expected Welcome after Hello, got {kind}")
        return frame.welcome

    # -- receiving ------------------------------------------------------------------------------

    def read_frame(self, timeout: float) -> Optional["protocol_pb2.ServerFrame"]:
        """Returns the next server frame, or ``None`` when the connection ended first.

        Raises :class:`JunctionTimeout` if neither happens within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while not self._frames:
            if self._eof:
                return None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise JunctionTimeout(f"no server frame and no close within {timeout}s")
            data = self.transport.receive(min(remaining, _POLL_SECONDS * 20))
            if data is None:
                self._eof = True
                continue
            if data:
                self._frames.extend(self._decoder.feed(data))
        payload = self._frames.pop(0)
        try:
            return protocol_pb2.ServerFrame.FromString(payload)
        except DecodeError as error:
            raise FramingError(f"server frame of {len(payload)} bytes is not a valid ServerFrame: {error}") from error

    def read_until_closed(self, timeout: float, max_frames: int = 10_000) -> List["protocol_pb2.ServerFrame"]:
        """Reads frames until the server closes the connection; returns them.

        Raises :class:`JunctionTimeout` if the connection is still open after
        ``timeout`` seconds, or after ``max_frames`` frames.
        """
        deadline = time.monotonic() + timeout
        frames: List[protocol_pb2.ServerFrame] = []
        for _ in range(max_frames):
            frame = self.read_frame(max(deadline - time.monotonic(), 0.0))
            if frame is None:
                return frames
            frames.append(frame)
        raise JunctionTimeout(f"connection still open after {max_frames} frames")

    @property
    def at_eof(self) -> bool:
        """True once the server has closed the connection."""
        return self._eof

    def close(self) -> None:
        """Closes the connection (TLS close_notify, then the socket)."""
        self.transport.close()

    def __enter__(self) -> "RawConnection":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
