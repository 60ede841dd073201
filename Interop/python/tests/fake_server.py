"""A tiny scripted stand-in for the gateway, to test the client's own logic without the real binary.

It speaks just enough of junction/1 (TLS with ALPN, Hello/Welcome, publish
acks, one subscription kind, credits, ping, close) and can be told to break
the protocol, so the client's checks can be exercised. It is not a model of
the gateway: behaviour tests run against the real binary.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from pathlib import Path
from typing import List, Optional

from junction_client import FrameDecoder, encode_frame, protocol_pb2


def make_certificates(directory: Path) -> "tuple[Path, Path, Path]":
    """Creates a CA and a server certificate for localhost/127.0.0.1 with the openssl CLI; returns (ca, cert, key)."""
    ca_key, ca_cert = directory / "ca.key", directory / "ca.pem"
    key, csr, cert = directory / "server.key", directory / "server.csr", directory / "server.pem"
    ext = directory / "ext.cnf"
    ext.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)

    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
        "-subj", "/CN=fake test CA", "-keyout", str(ca_key), "-out", str(ca_cert))
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(csr))
    run("x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key), "-CAcreateserial",
        "-days", "2", "-extfile", str(ext), "-out", str(cert))
    return ca_cert, cert, key


class FakeServer:
    """Serves one connection at a time on 127.0.0.1 in a background thread."""

    def __init__(self, cert: Path, key: Path, *, token: str = "tok", alpn: Optional[str] = "junction/1",
                 over_deliver: int = 0, reverse_acks: bool = False) -> None:
        self.token = token
        self.over_deliver = over_deliver
        self.reverse_acks = reverse_acks
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_3
        self.context.load_cert_chain(str(cert), str(key))
        if alpn:
            self.context.set_alpn_protocols([alpn])
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(10.0)
        self.port = self.listener.getsockname()[1]
        self.received: List[protocol_pb2.ClientFrame] = []
        self.errors: List[BaseException] = []
        self._thread = threading.Thread(target=self._serve, name="fake-gateway", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.listener.close()
        self._thread.join(timeout=10.0)

    def _serve(self) -> None:
        try:
            raw, _ = self.listener.accept()
        except OSError:
            return
        raw.settimeout(10.0)
        try:
            with self.context.wrap_socket(raw, server_side=True) as conn:
                self._converse(conn)
        except (OSError, ssl.SSLError) as error:
            self.errors.append(error)

    def _send(self, conn: ssl.SSLSocket, **member: object) -> None:
        conn.sendall(encode_frame(protocol_pb2.ServerFrame(**member).SerializeToString()))

    def _converse(self, conn: ssl.SSLSocket) -> None:
        decoder = FrameDecoder(1 << 20)
        held_acks: List[protocol_pb2.PublishAck] = []
        credits = 0
        subscription_id = 0
        delivered = 0
        for _ in range(10_000):
            data = conn.recv(65536)
            if not data:
                return
            for payload in decoder.feed(data):
                frame = protocol_pb2.ClientFrame.FromString(payload)
                self.received.append(frame)
                kind = frame.WhichOneof("frame")
                if kind == "hello":
                    if frame.hello.token != self.token:
                        self._send(conn, error=protocol_pb2.Error(
                            code=protocol_pb2.ERROR_UNAUTHENTICATED, message="token does not identify an account", fatal=True))
                        return
                    self._send(conn, welcome=protocol_pb2.Welcome(
                        protocol_version=1, server="fake", account="acct", max_frame_bytes=1 << 20,
                        max_batch_events=100, max_event_bytes=1 << 18, max_credits=1000, session_id="s1"))
                elif kind == "publish":
                    results = []
                    for index, event in enumerate(frame.publish.events):
                        if event.source:
                            results.append(protocol_pb2.EventResult(id=event.id or f"gen-{index}", position=index + 1))
                        else:
                            results.append(protocol_pb2.EventResult(
                                id=event.id, code=protocol_pb2.REJECT_INVALID_EVENT, message="source: required, is empty"))
                    ack = protocol_pb2.PublishAck(batch_id=frame.publish.batch_id, results=results,
                                                  accepted=sum(1 for r in results if r.code == 0))
                    if self.reverse_acks:
                        held_acks.append(ack)
                        if len(held_acks) == 2:
                            for held in reversed(held_acks):
                                self._send(conn, publish_ack=held)
                            held_acks.clear()
                    else:
                        self._send(conn, publish_ack=ack)
                elif kind == "subscribe":
                    subscription_id = frame.subscribe.subscription_id
                    credits = frame.subscribe.credits
                    self._send(conn, subscribed=protocol_pb2.Subscribed(subscription_id=subscription_id, queue_limit=10))
                    count = credits + self.over_deliver
                    deliveries = [protocol_pb2.Delivery(delivery_id=delivered + i + 1, attempt=1)
                                  for i in range(count)]
                    delivered += count
                    self._send(conn, deliveries=protocol_pb2.Deliveries(subscription_id=subscription_id, deliveries=deliveries))
                elif kind == "ping":
                    self._send(conn, pong=protocol_pb2.Pong(nonce=frame.ping.nonce))
                elif kind == "close":
                    self._send(conn, closing=protocol_pb2.Closing(reason="client asked"))
                    return
