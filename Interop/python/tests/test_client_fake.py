"""The client's own checks, against a scripted fake server (no gateway binary needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from fake_server import FakeServer, make_certificates
from junction_client import (
    ConnectionClosed,
    JunctionClient,
    ProtocolViolation,
    ServerError,
    TlsError,
    make_event,
    protocol_pb2,
)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> "tuple[Path, Path, Path]":
    return make_certificates(tmp_path_factory.mktemp("fake-certs"))


@pytest.fixture
def fake(certificates) -> Iterator[object]:
    servers = []

    def start(**options) -> FakeServer:
        _, cert, key = certificates
        server = FakeServer(cert, key, **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def connect(server: FakeServer, ca: Path, **options) -> JunctionClient:
    options.setdefault("token", "tok")
    return JunctionClient.connect("127.0.0.1", server.port, ca_file=str(ca), timeout=5.0, **options)


def test_session_publish_ping_and_graceful_close(fake, certificates) -> None:
    ca = certificates[0]
    server = fake()
    client = connect(server, ca)
    assert client.account == "acct"
    assert client.transport.tls_version == "TLSv1.3"
    assert client.transport.alpn_protocol == "junction/1"
    result = client.publish([make_event("s", "t", {"a": 1}), make_event("", "t")])
    assert [o.accepted for o in result] == [True, False]
    assert result[1].code_name == "REJECT_INVALID_EVENT"
    pipelined = client.publish_pipelined([[make_event("s", "t")]] * 20, max_in_flight=5)
    assert [r.batch_id for r in pipelined] == list(range(2, 22))
    assert client.ping(timeout=5.0) >= 0
    assert client.close(timeout=5.0) == "client asked"
    assert server.received[0].hello.protocol_version == 1
    assert server.received[-1].WhichOneof("frame") == "close"
    with pytest.raises(ConnectionClosed):
        client.ping(timeout=1.0)


def test_fatal_error_before_welcome_raises_server_error(fake, certificates) -> None:
    server = fake()
    with pytest.raises(ServerError) as caught:
        connect(server, certificates[0], token="wrong")
    assert caught.value.code == protocol_pb2.ERROR_UNAUTHENTICATED
    assert caught.value.fatal


def test_over_delivery_is_a_protocol_violation(fake, certificates) -> None:
    server = fake(over_deliver=1)
    client = connect(server, certificates[0])
    try:
        stream = client.subscribe(credits=3)
        assert client.wait_closed(5.0)
        assert isinstance(client.end_error, ProtocolViolation)
        assert "4 deliveries but only 3 credits" in str(client.end_error)
        assert len(stream.drain()) == 4
    finally:
        client.abort()


def test_acks_out_of_order_are_a_protocol_violation(fake, certificates) -> None:
    server = fake(reverse_acks=True)
    client = connect(server, certificates[0])
    try:
        first = client.publish_async([make_event("s", "t")])
        client.publish_async([make_event("s", "t")])
        with pytest.raises(ProtocolViolation, match="before the ack of batch 1"):
            first.result(5.0)
    finally:
        client.abort()


def test_wrong_hostname_and_missing_alpn_are_refused(fake, certificates) -> None:
    ca = certificates[0]
    server = fake()
    with pytest.raises(TlsError, match="certificate"):
        connect(server, ca, server_hostname="not-the-server.example")
    server = fake(alpn=None)
    with pytest.raises(TlsError, match="ALPN"):
        connect(server, ca)
