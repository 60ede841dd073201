"""Frames the gateway must refuse: an Error frame naming the problem, then that connection (only) closes."""

from __future__ import annotations

import pytest

from junction_client import JunctionClient, ServerError, error_code_name, make_event, protocol_pb2
from junction_client.wire import len_field, varint_field

WAIT = 10.0


def fatal_error(raw, *, timeout: float = WAIT) -> "protocol_pb2.Error":
    """Reads until the server closes; returns the Error frame it sent before closing."""
    frames = raw.read_until_closed(timeout)
    kinds = [f.WhichOneof("frame") for f in frames]
    errors = [f.error for f in frames if f.WhichOneof("frame") == "error"]
    assert errors, f"the server closed without an Error frame (frames before close: {kinds})"
    assert kinds[-1] == "error", f"frames after the Error frame: {kinds}"
    error = errors[-1]
    assert error.fatal, f"a connection-closing error must have fatal = true: {error}"
    assert error.message, "the Error frame's message must name the problem"
    return error


def assert_still_serving(client: JunctionClient, source: str) -> None:
    """An already-connected client keeps working: ping, and a publish is accepted."""
    client.ping(timeout=WAIT)
    result = client.publish([make_event(source, "StillHere", {"ok": True})], timeout=WAIT)
    assert result.all_accepted, result.rejected


def frame_with_non_utf8_source() -> bytes:
    """A ClientFrame whose PublishBatch holds an event with source = b"orders\\xff" (not UTF-8)."""
    event = len_field(2, b"orders\xff\xfe") + len_field(3, b"Placed")
    batch = varint_field(1, 1) + len_field(2, event)
    return len_field(2, batch)


def hello_with_non_utf8_client_name(token: str) -> bytes:
    return len_field(1, len_field(1, token.encode()) + len_field(2, b"client\xc3\x28") + varint_field(3, 1))


# Each case: what to send after Hello, the code expected, words the message must contain (any of them).
AFTER_HELLO_CASES = {
    "garbage protobuf": (lambda raw, welcome: raw.send_payload(b"\x12\x7f" + b"truncated"), "ERROR_MALFORMED_FRAME", ()),
    "invalid wire type": (lambda raw, welcome: raw.send_payload(b"\x0f\x00\x00\x00"), "ERROR_MALFORMED_FRAME", ()),
    "non-UTF-8 string field": (lambda raw, welcome: raw.send_payload(frame_with_non_utf8_source()), "ERROR_INVALID_UTF8", ("utf", "source")),
    "oversize frame header": (
        lambda raw, welcome: raw.send_header(welcome.max_frame_bytes + 1),
        "ERROR_FRAME_TOO_LARGE",
        None,  # checked below: the message names the length or the maximum
    ),
    "length field at its maximum": (lambda raw, welcome: raw.send_header(0xFFFFFFFF), "ERROR_FRAME_TOO_LARGE", ("4294967295",)),
    "flag bit set": (
        lambda raw, welcome: raw.send_payload(protocol_pb2.ClientFrame(ping=protocol_pb2.Ping(nonce=1)).SerializeToString(), flags=1),
        "ERROR_UNSUPPORTED_FLAGS",
        (),
    ),
    "second Hello": (
        lambda raw, welcome: raw.send_frame(protocol_pb2.ClientFrame(hello=protocol_pb2.Hello(token="x"))),
        "ERROR_HELLO_REQUIRED",
        (),
    ),
}


@pytest.mark.parametrize("case", list(AFTER_HELLO_CASES))
def test_bad_frame_after_hello_gets_an_error_then_close(case, gateway, clients, unique) -> None:
    survivor = clients()
    send, expected, words = AFTER_HELLO_CASES[case]
    with gateway.raw() as raw:
        welcome = raw.hello(gateway.token)
        send(raw, welcome)
        error = fatal_error(raw)
    assert error_code_name(error.code) == expected, f"{case}: got {error_code_name(error.code)}: {error.message}"
    if words is None:
        limit = welcome.max_frame_bytes
        assert str(limit) in error.message or str(limit + 1) in error.message, error.message
    elif words:
        assert any(w in error.message.lower() for w in words), f"{case}: message {error.message!r} names none of {words}"
    assert_still_serving(survivor, unique("com.example.survivor"))


BEFORE_HELLO_CASES = {
    "first frame is not Hello": (
        lambda raw, token: raw.send_frame(protocol_pb2.ClientFrame(ping=protocol_pb2.Ping(nonce=7))),
        "ERROR_HELLO_REQUIRED",
    ),
    "oversize header before Hello": (lambda raw, token: raw.send_header(0x7FFFFFFF), "ERROR_FRAME_TOO_LARGE"),
    "garbage instead of Hello": (lambda raw, token: raw.send_payload(b"\xff" * 16), "ERROR_MALFORMED_FRAME"),
    "non-UTF-8 client name": (lambda raw, token: raw.send_payload(hello_with_non_utf8_client_name(token)), "ERROR_INVALID_UTF8"),
    "wrong token": (
        lambda raw, token: raw.send_frame(protocol_pb2.ClientFrame(hello=protocol_pb2.Hello(token="not-" + token))),
        "ERROR_UNAUTHENTICATED",
    ),
}


@pytest.mark.parametrize("case", list(BEFORE_HELLO_CASES))
def test_bad_first_frame_gets_an_error_then_close(case, gateway, clients, unique) -> None:
    survivor = clients()
    send, expected = BEFORE_HELLO_CASES[case]
    with gateway.raw() as raw:
        send(raw, gateway.token)
        error = fatal_error(raw)
    assert error_code_name(error.code) == expected, f"{case}: got {error_code_name(error.code)}: {error.message}"
    assert_still_serving(survivor, unique("com.example.survivor"))


def test_wrong_token_raises_unauthenticated_and_closes(gateway) -> None:
    with pytest.raises(ServerError) as caught:
        gateway.connect(token="definitely-not-the-token")
    assert caught.value.code == protocol_pb2.ERROR_UNAUTHENTICATED, caught.value
    assert caught.value.fatal
    assert caught.value.message


def test_client_sees_the_fatal_error_and_the_close(gateway, clients, unique) -> None:
    survivor = clients()
    victim = gateway.connect()
    try:
        victim.send_frame_payload(b"\x12\x7f" + b"garbage")
        assert victim.wait_closed(WAIT), "the server did not close the connection after a malformed frame"
        assert victim.fatal_error is not None
        assert victim.fatal_error.code == protocol_pb2.ERROR_MALFORMED_FRAME
        assert victim.end_error is not None and victim.end_error.code == protocol_pb2.ERROR_MALFORMED_FRAME
    finally:
        victim.abort()
    assert_still_serving(survivor, unique("com.example.survivor"))


def test_configured_max_frame_bytes_is_announced_and_enforced(private_gateway, unique) -> None:
    limit = 64 * 1024
    gateway = private_gateway("--max-frame-bytes", str(limit))
    source = unique("com.example.limit")
    with gateway.connect() as survivor:
        assert survivor.welcome.max_frame_bytes == limit
        fits = survivor.publish([make_event(source, "Fits", b"x" * (limit - 1024))], timeout=WAIT)
        assert fits.all_accepted, fits.rejected
        with gateway.raw() as raw:
            raw.hello(gateway.token)
            frame = protocol_pb2.ClientFrame(
                publish=protocol_pb2.PublishBatch(batch_id=1, events=[make_event(source, "TooBig", b"x" * limit)])
            )
            raw.send_frame(frame)
            error = fatal_error(raw)
        assert error.code == protocol_pb2.ERROR_FRAME_TOO_LARGE, error
        assert str(limit) in error.message, error.message
        assert_still_serving(survivor, source)
