"""Python publisher to Python subscriber through the real gateway."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from junction_client import ConnectionClosed, ServerError, SubscriptionClosed, event_pb2, make_event, protocol_pb2

WAIT = 10.0  # seconds any single expected delivery or ack may take
QUIET = 0.5  # seconds to wait to show that nothing more arrives


def test_python_subscriber_gets_events_with_the_gateways_stamped_fields(gateway, clients, unique) -> None:
    source = unique("com.example.orders")
    subscriber, publisher = clients(), clients()
    assert publisher.account == gateway.account == "dev"
    stream = subscriber.subscribe({"source": [source]}, credits=10)

    stamped = make_event(
        source,
        "OrderPlaced",
        {"order": 1, "total": 12.5, "items": ["a", "b"]},
        subject="orders/1",
        resources=["arn:aws:example:orders/1"],
        attributes={"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
    )
    stamped.account = "mallory"  # the gateway must overwrite whatever the producer claims
    given_id = f"evt-{uuid.uuid4()}"
    given_time = 1_700_000_000_123_456_789
    kept = make_event(source, "OrderShipped", b"\x00\x01\xfe\xffbinary", id=given_id, time_unix_nanos=given_time)

    before = time.time_ns()
    result = publisher.publish([stamped, kept], timeout=WAIT)
    after = time.time_ns()

    assert result.all_accepted, result.rejected
    assert result.accepted == 2
    assert result[0].id, "the gateway must assign an id to an event published without one"
    assert result[1].id == given_id
    assert 0 < result[0].position < result[1].position

    first, second = stream.take(2, timeout=WAIT)
    assert stream.poll(QUIET) is None

    assert first.attempt == 1 and second.attempt == 1
    assert first.delivery_id < second.delivery_id

    event = first.event
    assert event.id == result[0].id
    assert event.account == "dev"
    assert before - 5_000_000_000 <= event.time_unix_nanos <= after + 5_000_000_000
    assert event.position == result[0].position
    assert event.bus == "default"
    assert event.source == source
    assert event.detail_type == "OrderPlaced"
    assert event.subject == "orders/1"
    assert list(event.resources) == ["arn:aws:example:orders/1"]
    assert event.content_type == event_pb2.CONTENT_TYPE_JSON
    assert json.loads(event.detail) == {"order": 1, "total": 12.5, "items": ["a", "b"]}
    assert dict(event.attributes) == {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}

    event = second.event
    assert event.id == given_id
    assert event.time_unix_nanos == given_time
    assert event.account == "dev"
    assert event.position == result[1].position
    assert event.content_type == event_pb2.CONTENT_TYPE_BINARY
    assert event.detail == b"\x00\x01\xfe\xffbinary"


def test_patterns_match_exact_source_and_detail_type_values(clients, unique) -> None:
    orders, payments = unique("com.example.orders"), unique("com.example.payments")
    subscriber, publisher = clients(), clients()
    placed_orders = subscriber.subscribe({"source": [orders], "detail-type": ["OrderPlaced"]}, credits=50)
    all_orders = subscriber.subscribe({"source": [orders]}, credits=50)
    shipped_anywhere = subscriber.subscribe({"source": [orders, payments], "detail-type": ["Shipped"]}, credits=50)

    published = [
        (orders, "OrderPlaced"),
        (orders, "Shipped"),
        (payments, "OrderPlaced"),
        (payments, "Shipped"),
        (orders, "OrderPlacedLater"),  # an exact match is not a prefix match
        (orders, "OrderPlaced"),
    ]
    result = publisher.publish([make_event(s, t, {"n": n}) for n, (s, t) in enumerate(published)], timeout=WAIT)
    assert result.all_accepted, result.rejected

    def received(stream, count):
        deliveries = stream.take(count, timeout=WAIT)
        assert stream.poll(QUIET) is None, "a subscription received an event its pattern does not match"
        return [json.loads(d.event.detail)["n"] for d in deliveries]

    assert received(placed_orders, 2) == [0, 5]
    assert received(all_orders, 4) == [0, 1, 4, 5]
    assert received(shipped_anywhere, 2) == [1, 3]


def test_pipelined_batches_are_acked_in_order_and_delivered_in_order(clients, unique) -> None:
    source = unique("com.example.ticks")
    subscriber, publisher = clients(), clients()
    credits = min(100, subscriber.welcome.max_credits)
    stream = subscriber.subscribe({"source": [source]}, credits=credits)

    batches, per_batch = 30, 10
    pending = [
        publisher.publish_async([make_event(source, "Tick", {"n": b * per_batch + i}) for i in range(per_batch)])
        for b in range(batches)
    ]
    results = [p.result(WAIT) for p in pending]
    assert [r.batch_id for r in results] == [p.batch_id for p in pending]
    assert [r.batch_id for r in results] == sorted(r.batch_id for r in results)
    positions = [o.position for r in results for o in r.outcomes]
    assert all(r.all_accepted for r in results)
    assert positions == sorted(positions) and len(set(positions)) == len(positions)

    numbers = []
    for _ in range(batches * per_batch // credits + 1):
        want = min(credits, batches * per_batch - len(numbers))
        if want == 0:
            break
        numbers += [json.loads(d.event.detail)["n"] for d in stream.take(want, timeout=WAIT)]
        stream.grant(want)
    assert numbers == list(range(batches * per_batch))
    assert stream.missed_total == 0


def test_rejected_events_do_not_stop_the_rest_of_the_batch(clients, unique) -> None:
    source = unique("com.example.reject")
    subscriber, publisher = clients(), clients()
    stream = subscriber.subscribe({"source": [source]}, credits=10)
    ids = [f"evt-{uuid.uuid4()}" for _ in range(4)]
    batch = [
        make_event(source, "Good", {"n": 0}, id=ids[0]),
        make_event("", "NoSource", {"n": 1}, id=ids[1]),
        make_event(source, "Good", {"n": 2}, id=ids[2]),
        make_event(source, "", {"n": 3}, id=ids[3]),
    ]
    result = publisher.publish(batch, timeout=WAIT)

    assert [o.code_name for o in result] == ["ACCEPTED", "REJECT_INVALID_EVENT", "ACCEPTED", "REJECT_INVALID_EVENT"]
    assert result.accepted == 2
    assert [o.id for o in result] == ids
    assert "source" in result[1].message, f"the reject message must name the field: {result[1].message!r}"
    assert "detail_type" in result[3].message or "detail-type" in result[3].message, result[3].message
    assert result[1].position == 0 and result[3].position == 0
    assert result[0].position > 0 and result[2].position > result[0].position
    assert result[0].message == "" and result[2].message == ""

    delivered = stream.take(2, timeout=WAIT)
    assert [d.event.id for d in delivered] == [ids[0], ids[2]]
    assert stream.poll(QUIET) is None


def test_an_unknown_content_type_is_rejected_by_name(clients, unique) -> None:
    publisher = clients()
    event = make_event(unique("com.example.ctype"), "Odd", b"\x01")
    event.content_type = 7  # not a ContentType value; protobuf keeps it as an unknown enum number
    result = publisher.publish([event], timeout=WAIT)
    assert result[0].code_name == "REJECT_INVALID_EVENT"
    assert "content_type: unknown value 7" in result[0].message


def test_ping_ack_nack_and_unsubscribe(clients, unique) -> None:
    source = unique("com.example.acks")
    subscriber, publisher = clients(), clients()
    assert subscriber.ping(timeout=WAIT) < WAIT
    stream = subscriber.subscribe({"source": [source]}, credits=10)
    publisher.publish([make_event(source, "A", {"n": n}) for n in range(3)], timeout=WAIT)
    deliveries = stream.take(3, timeout=WAIT)
    stream.ack([deliveries[0].delivery_id, deliveries[1].delivery_id])
    stream.nack([deliveries[2].delivery_id], delay_ms=10, reason="test nack on an ephemeral stream")
    subscriber.ping(timeout=WAIT)
    assert not subscriber.closed
    assert stream.errors == [] and subscriber.nonfatal_errors == []

    stream.unsubscribe(timeout=WAIT)
    publisher.publish([make_event(source, "A", {"n": 99})], timeout=WAIT)
    subscriber.ping(timeout=WAIT)
    with pytest.raises(SubscriptionClosed):
        for _ in range(10):  # a nacked ephemeral delivery may or may not come back before the close
            delivery = stream.next(timeout=QUIET)
            assert json.loads(delivery.event.detail)["n"] != 99, "delivery after Unsubscribed"


def test_invalid_pattern_is_refused_with_a_reason(clients) -> None:
    client = clients()
    with pytest.raises(ServerError) as caught:
        client.subscribe('{"source": ["unterminated"', credits=1)
    assert caught.value.code == protocol_pb2.ERROR_INVALID_PATTERN, caught.value
    assert caught.value.message
    if not caught.value.fatal:
        client.ping(timeout=WAIT)


def test_unknown_subscription_is_a_non_fatal_error(clients) -> None:
    client = clients()
    client.send_frame(protocol_pb2.ClientFrame(credit=protocol_pb2.Credit(subscription_id=999, credits=1)))
    client.ping(timeout=WAIT)
    deadline = time.monotonic() + WAIT
    while not client.nonfatal_errors and time.monotonic() < deadline:
        time.sleep(0.05)
    errors = client.nonfatal_errors
    assert errors, "no Error frame for a Credit naming an unknown subscription"
    assert errors[0].code == protocol_pb2.ERROR_UNKNOWN_SUBSCRIPTION and not errors[0].fatal, errors[0]
    assert errors[0].subscription_id == 999
    client.ping(timeout=WAIT)


def test_graceful_close_answers_every_publish_in_flight(gateway, unique) -> None:
    source = unique("com.example.close")
    client = gateway.connect()
    pending = [client.publish_async([make_event(source, "E", {"n": n}) for _ in range(5)]) for n in range(40)]
    reason = client.close(reason="test done", timeout=WAIT)
    assert reason is not None, "the server closed without a Closing frame"
    assert all(p.done() for p in pending)
    results = [p.result(0) for p in pending]
    assert all(r.all_accepted for r in results)
    with pytest.raises(ConnectionClosed):
        client.publish([make_event(source, "E")], timeout=1.0)


def test_second_account_is_stamped_from_its_token(private_gateway, unique) -> None:
    gateway = private_gateway("--token", "other=secret2")
    source = unique("com.example.other")
    with gateway.connect(token="secret2") as other, gateway.connect() as dev:
        assert other.account == "other"
        assert dev.account == "dev"
        stream = other.subscribe({"source": [source]}, credits=10)
        claimed = make_event(source, "E", {"x": 1})
        claimed.account = "dev"
        result = other.publish([claimed], timeout=WAIT)
        assert result.all_accepted, result.rejected
        delivery = stream.next(timeout=WAIT)
        assert delivery.event.account == "other"
        assert delivery.event.id == result[0].id


def test_one_connection_publishes_from_many_threads(clients, unique) -> None:
    import threading

    source = unique("com.example.threads")
    publisher = clients()
    subscriber = clients()
    stream = subscriber.subscribe({"source": [source]}, credits=min(1000, subscriber.welcome.max_credits))
    failures = []
    outcomes = []
    lock = threading.Lock()

    def work(worker: int) -> None:
        try:
            pending = [
                publisher.publish_async([make_event(source, "T", {"w": worker, "b": b, "i": i}) for i in range(5)])
                for b in range(40)
            ]
            for p in pending:
                result = p.result(WAIT)
                with lock:
                    outcomes.extend(result.outcomes)
        except Exception as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "publisher threads did not finish"
    assert failures == []
    assert len(outcomes) == 4 * 40 * 5 and all(o.accepted for o in outcomes)
    assert len({o.position for o in outcomes}) == len(outcomes)
    received = []
    for _ in range(len(outcomes)):
        if len(received) == len(outcomes):
            break
        batch = stream.take(min(stream.outstanding_credits, len(outcomes) - len(received)) or 1, timeout=WAIT)
        received += batch
        stream.grant(len(batch))
    assert sorted(d.event.position for d in received) == sorted(o.position for o in outcomes)
    per_worker = {}
    for d in received:
        detail = json.loads(d.event.detail)
        per_worker.setdefault(detail["w"], []).append((detail["b"], detail["i"]))
    assert all(order == sorted(order) for order in per_worker.values()), "a thread's events were reordered"
