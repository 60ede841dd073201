"""Exception types raised by the Junction Python client.

Every exception the client raises on purpose derives from :class:`JunctionError`.
Errors the server reports in an ``Error`` frame carry the frame's ``code``
(a ``junction.v1.ErrorCode`` value) and ``message``.
"""

from __future__ import annotations

from typing import Optional

from .gen import protocol_pb2


def error_code_name(code: int) -> str:
    """Returns the protobuf name of an ``ErrorCode`` value, or ``"ERROR_<n>"`` for an unknown one."""
    try:
        return protocol_pb2.ErrorCode.Name(code)
    except ValueError:
        return f"ERROR_{code}"


class JunctionError(Exception):
    """Base class of every error of this client.

    ``code`` is a ``junction.v1.ErrorCode`` value when the error comes from the
    server (``ERROR_UNSPECIFIED``, 0, otherwise) and ``message`` the human text.
    """

    def __init__(self, message: str, code: int = protocol_pb2.ERROR_UNSPECIFIED) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    @property
    def code_name(self) -> str:
        """The name of ``code``, for example ``"ERROR_UNAUTHENTICATED"``."""
        return error_code_name(self.code)

    def __str__(self) -> str:
        if self.code != protocol_pb2.ERROR_UNSPECIFIED:
            return f"{self.code_name}: {self.message}"
        return self.message


class ServerError(JunctionError):
    """The server sent an ``Error`` frame.

    ``fatal`` is true when the server closes the connection after the frame;
    ``subscription_id`` / ``batch_id`` are set when the error concerns one
    subscription stream or one publish batch.
    """

    def __init__(
        self,
        code: int,
        message: str,
        *,
        fatal: bool,
        subscription_id: int = 0,
        batch_id: int = 0,
    ) -> None:
        super().__init__(message, code)
        self.fatal = fatal
        self.subscription_id = subscription_id
        self.batch_id = batch_id

    @classmethod
    def from_frame(cls, frame: "protocol_pb2.Error") -> "ServerError":
        """Builds the exception from a decoded ``junction.v1.Error`` message."""
        return cls(
            frame.code,
            frame.message,
            fatal=frame.fatal,
            subscription_id=frame.subscription_id,
            batch_id=frame.batch_id,
        )


class ConnectionClosed(JunctionError):
    """The connection is closed, so the operation cannot complete.

    When the server closed it after a fatal ``Error`` frame, ``server_error`` is
    that error and ``code``/``message`` repeat its code and message.
    """

    def __init__(self, message: str, server_error: Optional[ServerError] = None) -> None:
        if server_error is not None:
            super().__init__(f"{message} after server error {server_error}", server_error.code)
            self.message = server_error.message
        else:
            super().__init__(message)
        self.server_error = server_error
        self.description = message

    def __str__(self) -> str:
        if self.server_error is not None:
            return f"{self.description} after server error {self.server_error}"
        return self.description


class ProtocolViolation(JunctionError):
    """The server sent something the protocol does not allow (the message says what).

    The client closes the connection when it detects one.
    """


class FramingError(ProtocolViolation):
    """A frame header or body from the server is invalid (flags set, length over the limit, bad protobuf)."""


class TlsError(JunctionError):
    """The TLS connection could not be established or broke (certificate, ALPN, version, record error)."""


class JunctionTimeout(JunctionError, TimeoutError):
    """An operation did not complete within its timeout."""


class SubscriptionClosed(JunctionError):
    """The subscription stream is closed (unsubscribed, closed by the server, or the connection closed).

    ``reason`` is the server's ``Unsubscribed.reason`` when it gave one.
    """

    def __init__(self, message: str, reason: str = "", code: int = protocol_pb2.ERROR_UNSPECIFIED) -> None:
        super().__init__(message, code)
        self.reason = reason


class AdminError(JunctionError):
    """The gateway refused an administrative request (``AdminResponse`` with ``ok`` false).

    ``code`` is the ``ErrorCode`` (for example ``ERROR_INCOMPATIBLE_SCHEMA``),
    ``details`` the response document (a dict; for a refused schema
    registration ``{"violations": [{"path", "rule", "message", ...}]}``).
    """

    def __init__(self, operation: str, code: int, message: str, details: Optional[dict] = None) -> None:
        super().__init__(f"{operation}: {message}", code)
        self.operation = operation
        self.details = details or {}

    @property
    def violations(self) -> list:
        """The violations of a refused schema registration (empty otherwise)."""
        return list(self.details.get("violations", []))
