"""Schema registry over admin requests, and validation in the Python client and in the gateway."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from junction_client import AdminError, CompiledSchema, SchemaCache, SchemaViolation, event_pb2, get_schema, make_event, protocol_pb2, register_schema

ORDER_SCHEMA = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "amount": {"type": "integer", "maximum": 1000}},
    "required": ["amount"],
}

ORDER_PROTO = """
syntax = "proto3";
package shop.v1;
enum Status { STATUS_UNSPECIFIED = 0; PLACED = 1; SHIPPED = 2; }
message Customer { string name = 1; }
message Order {
  string id = 1;
  int64 amount = 2;
  Status status = 3;
  Customer customer = 4;
}
"""


def descriptor_set(tmp_path: Path, proto: str) -> bytes:
    (tmp_path / "order.proto").write_text(proto)
    out = tmp_path / "order.pb"
    subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", f"--descriptor_set_out={out}", "--include_imports", f"-I{tmp_path}", "order.proto"],
        check=True,
    )
    return out.read_bytes()


@pytest.fixture
def enforcing(private_gateway):
    """A gateway whose bus "payments" enforces schemas."""
    return private_gateway("--bus", "payments", "--validation", "payments=enforce")


def test_admin_register_and_get(enforcing, unique):
    subject = unique("orders")
    with enforcing.connect() as client:
        registered = register_schema(client, subject, json_schema=ORDER_SCHEMA)
        assert registered["version"] == 1 and registered["created"] is True
        again = register_schema(client, subject, json_schema=ORDER_SCHEMA)
        assert again["created"] is False and again["version"] == 1
        fetched = get_schema(client, subject)
        assert fetched["format"] == "json" and fetched["version"] == 1
        by_id = get_schema(client, id=registered["id"])
        assert "subject" not in by_id and by_id["schema"] == fetched["schema"]

        narrower = dict(ORDER_SCHEMA, required=["amount", "id"])
        with pytest.raises(AdminError) as refused:
            register_schema(client, subject, json_schema=narrower)
        assert refused.value.code == protocol_pb2.ERROR_INCOMPATIBLE_SCHEMA
        assert any(v["rule"] == "REQUIRED_PROPERTY_ADDED" for v in refused.value.violations)

        with pytest.raises(AdminError) as missing:
            get_schema(client, unique("nope"))
        assert missing.value.code == protocol_pb2.ERROR_NOT_FOUND


def test_json_valid_in_python_is_accepted_and_invalid_is_refused_by_both(enforcing, unique):
    subject = unique("orders")
    with enforcing.connect() as client:
        register_schema(client, subject, json_schema=ORDER_SCHEMA)
        cache = SchemaCache(client)
        stream = client.subscribe({}, bus="payments", credits=10)

        valid = make_event("shop", "OrderPlaced", {"amount": 5, "id": "a"}, bus="payments", schema_subject=subject)
        assert cache.validate_event(valid) == {"amount": 5, "id": "a"}
        result = cache.publish([valid])
        assert result.all_accepted

        invalid = make_event("shop", "OrderPlaced", {"amount": 5000}, bus="payments", schema_subject=subject)
        with pytest.raises(SchemaViolation) as refused:
            cache.publish([valid, invalid])
        assert refused.value.index == 1
        assert (refused.value.path, refused.value.rule) == ("detail.amount", "maximum")

        raw = client.publish([invalid])
        assert raw[0].code == protocol_pb2.REJECT_SCHEMA_VIOLATION
        assert "detail.amount" in raw[0].message and "rule maximum" in raw[0].message

        delivery = stream.next(timeout=5)
        assert cache.validate_received(delivery.event) == {"amount": 5, "id": "a"}


def test_protobuf_valid_in_python_is_accepted_and_invalid_is_refused_by_both(enforcing, unique, tmp_path):
    subject = unique("orders.proto")
    with enforcing.connect() as client:
        register_schema(client, subject, descriptor_set=descriptor_set(tmp_path, ORDER_PROTO), message="shop.v1.Order",
                        allow_unknown_fields=False)
        cache = SchemaCache(client)
        schema = cache.schema(subject)
        order = schema.message_class(id="o-1", amount=42, status=2)
        order.customer.name = "Ada"
        valid = make_event("shop", "OrderPlaced", order.SerializeToString(), bus="payments", schema_subject=subject,
                           content_type=event_pb2.CONTENT_TYPE_PROTOBUF)
        assert cache.publish([valid]).all_accepted

        # amount (field 2, int64) sent as a string: the wire type is wrong.
        wrong_wire = bytes([0x12, 0x03]) + b"abc"
        # field 9 is not declared, and the subject rejects unknown fields.
        unknown_field = order.SerializeToString() + bytes([0x48, 0x01])
        for payload, rule in [(wrong_wire, "wire-type"), (unknown_field, "unknown-field")]:
            event = make_event("shop", "OrderPlaced", payload, bus="payments", schema_subject=subject,
                               content_type=event_pb2.CONTENT_TYPE_PROTOBUF)
            with pytest.raises(SchemaViolation) as refused:
                cache.validate_event(event)
            assert refused.value.rule == rule
            raw = client.publish([event])
            assert raw[0].code == protocol_pb2.REJECT_SCHEMA_VIOLATION, raw[0].message
            assert f"rule {rule}" in raw[0].message

        json_instead = make_event("shop", "OrderPlaced", {"amount": 1}, bus="payments", schema_subject=subject)
        with pytest.raises(SchemaViolation) as refused:
            cache.validate_event(json_instead)
        assert refused.value.rule == "content-type"
        assert client.publish([json_instead])[0].code == protocol_pb2.REJECT_SCHEMA_VIOLATION


def test_unknown_schema_is_refused_by_both(enforcing, unique):
    subject = unique("never.registered")
    with enforcing.connect() as client:
        cache = SchemaCache(client)
        event = make_event("shop", "OrderPlaced", {"amount": 1}, bus="payments", schema_subject=subject)
        with pytest.raises(SchemaViolation) as refused:
            cache.validate_event(event)
        assert refused.value.kind == "unknown-schema"
        assert client.publish([event])[0].code == protocol_pb2.REJECT_SCHEMA_UNKNOWN


def test_formats_and_non_json_constants_are_checked_as_the_gateway_does():
    schema = {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}, "x": {"type": "number"}}}
    compiled = CompiledSchema({"version": 1, "id": 1, "format": "json", "schema": json.dumps(schema)}, "formats")
    with pytest.raises(SchemaViolation):
        compiled.validate(b'{"at": "yesterday"}', event_pb2.CONTENT_TYPE_JSON)
    with pytest.raises(SchemaViolation):
        compiled.validate(b'{"x": NaN}', event_pb2.CONTENT_TYPE_JSON)
    compiled.validate(b'{"at": "2026-11-26T10:00:00Z", "x": 1.5}', event_pb2.CONTENT_TYPE_JSON)
