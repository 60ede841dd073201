"""Subscribers never get more deliveries than the credits they granted."""

from __future__ import annotations

import json

from junction_client import make_event

WAIT = 10.0
QUIET = 1.0


def test_five_credits_get_exactly_five_deliveries_then_the_rest_after_a_grant(clients, unique) -> None:
    source = unique("com.example.credits")
    subscriber, publisher = clients(), clients()
    stream = subscriber.subscribe({"source": [source]}, credits=5)
    assert stream.queue_limit >= 15, f"queue_limit {stream.queue_limit} cannot hold the 15 events this test holds back"

    result = publisher.publish([make_event(source, "Counted", {"n": n}) for n in range(20)], timeout=WAIT)
    assert result.all_accepted, result.rejected

    first = stream.take(5, timeout=WAIT)
    subscriber.ping(timeout=WAIT)
    assert stream.poll(QUIET) is None, "the server delivered more than the 5 credits granted"
    assert stream.delivered_total == 5

    stream.grant(15)
    rest = stream.take(15, timeout=WAIT)
    assert stream.poll(QUIET) is None, "more than 20 deliveries for 20 events"

    deliveries = first + rest
    assert [json.loads(d.event.detail)["n"] for d in deliveries] == list(range(20))
    assert [d.event.position for d in deliveries] == [o.position for o in result]
    ids = [d.delivery_id for d in deliveries]
    assert ids == sorted(ids) and len(set(ids)) == 20
    assert stream.missed_total == 0


def test_zero_credits_deliver_nothing_until_granted(clients, unique) -> None:
    source = unique("com.example.nocredits")
    subscriber, publisher = clients(), clients()
    stream = subscriber.subscribe({"source": [source]}, credits=0)
    publisher.publish([make_event(source, "Held", {"n": n}) for n in range(3)], timeout=WAIT)
    subscriber.ping(timeout=WAIT)
    assert stream.poll(QUIET) is None, "delivered without credits"
    stream.grant(1)
    assert json.loads(stream.next(timeout=WAIT).event.detail) == {"n": 0}
    assert stream.poll(QUIET) is None
    stream.grant(10)
    assert [json.loads(d.event.detail)["n"] for d in stream.take(2, timeout=WAIT)] == [1, 2]
