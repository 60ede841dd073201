"""A subscription stream on a :class:`~junction_client.client.JunctionClient` connection."""

from __future__ import annotations

import queue
import threading
import time
from typing import TYPE_CHECKING, Iterable, Iterator, List, Optional

from .errors import JunctionError, JunctionTimeout, ServerError, SubscriptionClosed
from .gen import protocol_pb2

if TYPE_CHECKING:
    from .client import JunctionClient

Delivery = protocol_pb2.Delivery
"""The generated ``junction.v1.Delivery`` message class (``delivery_id``, ``attempt``, ``event``)."""


class _End:
    """Queue marker: the stream has ended with ``error``."""

    __slots__ = ("error",)

    def __init__(self, error: JunctionError) -> None:
        self.error = error


class Subscription:
    """One open subscription stream.

    Deliveries arrive on the client's reader thread and wait in an unbounded
    local queue (the server sends no more than the credits granted, so the
    credits bound it). Read them with :meth:`next`, :meth:`poll`, :meth:`take`
    or by iterating; grant more with :meth:`grant`; confirm with :meth:`ack`
    or :meth:`nack`.

    The client counts credits granted and deliveries received and treats a
    server that delivers more than it was granted as a protocol violation.
    """

    def __init__(self, client: "JunctionClient", subscription_id: int, credits: int) -> None:
        self._client = client
        self.subscription_id = subscription_id
        """The id this client chose for the stream; every frame about it carries it."""
        self.queue_limit = 0
        """Events the server holds for the stream while it has no credits (from ``Subscribed``)."""
        self._queue: "queue.Queue[object]" = queue.Queue()
        self._lock = threading.Lock()
        self._granted_total = credits
        self._delivered_total = 0
        self._missed_total = 0
        self._server_missed_total = 0
        self._errors: List[ServerError] = []
        self._end: Optional[JunctionError] = None
        self._end_seen = False

    # -- state ----------------------------------------------------------------------------------

    @property
    def granted_total(self) -> int:
        """Credits granted since the stream opened (initial credits plus every :meth:`grant`)."""
        with self._lock:
            return self._granted_total

    @property
    def delivered_total(self) -> int:
        """Deliveries received since the stream opened (including ones not yet read)."""
        with self._lock:
            return self._delivered_total

    @property
    def outstanding_credits(self) -> int:
        """Credits granted and not yet used by a delivery, as far as this client can tell.

        The server caps the sum at ``Welcome.max_credits``, so the server's own
        count may be lower.
        """
        with self._lock:
            return self._granted_total - self._delivered_total

    @property
    def missed_total(self) -> int:
        """Events the server reported dropped from this ephemeral stream (``Missed.total``)."""
        with self._lock:
            return self._server_missed_total

    @property
    def errors(self) -> List[ServerError]:
        """Non-fatal server errors that named this stream (for example a bad ack)."""
        with self._lock:
            return list(self._errors)

    @property
    def pending(self) -> int:
        """Deliveries received and not yet read."""
        return self._queue.qsize()

    @property
    def closed(self) -> bool:
        """True once the stream has ended (the reason is raised by the next read after the queue drains)."""
        with self._lock:
            return self._end is not None

    # -- reading --------------------------------------------------------------------------------

    def next(self, timeout: Optional[float] = None) -> "protocol_pb2.Delivery":
        """Returns the next delivery, waiting up to ``timeout`` seconds (``None``: forever).

        Raises :class:`JunctionTimeout` when none arrives in time and
        :class:`SubscriptionClosed` (or the connection's error) once the stream
        has ended and every delivery before the end has been read.
        """
        delivery = self.poll(timeout)
        if delivery is None:
            raise JunctionTimeout(
                f"subscription {self.subscription_id}: no delivery within {timeout}s "
                f"({self.delivered_total} received, {self.outstanding_credits} credits outstanding)"
            )
        return delivery

    def poll(self, timeout: Optional[float] = 0.0) -> Optional["protocol_pb2.Delivery"]:
        """Returns the next delivery, or ``None`` if none arrives within ``timeout`` seconds.

        Raises when the stream has ended and its queue is drained, as :meth:`next`.
        """
        try:
            if timeout is not None and timeout <= 0:
                item = self._queue.get_nowait()
            else:
                item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if isinstance(item, _End):
            self._queue.put(item)  # keep the end marker for every later read
            raise item.error
        return item  # type: ignore[return-value]

    def take(self, count: int, timeout: float) -> List["protocol_pb2.Delivery"]:
        """Returns exactly ``count`` deliveries, waiting at most ``timeout`` seconds in total.

        Raises :class:`JunctionTimeout` (saying how many arrived) if fewer come in time.
        """
        deadline = time.monotonic() + timeout
        received: List[protocol_pb2.Delivery] = []
        while len(received) < count:
            remaining = deadline - time.monotonic()
            delivery = self.poll(max(remaining, 0.0))
            if delivery is None:
                raise JunctionTimeout(
                    f"subscription {self.subscription_id}: {len(received)} of {count} deliveries "
                    f"arrived within {timeout}s ({self.outstanding_credits} credits outstanding)"
                )
            received.append(delivery)
        return received

    def drain(self) -> List["protocol_pb2.Delivery"]:
        """Returns every delivery already received and not yet read, without waiting."""
        out: List[protocol_pb2.Delivery] = []
        while True:
            try:
                delivery = self.poll(0.0)
            except JunctionError:
                return out
            if delivery is None:
                return out
            out.append(delivery)

    def iter(self, idle_timeout: Optional[float] = None, limit: Optional[int] = None) -> Iterator["protocol_pb2.Delivery"]:
        """Yields deliveries until the stream ends, ``limit`` deliveries were yielded, or none arrives for ``idle_timeout`` seconds.

        Ends quietly in all three cases.
        """
        yielded = 0
        while limit is None or yielded < limit:
            try:
                delivery = self.poll(idle_timeout)
            except JunctionError:
                return
            if delivery is None:
                return
            yielded += 1
            yield delivery

    def __iter__(self) -> Iterator["protocol_pb2.Delivery"]:
        return self.iter()

    # -- requests -------------------------------------------------------------------------------

    def grant(self, credits: int) -> None:
        """Grants ``credits`` more deliveries (a ``Credit`` frame)."""
        if credits <= 0 or credits > 0xFFFF_FFFF:
            raise ValueError(f"credits must be 1...4294967295, got {credits}")
        with self._lock:
            self._granted_total += credits
        self._client._send_frame(
            protocol_pb2.ClientFrame(credit=protocol_pb2.Credit(subscription_id=self.subscription_id, credits=credits))
        )

    def ack(self, delivery_ids: Iterable[int]) -> None:
        """Confirms deliveries as processed (an ``Ack`` frame)."""
        ids = list(delivery_ids)
        if not ids:
            return
        self._client._send_frame(
            protocol_pb2.ClientFrame(ack=protocol_pb2.Ack(subscription_id=self.subscription_id, delivery_ids=ids))
        )

    def nack(self, delivery_ids: Iterable[int], *, delay_ms: int = 0, reason: str = "") -> None:
        """Reports deliveries that could not be processed (a ``Nack`` frame); durable streams redeliver them."""
        ids = list(delivery_ids)
        if not ids:
            return
        self._client._send_frame(
            protocol_pb2.ClientFrame(
                nack=protocol_pb2.Nack(
                    subscription_id=self.subscription_id, delivery_ids=ids, delay_ms=delay_ms, reason=reason
                )
            )
        )

    def unsubscribe(self, timeout: float = 10.0) -> str:
        """Closes the stream and waits for the server's ``Unsubscribed``; returns its reason.

        Deliveries already received stay readable until the queue drains.
        """
        return self._client._unsubscribe(self, timeout)

    # -- called by the client's reader thread ---------------------------------------------------

    def _on_deliveries(self, deliveries: "Iterable[protocol_pb2.Delivery]") -> Optional[str]:
        """Queues deliveries; returns a protocol violation message if they exceed the credits granted."""
        items = list(deliveries)
        with self._lock:
            self._delivered_total += len(items)
            over = self._delivered_total > self._granted_total
            delivered, granted = self._delivered_total, self._granted_total
        for item in items:
            self._queue.put(item)
        if over:
            return (
                f"subscription {self.subscription_id}: server sent {delivered} deliveries "
                f"but only {granted} credits were granted"
            )
        return None

    def _on_missed(self, count: int, total: int) -> None:
        with self._lock:
            self._missed_total += count
            self._server_missed_total = total

    def _on_error(self, error: ServerError) -> None:
        with self._lock:
            self._errors.append(error)

    def _on_end(self, error: JunctionError) -> None:
        with self._lock:
            if self._end is not None:
                return
            self._end = error
        self._queue.put(_End(error))

    def _closed_error(self, reason: str) -> SubscriptionClosed:
        return SubscriptionClosed(f"subscription {self.subscription_id} closed by the server: {reason or 'no reason given'}", reason)
