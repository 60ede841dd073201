"""Python and the Swift CLI (`junction subscribe`, `junction publish`) on the same gateway."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import uuid
from pathlib import Path
from typing import Iterator, List

import pytest

from gateway import LineReader, junction_binary
from junction_client import make_event

WAIT = 20.0

_RFC3339 = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$")


def rfc3339_to_unix_nanos(text: str) -> int:
    """Parses an RFC 3339 timestamp to nanoseconds since the epoch (keeps all fraction digits)."""
    import calendar

    match = _RFC3339.match(text)
    assert match, f"not an RFC 3339 timestamp: {text!r}"
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction = (match.group(7) or "").ljust(9, "0")
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    zone = match.group(8)
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return seconds * 1_000_000_000 + int(fraction)


class CliProcess:
    """A `junction` CLI subprocess whose stdout lines are read with bounded waits."""

    def __init__(self, args: List[str], stderr_path: Path, stdin: bytes = b"") -> None:
        self.args = args
        self.stderr_path = stderr_path
        with open(stderr_path, "wb") as stderr:
            self.process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr)
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(stdin)
            self.process.stdin.close()
        except BrokenPipeError:
            pass
        self.stdout = LineReader(self.process.stdout, "cli-stdout")

    def json_line(self, timeout: float) -> dict:
        try:
            line = self.stdout.next_line(timeout)
        except TimeoutError:
            raise AssertionError(f"{self.describe()}: no output line within {timeout}s") from None
        assert line is not None, f"{self.describe()}: output ended early (exit {self.process.poll()})"
        try:
            return json.loads(line)
        except ValueError:
            raise AssertionError(f"{self.describe()}: output line is not JSON: {line!r}") from None

    def describe(self) -> str:
        stderr = self.stderr_path.read_text(errors="replace")[-2000:] if self.stderr_path.exists() else ""
        return f"{' '.join(self.args)}\nstdout: {self.stdout.seen}\nstderr: {stderr}"

    def wait(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.describe()}: did not exit within {timeout}s") from None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()  # our own child, by its handle
            self.process.wait(timeout=10)


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[object]:
    started: List[CliProcess] = []

    def run(*args: str, stdin: bytes = b"") -> CliProcess:
        process = CliProcess([str(junction_binary()), *args], tmp_path / f"cli-{len(started)}.stderr", stdin)
        started.append(process)
        return process

    yield run
    for process in started:
        process.stop()


def connection_args(gateway) -> List[str]:
    return ["--server", gateway.address, "--ca", gateway.ca_file, "--token-file", gateway.token_file]


def test_python_publisher_to_swift_subscriber(gateway, clients, cli, unique) -> None:
    source = unique("com.example.swift")
    pattern = json.dumps({"source": [source]})
    subscriber = cli("subscribe", *connection_args(gateway), "--pattern", pattern, "--credits", "10", "--count", "3",
                     "--timeout", str(int(WAIT * 2)))
    opened = subscriber.json_line(WAIT)
    assert opened.get("event") == "subscribed", opened
    assert isinstance(opened.get("subscription_id"), int), opened

    given_time = 1_764_172_041_123_000_000
    events = [
        make_event(source, "OrderPlaced", {"order": 7, "lines": [{"sku": "a", "qty": 2}]}, subject="orders/7",
                   resources=["arn:example:orders/7"], attributes={"traceparent": "00-abc-def-01"}),
        make_event(unique("com.example.other"), "OrderPlaced", {"order": 8}),  # not matched
        make_event(source, "Blob", b"\x00\xffbinary\x01", id=f"evt-{uuid.uuid4()}", time_unix_nanos=given_time),
        make_event(source, "OrderShipped", {"order": 7}),
    ]
    result = clients().publish(events, timeout=WAIT)
    assert result.all_accepted, result.rejected

    lines = [subscriber.json_line(WAIT) for _ in range(3)]
    assert subscriber.wait(WAIT) == 0, subscriber.describe()

    expected = [(0, result[0]), (2, result[2]), (3, result[3])]
    for line, (index, outcome) in zip(lines, expected):
        assert line["attempt"] == 1, line
        assert isinstance(line["delivery_id"], int), line
        event = line["event"]
        assert event["id"] == outcome.id
        assert event["position"] == outcome.position
        assert event["source"] == source
        assert event["detail_type"] == events[index].detail_type
        assert event["account"] == "dev"
        assert event["bus"] == "default"
        # The text form has millisecond precision (truncated or rounded: the protocol does not say which).
        assert abs(rfc3339_to_unix_nanos(event["time"]) - event["time_unix_nanos"]) < 1_000_000, event
    assert [line["delivery_id"] for line in lines] == sorted(line["delivery_id"] for line in lines)

    placed, blob, shipped = (line["event"] for line in lines)
    assert placed["content_type"] == "json"
    assert placed["detail"] == {"order": 7, "lines": [{"sku": "a", "qty": 2}]}
    assert placed["subject"] == "orders/7"
    assert placed["resources"] == ["arn:example:orders/7"]
    assert placed["attributes"] == {"traceparent": "00-abc-def-01"}
    assert blob["content_type"] == "binary"
    assert base64.b64decode(blob["detail_base64"]) == b"\x00\xffbinary\x01"
    assert blob["time_unix_nanos"] == given_time
    assert rfc3339_to_unix_nanos(blob["time"]) == given_time  # a whole number of milliseconds
    assert shipped["detail"] == {"order": 7}


def test_swift_publisher_to_python_subscriber(gateway, clients, cli, unique) -> None:
    source = unique("com.example.fromswift")
    stream = clients().subscribe({"source": [source]}, credits=10)
    given_id = f"evt-{uuid.uuid4()}"
    lines = [
        {"source": source, "detail-type": "FromSwift", "detail": {"n": 1}, "id": given_id},
        {"detail-type": "NoSource", "detail": {"n": 2}},
        {"source": source, "detail-type": "FromSwift", "detail": {"n": 3}},
    ]
    publisher = cli("publish", *connection_args(gateway),
                    stdin="".join(json.dumps(line) + "\n" for line in lines).encode())
    acks = [publisher.json_line(WAIT) for _ in lines]
    assert publisher.wait(WAIT) >= 0, publisher.describe()  # exits (0 or a "some rejected" status), no crash

    assert acks[0] == {"id": given_id, "position": acks[0]["position"], "status": "accepted"}, acks[0]
    assert acks[1]["status"] == "rejected" and acks[1]["code"] == "REJECT_INVALID_EVENT", acks[1]
    assert "source" in acks[1]["message"], acks[1]
    assert acks[2]["status"] == "accepted", acks[2]

    received = stream.take(2, timeout=WAIT)
    assert [d.event.id for d in received] == [given_id, acks[2]["id"]]
    assert [d.event.position for d in received] == [acks[0]["position"], acks[2]["position"]]
    assert [json.loads(d.event.detail) for d in received] == [{"n": 1}, {"n": 3}]
    assert all(d.event.account == "dev" and d.event.detail_type == "FromSwift" for d in received)
