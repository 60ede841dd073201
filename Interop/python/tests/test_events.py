"""Event construction helpers, without a server."""

from __future__ import annotations

import json

import pytest

from junction_client import event_pb2, make_event


def test_mapping_detail_is_compact_json() -> None:
    event = make_event("com.example", "Thing", {"a": 1, "b": "é"}, attributes={"traceparent": "00-x"})
    assert event.content_type == event_pb2.CONTENT_TYPE_JSON
    assert json.loads(event.detail) == {"a": 1, "b": "é"}
    assert event.attributes["traceparent"] == "00-x"
    assert event.account == "" and event.id == "" and event.time_unix_nanos == 0


def test_bytes_detail_is_binary_unless_told() -> None:
    assert make_event("s", "t", b"\x00\x01").content_type == event_pb2.CONTENT_TYPE_BINARY
    assert make_event("s", "t", b"x", content_type=event_pb2.CONTENT_TYPE_PROTOBUF).content_type == event_pb2.CONTENT_TYPE_PROTOBUF
    event = make_event("s", "t", schema_subject="orders.OrderPlaced", schema_version=3)
    assert event.HasField("schema") and event.schema.version == 3
    with pytest.raises(TypeError):
        make_event("s", "t", 12)  # type: ignore[arg-type]
