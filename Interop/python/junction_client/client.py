"""The Junction client: one TLS connection carrying publishes and subscription streams."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, TimeoutError as FutureTimeout
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from google.protobuf.message import DecodeError

from .errors import (
    AdminError,
    ConnectionClosed,
    FramingError,
    JunctionError,
    JunctionTimeout,
    ProtocolViolation,
    ServerError,
    SubscriptionClosed,
)
from .events import BatchResult, EventOutcome
from .framing import FrameDecoder, encode_frame
from .gen import event_pb2, protocol_pb2
from .subscription import Subscription
from .transport import TlsTransport, make_tls_context

PROTOCOL_VERSION = 1
DEFAULT_CLIENT_NAME = "junction-python/1.0"
DEFAULT_MAX_INBOUND_FRAME_BYTES = 64 * 1024 * 1024
"""Largest server frame this client accepts unless told otherwise (deliveries frames can exceed the server's inbound maximum)."""

_READ_POLL_SECONDS = 0.2


def _result(future: Future, timeout: Optional[float], what: str) -> Any:
    try:
        return future.result(timeout)
    except FutureTimeout as error:
        raise JunctionTimeout(f"{what}: no answer within {timeout}s") from error


class PendingBatch:
    """A publish batch that was sent and whose ``PublishAck`` may not have arrived yet."""

    def __init__(self, batch_id: int, event_count: int) -> None:
        self.batch_id = batch_id
        self.event_count = event_count
        self._future: Future = Future()

    def done(self) -> bool:
        """True once the ack (or a failure) has arrived."""
        return self._future.done()

    def result(self, timeout: Optional[float] = None) -> BatchResult:
        """Waits up to ``timeout`` seconds for the ack and returns the per-event outcomes.

        Raises :class:`ServerError` when the server answered the batch with an
        ``Error`` frame, :class:`ConnectionClosed` when the connection ended
        first, :class:`JunctionTimeout` on timeout.
        """
        return _result(self._future, timeout, f"publish batch {self.batch_id}")


class JunctionClient:
    """A connection to a Junction gateway.

    Create with :meth:`connect`. All methods may be called from any thread. A
    background reader thread decodes server frames and completes the waiting
    calls. Use it as a context manager to close it gracefully.
    """

    def __init__(
        self,
        transport: TlsTransport,
        *,
        max_inbound_frame_bytes: int = DEFAULT_MAX_INBOUND_FRAME_BYTES,
    ) -> None:
        self._transport = transport
        self._decoder = FrameDecoder(max_inbound_frame_bytes)
        self._lock = threading.Lock()  # guards every table below and the end state
        self._publish_lock = threading.Lock()  # keeps batch ids, registration and sends in one order
        self._batch_ids = itertools.count(1)
        self._subscription_ids = itertools.count(1)
        self._nonces = itertools.count(1)
        self._pending_batches: "OrderedDict[int, PendingBatch]" = OrderedDict()
        self._pending_subscribes: Dict[int, Future] = {}
        self._pending_unsubscribes: Dict[int, Future] = {}
        self._subscriptions: Dict[int, Subscription] = {}
        self._known_subscription_ids: set = set()
        self._pings: Dict[int, Future] = {}
        self._admin_ids = itertools.count(1)
        self._admin_requests: Dict[int, Future] = {}
        self._welcome_future: Future = Future()
        self._welcome: Optional[protocol_pb2.Welcome] = None
        self._fatal_error: Optional[ServerError] = None
        self._closing_reason: Optional[str] = None
        self._end_error: Optional[JunctionError] = None
        self._ended = threading.Event()
        self._stopping = False
        self._close_sent = False
        self._nonfatal_errors: List[ServerError] = []
        self._frames_received = 0
        self._reader = threading.Thread(target=self._read_loop, name="junction-client-reader", daemon=True)

    # -- connecting -----------------------------------------------------------------------------

    @classmethod
    def connect(
        cls,
        host: str,
        port: int,
        *,
        token: str,
        ca_file: Optional[str],
        server_hostname: Optional[str] = None,
        client_name: str = DEFAULT_CLIENT_NAME,
        timeout: float = 10.0,
        io_timeout: float = 30.0,
        context: Optional[Any] = None,
        max_inbound_frame_bytes: int = DEFAULT_MAX_INBOUND_FRAME_BYTES,
    ) -> "JunctionClient":
        """Connects over TLS, sends ``Hello`` and waits for ``Welcome``.

        ``ca_file`` is the PEM file of CAs trusted for the server certificate
        (``None``: the system trust store; ``context`` replaces the TLS
        settings entirely, see :func:`make_tls_context`). ``server_hostname``
        is checked against the certificate (default ``host``). ``timeout``
        bounds connect, handshake and Hello; ``io_timeout`` each later send.

        Raises :class:`ServerError` when the server refuses the session (for
        example ``ERROR_UNAUTHENTICATED`` for a bad token), :class:`TlsError`,
        :class:`ConnectionClosed` or :class:`JunctionTimeout` otherwise.
        """
        deadline = time.monotonic() + timeout
        transport = TlsTransport.connect(
            host,
            port,
            ca_file=ca_file,
            server_hostname=server_hostname,
            timeout=timeout,
            io_timeout=io_timeout,
            context=context,
        )
        client = cls(transport, max_inbound_frame_bytes=max_inbound_frame_bytes)
        client._reader.start()
        try:
            client._send_frame(
                protocol_pb2.ClientFrame(
                    hello=protocol_pb2.Hello(token=token, client_name=client_name, protocol_version=PROTOCOL_VERSION)
                )
            )
            client._welcome = _result(
                client._welcome_future, max(deadline - time.monotonic(), 0.001), f"Hello to {host}:{port}"
            )
        except BaseException:
            client.abort()
            raise
        return client

    # -- information ----------------------------------------------------------------------------

    @property
    def welcome(self) -> "protocol_pb2.Welcome":
        """The server's ``Welcome``: account, limits, session id."""
        assert self._welcome is not None
        return self._welcome

    @property
    def account(self) -> str:
        """The account this connection publishes and subscribes as."""
        return self.welcome.account

    @property
    def transport(self) -> TlsTransport:
        """The TLS transport (negotiated version, ALPN, cipher)."""
        return self._transport

    @property
    def fatal_error(self) -> Optional[ServerError]:
        """The fatal ``Error`` the server sent before closing, if any."""
        with self._lock:
            return self._fatal_error

    @property
    def nonfatal_errors(self) -> List[ServerError]:
        """Non-fatal server errors that concerned no pending request of this client."""
        with self._lock:
            return list(self._nonfatal_errors)

    @property
    def closing_reason(self) -> Optional[str]:
        """The reason of the server's ``Closing`` frame, once received."""
        with self._lock:
            return self._closing_reason

    @property
    def closed(self) -> bool:
        """True once the connection has ended."""
        return self._ended.is_set()

    @property
    def end_error(self) -> Optional[JunctionError]:
        """Why the connection ended (``None`` while it is open)."""
        with self._lock:
            return self._end_error

    def wait_closed(self, timeout: float) -> bool:
        """Waits up to ``timeout`` seconds for the connection to end; returns whether it has."""
        return self._ended.wait(timeout)

    # -- publishing -----------------------------------------------------------------------------

    def publish_async(self, events: Iterable["event_pb2.Event"], *, bus: str = "") -> PendingBatch:
        """Sends one ``PublishBatch`` without waiting for its ack.

        Batches are pipelined: call it many times, then wait on the returned
        :class:`PendingBatch` objects. ``bus`` applies to events whose own
        ``bus`` is empty (empty: ``"default"``).
        """
        batch = list(events)
        if not batch:
            raise ValueError("a publish batch needs at least one event")
        if self._welcome is not None and self._welcome.max_batch_events and len(batch) > self._welcome.max_batch_events:
            raise ValueError(
                f"a publish batch holds at most {self._welcome.max_batch_events} events (Welcome.max_batch_events), got {len(batch)}"
            )
        with self._publish_lock:
            batch_id = next(self._batch_ids)
            pending = PendingBatch(batch_id, len(batch))
            with self._lock:
                if self._ended.is_set():
                    raise self._closed_error()
                self._pending_batches[batch_id] = pending
            frame = protocol_pb2.ClientFrame(
                publish=protocol_pb2.PublishBatch(batch_id=batch_id, events=batch, bus=bus)
            )
            try:
                self._send_frame(frame)
            except BaseException:
                with self._lock:
                    self._pending_batches.pop(batch_id, None)
                raise
        return pending

    def publish(self, events: Iterable["event_pb2.Event"], *, bus: str = "", timeout: float = 30.0) -> BatchResult:
        """Publishes one batch and returns the outcome of each event, in the batch's order."""
        return self.publish_async(events, bus=bus).result(timeout)

    def publish_pipelined(
        self,
        batches: Iterable[Sequence["event_pb2.Event"]],
        *,
        bus: str = "",
        max_in_flight: int = 64,
        timeout: float = 30.0,
    ) -> List[BatchResult]:
        """Publishes many batches with up to ``max_in_flight`` unanswered at once; returns their results in order.

        ``timeout`` bounds the wait for each single ack.
        """
        if max_in_flight < 1:
            raise ValueError(f"max_in_flight must be at least 1, got {max_in_flight}")
        in_flight: List[PendingBatch] = []
        results: List[BatchResult] = []
        for batch in batches:
            if len(in_flight) >= max_in_flight:
                results.append(in_flight.pop(0).result(timeout))
            in_flight.append(self.publish_async(batch, bus=bus))
        for pending in in_flight:
            results.append(pending.result(timeout))
        return results

    # -- subscribing ----------------------------------------------------------------------------

    def subscribe(
        self,
        pattern: Union[str, Mapping[str, Any], None] = None,
        *,
        credits: int,
        bus: str = "",
        subscription: str = "",
        timeout: float = 10.0,
    ) -> Subscription:
        """Opens a subscription stream and waits for ``Subscribed``.

        ``pattern`` is an EventBridge event pattern, as JSON text or a mapping
        (``None``: every event of the bus). ``credits`` is how many deliveries
        the server may send before :meth:`Subscription.grant` gives more.
        ``subscription`` names a durable subscription (empty: ephemeral).

        Raises :class:`ServerError` when the server refuses the stream (for
        example ``ERROR_INVALID_PATTERN``).
        """
        if isinstance(pattern, Mapping):
            pattern_text = json.dumps(pattern, separators=(",", ":"))
        else:
            pattern_text = pattern or ""
        if credits < 0 or credits > 0xFFFF_FFFF:
            raise ValueError(f"credits must be 0...4294967295, got {credits}")
        future: Future = Future()
        with self._lock:
            if self._ended.is_set():
                raise self._closed_error()
            subscription_id = next(self._subscription_ids)
            stream = Subscription(self, subscription_id, credits)
            self._subscriptions[subscription_id] = stream
            self._known_subscription_ids.add(subscription_id)
            self._pending_subscribes[subscription_id] = future
        try:
            self._send_frame(
                protocol_pb2.ClientFrame(
                    subscribe=protocol_pb2.Subscribe(
                        subscription_id=subscription_id,
                        pattern=pattern_text,
                        subscription=subscription,
                        bus=bus,
                        credits=credits,
                    )
                )
            )
            subscribed = _result(future, timeout, f"Subscribe {subscription_id}")
        except BaseException:
            with self._lock:
                self._pending_subscribes.pop(subscription_id, None)
                self._subscriptions.pop(subscription_id, None)
            raise
        stream.queue_limit = subscribed.queue_limit
        return stream

    def _unsubscribe(self, stream: Subscription, timeout: float) -> str:
        future: Future = Future()
        with self._lock:
            if stream.subscription_id not in self._subscriptions:
                return ""
            self._pending_unsubscribes[stream.subscription_id] = future
        self._send_frame(
            protocol_pb2.ClientFrame(unsubscribe=protocol_pb2.Unsubscribe(subscription_id=stream.subscription_id))
        )
        return _result(future, timeout, f"Unsubscribe {stream.subscription_id}")

    # -- ping and close -------------------------------------------------------------------------

    def ping(self, timeout: float = 10.0) -> float:
        """Sends ``Ping`` and waits for the matching ``Pong``; returns the round trip in seconds."""
        nonce = next(self._nonces)
        future: Future = Future()
        with self._lock:
            if self._ended.is_set():
                raise self._closed_error()
            self._pings[nonce] = future
        started = time.monotonic()
        try:
            self._send_frame(protocol_pb2.ClientFrame(ping=protocol_pb2.Ping(nonce=nonce)))
            _result(future, timeout, f"Ping {nonce}")
        finally:
            with self._lock:
                self._pings.pop(nonce, None)
        return time.monotonic() - started

    def admin(self, operation: str, request: Optional[Mapping[str, Any]] = None, timeout: float = 30.0) -> Dict[str, Any]:
        """Performs an administrative operation (``AdminRequest``, see ADMINISTRATION in protocol.proto).

        ``request`` is the request document (a JSON object); returns the result
        document. Raises :class:`AdminError` when the gateway refuses (its
        ``code``, ``message`` and ``details``).
        """
        request_id = next(self._admin_ids)
        future: Future = Future()
        with self._lock:
            if self._ended.is_set():
                raise self._closed_error()
            self._admin_requests[request_id] = future
        body = json.dumps(dict(request or {}), separators=(",", ":")).encode("utf-8")
        try:
            self._send_frame(
                protocol_pb2.ClientFrame(admin=protocol_pb2.AdminRequest(request_id=request_id, operation=operation, body=body))
            )
            response = _result(future, timeout, f"admin {operation}")
        finally:
            with self._lock:
                self._admin_requests.pop(request_id, None)
        document = json.loads(response.body.decode("utf-8")) if response.body else {}
        if not response.ok:
            raise AdminError(operation, response.code, response.message, document if isinstance(document, dict) else {})
        return document

    def close(self, reason: str = "", timeout: float = 10.0) -> Optional[str]:
        """Closes gracefully: sends ``Close``, lets the server answer the publishes in flight, and waits for it to close.

        Returns the reason of the server's ``Closing`` frame (``None`` if it
        sent none). Publishes still unanswered when the connection ends fail
        with :class:`ConnectionClosed`. Never raises for a connection that is
        already broken; after ``timeout`` seconds the connection is cut.
        """
        if not self._ended.is_set() and not self._close_sent:
            self._close_sent = True
            try:
                self._send_frame(protocol_pb2.ClientFrame(close=protocol_pb2.Close(reason=reason)))
            except JunctionError:
                pass
            self._ended.wait(timeout)
        self.abort()
        return self.closing_reason

    def abort(self) -> None:
        """Cuts the connection at once, without a graceful close. Idempotent."""
        self._stopping = True
        self._transport.shutdown()
        if self._reader.is_alive() and threading.current_thread() is not self._reader:
            self._reader.join(timeout=5.0)
        self._transport.close(send_close_notify=False)
        self._end(ConnectionClosed("connection closed by the client"))

    def __enter__(self) -> "JunctionClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close(timeout=5.0)

    # -- raw access (tests and diagnostics) -----------------------------------------------------

    def send_frame(self, frame: "protocol_pb2.ClientFrame") -> None:
        """Sends one ``ClientFrame`` as is, bypassing the client's bookkeeping."""
        self._send_frame(frame)

    def send_frame_payload(self, payload: bytes, flags: int = 0) -> None:
        """Sends ``payload`` (any bytes) as one frame with the given flag byte."""
        self._transport.send(encode_frame(payload, flags))

    def send_raw(self, data: bytes) -> None:
        """Sends arbitrary bytes inside TLS, with no framing added."""
        self._transport.send(data)

    # -- internals ------------------------------------------------------------------------------

    def _closed_error(self) -> JunctionError:
        with_end = self._end_error
        if isinstance(with_end, ConnectionClosed):
            return with_end
        return ConnectionClosed("connection is closed", self._fatal_error)

    def _send_frame(self, frame: "protocol_pb2.ClientFrame") -> None:
        if self._ended.is_set():
            raise self._closed_error()
        try:
            self._transport.send(encode_frame(frame.SerializeToString()))
        except ConnectionClosed as error:
            if self._fatal_error is not None:
                raise ConnectionClosed(error.description, self._fatal_error) from error
            raise

    def _read_loop(self) -> None:
        error: Optional[JunctionError] = None
        try:
            while not self._stopping:
                data = self._transport.receive(_READ_POLL_SECONDS)
                if data is None:
                    break
                if not data:
                    continue
                for payload in self._decoder.feed(data):
                    try:
                        frame = protocol_pb2.ServerFrame.FromString(payload)
                    except DecodeError as decode_error:
                        raise FramingError(
                            f"server frame of {len(payload)} bytes is not a valid ServerFrame: {decode_error}"
                        ) from decode_error
                    self._frames_received += 1
                    self._dispatch(frame)
        except JunctionError as failure:
            error = failure
        except Exception as failure:  # a bug here must still end the connection cleanly
            error = ProtocolViolation(f"client reader failed: {failure!r}")
        if error is not None:
            self._transport.shutdown()
        elif self._stopping:
            error = ConnectionClosed("connection closed by the client")
        self._end(error)

    def _dispatch(self, frame: "protocol_pb2.ServerFrame") -> None:
        kind = frame.WhichOneof("frame")
        if kind == "publish_ack":
            self._on_publish_ack(frame.publish_ack)
        elif kind == "deliveries":
            self._on_deliveries(frame.deliveries)
        elif kind == "welcome":
            if self._welcome_future.done():
                raise ProtocolViolation("server sent a second Welcome")
            self._welcome_future.set_result(frame.welcome)
        elif kind == "subscribed":
            with self._lock:
                future = self._pending_subscribes.pop(frame.subscribed.subscription_id, None)
            if future is None:
                raise ProtocolViolation(
                    f"Subscribed for subscription {frame.subscribed.subscription_id}, which this client did not request"
                )
            future.set_result(frame.subscribed)
        elif kind == "missed":
            with self._lock:
                stream = self._subscriptions.get(frame.missed.subscription_id)
            if stream is not None:
                stream._on_missed(frame.missed.count, frame.missed.total)
        elif kind == "pong":
            with self._lock:
                future = self._pings.pop(frame.pong.nonce, None)
            if future is not None:
                future.set_result(frame.pong.nonce)
        elif kind == "error":
            self._on_error(ServerError.from_frame(frame.error))
        elif kind == "closing":
            with self._lock:
                self._closing_reason = frame.closing.reason
        elif kind == "unsubscribed":
            self._on_unsubscribed(frame.unsubscribed)
        elif kind == "admin_response":
            with self._lock:
                future = self._admin_requests.pop(frame.admin_response.request_id, None)
            if future is None:
                raise ProtocolViolation(f"AdminResponse for request {frame.admin_response.request_id}, which this client did not send")
            future.set_result(frame.admin_response)
        else:
            raise ProtocolViolation("server sent a ServerFrame with no member set")

    def _on_publish_ack(self, ack: "protocol_pb2.PublishAck") -> None:
        with self._lock:
            if ack.batch_id not in self._pending_batches:
                raise ProtocolViolation(f"PublishAck for batch {ack.batch_id}, which is not awaiting an ack")
            oldest = next(iter(self._pending_batches))
            if oldest != ack.batch_id:
                raise ProtocolViolation(
                    f"PublishAck for batch {ack.batch_id} arrived before the ack of batch {oldest}, "
                    "which was sent earlier (acks must come in the order batches were sent)"
                )
            pending = self._pending_batches.pop(ack.batch_id)
        if len(ack.results) != pending.event_count:
            raise ProtocolViolation(
                f"PublishAck for batch {ack.batch_id} has {len(ack.results)} results for {pending.event_count} events"
            )
        outcomes = [EventOutcome.from_result(result) for result in ack.results]
        pending._future.set_result(BatchResult(batch_id=ack.batch_id, outcomes=outcomes, accepted=ack.accepted))

    def _on_deliveries(self, deliveries: "protocol_pb2.Deliveries") -> None:
        with self._lock:
            stream = self._subscriptions.get(deliveries.subscription_id)
            known = deliveries.subscription_id in self._known_subscription_ids
        if stream is None:
            if not known:
                raise ProtocolViolation(f"Deliveries for subscription {deliveries.subscription_id}, which was never opened")
            return  # the stream was closed; deliveries that crossed the Unsubscribe are dropped
        violation = stream._on_deliveries(deliveries.deliveries)
        if violation is not None:
            raise ProtocolViolation(violation)

    def _on_unsubscribed(self, unsubscribed: "protocol_pb2.Unsubscribed") -> None:
        sid = unsubscribed.subscription_id
        with self._lock:
            stream = self._subscriptions.pop(sid, None)
            future = self._pending_unsubscribes.pop(sid, None)
            subscribe_future = self._pending_subscribes.pop(sid, None)
        if stream is not None:
            stream._on_end(stream._closed_error(unsubscribed.reason))
        if subscribe_future is not None:
            subscribe_future.set_exception(
                SubscriptionClosed(f"subscription {sid} was closed before it opened: {unsubscribed.reason}", unsubscribed.reason)
            )
        if future is not None:
            future.set_result(unsubscribed.reason)

    def _on_error(self, error: ServerError) -> None:
        if error.fatal:
            with self._lock:
                self._fatal_error = error
            if not self._welcome_future.done():
                self._welcome_future.set_exception(error)
            return
        if not self._welcome_future.done():
            self._welcome_future.set_exception(error)
            return
        target: Optional[Future] = None
        stream: Optional[Subscription] = None
        with self._lock:
            if error.batch_id and error.batch_id in self._pending_batches:
                target = self._pending_batches.pop(error.batch_id)._future
            elif error.subscription_id and error.subscription_id in self._pending_subscribes:
                target = self._pending_subscribes.pop(error.subscription_id)
                self._subscriptions.pop(error.subscription_id, None)
            elif error.subscription_id and error.subscription_id in self._pending_unsubscribes:
                target = self._pending_unsubscribes.pop(error.subscription_id)
            elif error.subscription_id and error.subscription_id in self._subscriptions:
                stream = self._subscriptions[error.subscription_id]
            else:
                self._nonfatal_errors.append(error)
        if target is not None:
            target.set_exception(error)
        elif stream is not None:
            stream._on_error(error)

    def _end(self, error: Optional[JunctionError]) -> None:
        with self._lock:
            if self._ended.is_set():
                return
            if error is None:
                if self._fatal_error is not None:
                    error = ConnectionClosed("connection closed by the server", self._fatal_error)
                elif self._closing_reason is not None:
                    error = ConnectionClosed(f"connection closed by the server (Closing: {self._closing_reason or 'no reason'})")
                else:
                    error = ConnectionClosed("connection closed by the server")
            self._end_error = error
            batches = list(self._pending_batches.values())
            self._pending_batches.clear()
            futures = list(self._pending_subscribes.values()) + list(self._pending_unsubscribes.values())
            futures += list(self._pings.values()) + list(self._admin_requests.values())
            self._admin_requests.clear()
            self._pending_subscribes.clear()
            self._pending_unsubscribes.clear()
            self._pings.clear()
            streams = list(self._subscriptions.values())
            self._subscriptions.clear()
            self._ended.set()
        for batch in batches:
            batch._future.set_exception(error)
        for future in futures:
            if not future.done():
                future.set_exception(error)
        for stream in streams:
            stream._on_end(error)
        if not self._welcome_future.done():
            self._welcome_future.set_exception(self._fatal_error or error)
