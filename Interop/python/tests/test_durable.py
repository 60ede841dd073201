"""Durable subscriptions through the real gateway: Python creates, consumes,
acks, nacks, replays; the Swift CLI and Python share one subscription."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from gateway import junction_binary
from junction_client import (
    AdminError,
    JunctionTimeout,
    create_rule,
    create_subscription,
    delete_rule,
    list_rules,
    delete_subscription,
    event_pb2,
    get_subscription,
    list_subscriptions,
    make_event,
    replay,
)

WAIT = 10.0


def take_all(stream, count, timeout=WAIT):
    """Exactly ``count`` deliveries (fails on timeout), then checks nothing more arrives soon."""
    got = stream.take(count, timeout=timeout)
    assert len(got) == count, f"expected {count} deliveries, got {len(got)}"
    return got


def test_python_publishes_and_consumes_a_durable_subscription(gateway, unique):
    source = unique("durable.py")
    name = unique("orders")
    with gateway.connect() as client:
        created = create_subscription(client, name, pattern=json.dumps({"source": [source]}), start="latest")
        assert created["name"] == name and created["owner"] == client.account
        published = client.publish([make_event(source, "Placed", {"n": i}) for i in range(10)])
        assert published.all_accepted
        stream = client.subscribe(subscription=name, credits=100)
        got = take_all(stream, 10)
        assert [d.event.id for d in got] == [o.id for o in published]
        assert [d.event.position for d in got] == [o.position for o in published]
        assert all(d.attempt == 1 for d in got)
        stream.ack([d.delivery_id for d in got])
        deadline = time.monotonic() + WAIT
        while get_subscription(client, name)["committed_position"] < published[-1].position:
            assert time.monotonic() < deadline, "the acks never moved the cursor"
            time.sleep(0.05)
        assert name in [s["name"] for s in list_subscriptions(client)]
        assert delete_subscription(client, name) is True


def test_a_nacked_event_is_redelivered_then_dead_lettered(gateway, unique):
    source = unique("durable.nack")
    name, dlq = unique("main"), unique("dlq")
    with gateway.connect() as client:
        create_subscription(client, dlq, pattern=json.dumps({"source": ["junction.dead-letter"]}))
        create_subscription(client, name, pattern=json.dumps({"source": [source]}), max_attempts=2,
                            initial_backoff_ms=0, max_backoff_ms=0, dead_letter=dlq)
        published = client.publish([make_event(source, "Placed", {"n": 1})])
        stream = client.subscribe(subscription=name, credits=10)
        first = stream.next(timeout=WAIT)
        assert first.attempt == 1
        stream.nack([first.delivery_id], reason="not yet")
        second = stream.next(timeout=WAIT)
        assert second.attempt == 2 and second.event.id == published[0].id
        stream.nack([second.delivery_id])
        letters = client.subscribe(subscription=dlq, credits=10)
        letter = letters.next(timeout=WAIT)
        assert letter.event.source == "junction.dead-letter"
        assert letter.event.attributes["junction.dead-letter.subscription"] == name
        assert letter.event.attributes["junction.dead-letter.attempts"] == "2"
        original = event_pb2.Event.FromString(letter.event.detail)
        assert original.id == published[0].id and original.position == published[0].position
        letters.ack([letter.delivery_id])


def test_replay_redelivers_a_range_to_one_subscription(gateway, unique):
    source = unique("durable.replay")
    name = unique("replayed")
    with gateway.connect() as client:
        create_subscription(client, name, pattern=json.dumps({"source": [source]}))
        published = client.publish([make_event(source, "Placed", {"n": i}) for i in range(5)])
        stream = client.subscribe(subscription=name, credits=100)
        stream.ack([d.delivery_id for d in take_all(stream, 5)])
        result = replay(client, name, f"position:{published[1].position}", f"position:{published[3].position}")
        assert result["replayed"] == 3
        again = take_all(stream, 3)
        assert [d.event.id for d in again] == [o.id for o in published[1:4]]
        assert [d.event.attributes["junction.replayed-from"] for d in again] == [str(o.position) for o in published[1:4]]
        with pytest.raises(JunctionTimeout):
            stream.next(timeout=0.3)


def test_subscriptions_are_private_to_their_account(private_gateway, unique):
    gateway = private_gateway("--token", "other=other-token")
    name = unique("private")
    with gateway.connect() as owner, gateway.connect(token="other-token") as stranger:
        create_subscription(owner, name)
        with pytest.raises(AdminError) as refused:
            get_subscription(stranger, name)
        assert refused.value.code_name == "ERROR_NOT_FOUND"
        assert list_subscriptions(stranger) == []


def test_the_swift_cli_and_python_share_a_subscription(gateway, unique, tmp_path):
    source = unique("durable.cli")
    name = unique("shared")
    common = ["--server", f"{gateway.host}:{gateway.port}", "--ca", gateway.ca_file, "--token-file", gateway.token_file]
    created = subprocess.run(
        [str(junction_binary()), "subscription", "create", name, "--pattern", json.dumps({"source": [source]}), *common],
        capture_output=True, timeout=60, check=False,
    )
    assert created.returncode == 0, created.stderr.decode()
    assert json.loads(created.stdout)["name"] == name
    with gateway.connect() as client:
        published = client.publish([make_event(source, "Placed", {"n": i}) for i in range(3)])
        assert published.all_accepted
    consumed = subprocess.run(
        [str(junction_binary()), "subscribe", "--durable", name, "--count", "3", "--timeout", "20", *common],
        capture_output=True, timeout=60, check=False,
    )
    assert consumed.returncode == 0, consumed.stderr.decode()
    lines = [json.loads(line) for line in consumed.stdout.decode().splitlines()[1:]]
    assert [line["event"]["id"] for line in lines] == [o.id for o in published]
    # The CLI acked them: nothing is left for a Python consumer.
    with gateway.connect() as client:
        stream = client.subscribe(subscription=name, credits=10)
        with pytest.raises(JunctionTimeout):
            stream.next(timeout=0.5)


def test_a_rule_forwards_matching_events_to_another_bus(private_gateway, unique):
    gateway = private_gateway("--bus", "billing")
    source = unique("durable.rule")
    with gateway.connect() as client:
        live = client.subscribe(bus="billing", credits=10)
        rule = create_rule(client, "orders-to-billing", "default", "billing",
                           pattern=json.dumps({"source": [source], "detail": {"n": [{"numeric": [">", 1]}]}}))
        assert rule["target_bus"] == "billing"
        published = client.publish([make_event(source, "Placed", {"n": i}) for i in range(4)])
        got = take_all(live, 2)
        assert [d.event.id for d in got] == [o.id for o in published[2:]]
        assert all(d.event.bus == "billing" and d.event.attributes["junction.forwarded-by"] == "orders-to-billing" for d in got)
        assert [r["forwarded"] for r in list_rules(client)] == [2]
        assert delete_rule(client, "orders-to-billing") is True
