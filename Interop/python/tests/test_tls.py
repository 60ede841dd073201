"""TLS on the gateway port: TLS 1.3, ALPN junction/1, certificate names, plaintext clients."""

from __future__ import annotations

import socket
import ssl
import time

import pytest

from junction_client import JunctionClient, TlsError, encode_frame, make_event, make_tls_context, protocol_pb2

WAIT = 10.0


def test_tls13_and_alpn_are_negotiated(clients) -> None:
    client = clients()
    assert client.transport.tls_version == "TLSv1.3"
    assert client.transport.alpn_protocol == "junction/1"
    assert client.welcome.protocol_version == 1
    assert client.welcome.max_frame_bytes > 0 and client.welcome.max_batch_events > 0
    assert client.welcome.max_credits > 0 and client.welcome.max_event_bytes > 0


def test_certificate_names_localhost_and_loopback(gateway, clients) -> None:
    clients(server_hostname="localhost").ping(timeout=WAIT)
    clients(server_hostname="127.0.0.1").ping(timeout=WAIT)
    with pytest.raises(TlsError, match="certificate"):
        gateway.connect(server_hostname="not-the-gateway.example")


def test_untrusted_ca_is_refused(gateway) -> None:
    with pytest.raises(TlsError, match="certificate"):
        JunctionClient.connect(gateway.host, gateway.port, token=gateway.token, ca_file=None, timeout=WAIT)


def test_tls12_only_client_is_refused_by_default(gateway, clients) -> None:
    context = make_tls_context(gateway.ca_file, minimum_version=ssl.TLSVersion.TLSv1_2)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with pytest.raises(TlsError):
        gateway.connect(context=context)
    clients().ping(timeout=WAIT)


def test_plaintext_client_on_the_tls_port_is_closed(gateway, clients, unique) -> None:
    survivor = clients()
    hello = protocol_pb2.ClientFrame(hello=protocol_pb2.Hello(token=gateway.token, protocol_version=1))
    with socket.create_connection((gateway.host, gateway.port), timeout=WAIT) as sock:
        sock.sendall(encode_frame(hello.SerializeToString()))
        received = b""
        closed = False
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and len(received) < 1 << 16:
            try:
                chunk = sock.recv(4096)
            except ConnectionResetError:
                closed = True
                break
            except socket.timeout:
                break
            if not chunk:
                closed = True
                break
            received += chunk
    assert closed, f"the gateway kept a plaintext connection open ({len(received)} bytes received)"
    assert not received.startswith(b"\x00"), "the gateway answered plaintext with a Junction frame"

    fresh = clients()
    fresh.ping(timeout=WAIT)
    assert fresh.publish([make_event(unique("com.example.tls"), "AfterPlaintext")], timeout=WAIT).all_accepted
    survivor.ping(timeout=WAIT)
