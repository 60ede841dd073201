"""Stream behaviour beyond the basics: overflow signal, buses, payload fidelity."""

from __future__ import annotations

import json
import os
import time

from junction_client import event_pb2, make_event

WAIT = 20.0
QUIET = 0.5


def test_overflowing_ephemeral_stream_reports_missed_events(clients, unique) -> None:
    source = unique("com.example.overflow")
    subscriber, publisher = clients(), clients()
    stream = subscriber.subscribe({"source": [source]}, credits=0)
    limit = stream.queue_limit
    assert 0 < limit <= 100_000, f"queue_limit {limit} is not a usable bound"
    overflow = 10
    total = limit + overflow
    batch_size = publisher.welcome.max_batch_events
    for start in range(0, total, batch_size):
        result = publisher.publish(
            [make_event(source, "Flood", {"n": n}) for n in range(start, min(total, start + batch_size))], timeout=WAIT
        )
        assert result.all_accepted, result.rejected[:3]

    # Routing to the stream may finish after the acks; wait for the overflow signal before granting.
    deadline = time.monotonic() + WAIT
    while stream.missed_total < overflow and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stream.missed_total == overflow, f"Missed.total is {stream.missed_total}, expected {overflow}"

    granted = 0
    received = []
    for _ in range(total // max(1, subscriber.welcome.max_credits) + 2):
        if len(received) >= limit:
            break
        grant = min(subscriber.welcome.max_credits, limit - len(received))
        stream.grant(grant)
        granted += grant
        received += stream.take(grant, timeout=WAIT)
    stream.grant(overflow)
    assert stream.poll(QUIET) is None, "more deliveries than the queue could hold"
    assert stream.missed_total == overflow, f"Missed.total is {stream.missed_total}, expected {overflow}"
    # The oldest queued events are the ones dropped.
    assert [json.loads(d.event.detail)["n"] for d in received] == list(range(overflow, total))


def test_buses_keep_events_apart(private_gateway, unique) -> None:
    gateway = private_gateway("--bus", "payments")
    source = unique("com.example.bus")
    with gateway.connect() as subscriber, gateway.connect() as publisher:
        on_default = subscriber.subscribe({"source": [source]}, credits=10)
        on_payments = subscriber.subscribe({"source": [source]}, credits=10, bus="payments")
        result = publisher.publish(
            [
                make_event(source, "A", {"n": 0}),
                make_event(source, "B", {"n": 1}, bus="payments"),
                make_event(source, "C", {"n": 2}, bus="nope"),
            ],
            timeout=WAIT,
        )
        assert [o.code_name for o in result] == ["ACCEPTED", "ACCEPTED", "REJECT_UNKNOWN_BUS"]
        assert "nope" in result[2].message
        batch_bus = publisher.publish([make_event(source, "D", {"n": 3})], bus="payments", timeout=WAIT)
        assert batch_bus.all_accepted

        assert [d.event.detail_type for d in on_default.take(1, timeout=WAIT)] == ["A"]
        payments = on_payments.take(2, timeout=WAIT)
        assert [d.event.detail_type for d in payments] == ["B", "D"]
        assert all(d.event.bus == "payments" for d in payments)
        assert on_default.poll(QUIET) is None and on_payments.poll(QUIET) is None


def test_unicode_and_large_payloads_arrive_intact(clients, unique) -> None:
    source = unique("com.example.ünïcødé")
    subscriber, publisher = clients(), clients()
    stream = subscriber.subscribe({"source": [source]}, credits=10)
    max_event = publisher.welcome.max_event_bytes
    big = os.urandom(max_event - 4096)
    events = [
        make_event(source, "Grüße 👋", {"text": "naïve café 漢字 👍", "n": -1.5e-7}, subject="sujet/é",
                   attributes={"clé": "valeur ✓"}),
        make_event(source, "Big", big),
        make_event(source, "Proto", b"\x08\x96\x01", content_type=event_pb2.CONTENT_TYPE_PROTOBUF),
    ]
    result = publisher.publish(events, timeout=WAIT)
    assert result.all_accepted, result.rejected
    unicode_event, big_event, proto_event = (d.event for d in stream.take(3, timeout=WAIT))
    assert unicode_event.source == source and unicode_event.detail_type == "Grüße 👋"
    assert json.loads(unicode_event.detail) == {"text": "naïve café 漢字 👍", "n": -1.5e-7}
    assert unicode_event.subject == "sujet/é" and dict(unicode_event.attributes) == {"clé": "valeur ✓"}
    assert big_event.detail == big and big_event.content_type == event_pb2.CONTENT_TYPE_BINARY
    assert proto_event.detail == b"\x08\x96\x01" and proto_event.content_type == event_pb2.CONTENT_TYPE_PROTOBUF
