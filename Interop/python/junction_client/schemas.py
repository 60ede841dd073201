"""Schema registry access and client-side validation.

The gateway keeps a registry of subjects with numbered schema versions
(protobuf: a FileDescriptorSet and a message name; JSON Schema draft 2020-12).
This module registers and fetches schemas over admin requests, and validates
event details before publishing and after receiving, with the ``protobuf``
package's descriptor pool and the ``jsonschema`` package:

    cache = SchemaCache(client)
    cache.publish([event])                 # raises SchemaViolation, sends nothing
    detail = cache.validate_received(delivery.event)   # dict (JSON) or a message (protobuf)

Violations name the field by JSON names (``detail.customer.name``) and a rule
named as the gateway names it (protobuf: ``wire-type``, ``unknown-field``,
``enum-value``, ``required``, ``utf8``, ``malformed``; JSON Schema: the
keyword, e.g. ``maximum``; both: ``content-type``), so a detail refused here
is refused by a gateway that enforces schemas with REJECT_SCHEMA_VIOLATION.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

import jsonschema
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import DecodeError, Message
from google.protobuf.unknown_fields import UnknownFieldSet

from .errors import AdminError, JunctionError
from .gen import event_pb2, protocol_pb2

__all__ = ["SchemaViolation", "CompiledSchema", "SchemaCache", "register_schema", "get_schema"]


class SchemaViolation(JunctionError):
    """An event's detail does not conform to its schema, or its schema is unknown.

    ``kind`` is ``"violation"``, ``"unknown-schema"`` or ``"missing-schema"``;
    ``path`` (e.g. ``detail.amount``) and ``rule`` say where and why;
    ``index`` is the event's position in a batch when one was validated.
    """

    def __init__(self, kind: str, subject: str, version: int, reason: str, *, path: str = "", rule: str = "") -> None:
        self.kind = kind
        self.subject = subject
        self.version = version
        self.path = path
        self.rule = rule
        self.reason = reason
        self.index: Optional[int] = None
        super().__init__(self._text())

    def _text(self) -> str:
        prefix = f"event {self.index}: " if self.index is not None else ""
        if self.kind == "violation":
            return f"{prefix}{self.path}: {self.reason} (rule {self.rule}; schema {self.subject} version {self.version})"
        return f"{prefix}schema: {self.reason}"

    def __str__(self) -> str:
        return self._text()


# -- admin calls ------------------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    # NaN and Infinity are not JSON (RFC 8259); the gateway refuses them too.
    raise ValueError(f"{name} is not a JSON value")


def register_schema(
    client,
    subject: str,
    *,
    json_schema: Union[str, Mapping[str, Any], None] = None,
    descriptor_set: Optional[bytes] = None,
    message: Optional[str] = None,
    allow_unknown_fields: Optional[bool] = None,
) -> Dict[str, Any]:
    """Registers a schema version (``schema.register``); returns ``{subject, version, id, created}``.

    Give ``json_schema`` (a dict or its JSON text), or ``descriptor_set`` (a
    serialized FileDescriptorSet, as ``protoc --descriptor_set_out
    --include_imports`` writes it) with ``message``. A schema the subject's
    compatibility mode refuses raises :class:`AdminError` with code
    ``ERROR_INCOMPATIBLE_SCHEMA`` and the list in ``error.violations``.
    """
    request: Dict[str, Any] = {"subject": subject}
    if json_schema is not None:
        if descriptor_set is not None or message is not None:
            raise ValueError("give json_schema, or descriptor_set with message, not both")
        request["format"] = "json"
        request["schema"] = json_schema if isinstance(json_schema, str) else json.dumps(json_schema, separators=(",", ":"))
    elif descriptor_set is not None and message:
        request["format"] = "protobuf"
        request["descriptor_set_base64"] = base64.b64encode(descriptor_set).decode("ascii")
        request["message"] = message
    else:
        raise ValueError("give json_schema, or descriptor_set with message")
    if allow_unknown_fields is not None:
        request["allow_unknown_fields"] = allow_unknown_fields
    return client.admin("schema.register", request)


def get_schema(client, subject: Optional[str] = None, version: int = 0, *, id: Optional[int] = None) -> Dict[str, Any]:
    """Fetches a stored schema (``schema.get``): a subject's version (0: the latest), or a schema by global id."""
    if id is not None:
        return client.admin("schema.get", {"id": id})
    if not subject:
        raise ValueError("give subject or id")
    return client.admin("schema.get", {"subject": subject, "version": version})


# -- compiled schemas -------------------------------------------------------------------------

_WIRE_NAMES = {0: "varint", 1: "64-bit", 2: "length-delimited", 3: "start-group", 4: "end-group", 5: "32-bit"}
_FIXED64 = {FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FIXED64, FieldDescriptor.TYPE_SFIXED64}
_FIXED32 = {FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_FIXED32, FieldDescriptor.TYPE_SFIXED32}
_DELIMITED = {FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES, FieldDescriptor.TYPE_MESSAGE}


def _expected_wire(field: FieldDescriptor) -> int:
    if field.type in _FIXED64:
        return 1
    if field.type in _FIXED32:
        return 5
    if field.type in _DELIMITED:
        return 2
    if field.type == FieldDescriptor.TYPE_GROUP:
        return 3
    return 0


def _is_repeated(field: FieldDescriptor) -> bool:
    return field.is_repeated


def _is_map(field: FieldDescriptor) -> bool:
    return field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.GetOptions().map_entry


class CompiledSchema:
    """One registered schema version, compiled for validation (from a ``schema.get`` document)."""

    def __init__(self, document: Mapping[str, Any], subject: str) -> None:
        self.subject = subject
        self.version = int(document.get("version") or 0)
        self.id = int(document["id"])
        self.format = document["format"]
        self.allow_unknown_fields = bool(document.get("allow_unknown_fields", True))
        if self.format == "json":
            self.json_schema = json.loads(document["schema"])
            validator_class = jsonschema.Draft202012Validator
            validator_class.check_schema(self.json_schema)
            self._json_validator = validator_class(self.json_schema, format_checker=validator_class.FORMAT_CHECKER)
            self.message_class = None
        elif self.format == "protobuf":
            files = descriptor_pb2.FileDescriptorSet.FromString(base64.b64decode(document["descriptor_set_base64"]))
            pool = descriptor_pool.DescriptorPool()
            for file in _dependency_order(files.file):
                pool.Add(file)
            self.descriptor: Descriptor = pool.FindMessageTypeByName(document["message"])
            self.message_class = message_factory.GetMessageClass(self.descriptor)
        else:
            raise JunctionError(f"schema {subject}: unknown format {self.format!r}")

    @property
    def content_type(self) -> int:
        """The content type events of this schema carry."""
        return event_pb2.CONTENT_TYPE_JSON if self.format == "json" else event_pb2.CONTENT_TYPE_PROTOBUF

    def _violation(self, path: str, rule: str, reason: str) -> SchemaViolation:
        return SchemaViolation("violation", self.subject, self.version, reason, path=path, rule=rule)

    def validate(self, detail: bytes, content_type: int = event_pb2.CONTENT_TYPE_UNSPECIFIED) -> Union[Dict[str, Any], Message, Any]:
        """Checks a detail and returns it decoded (a JSON value, or a protobuf message); raises :class:`SchemaViolation`."""
        if content_type not in (event_pb2.CONTENT_TYPE_UNSPECIFIED, self.content_type):
            raise self._violation(
                "content_type",
                "content-type",
                f"the event's content type is {event_pb2.ContentType.Name(content_type)}, but the schema is "
                f"{'a JSON Schema' if self.format == 'json' else 'protobuf'} (use {event_pb2.ContentType.Name(self.content_type)})",
            )
        if self.format == "json":
            return self._validate_json(detail)
        return self._validate_protobuf(detail)

    def _validate_json(self, detail: bytes) -> Any:
        try:
            document = json.loads(bytes(detail).decode("utf-8"), parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError) as error:
            raise self._violation("detail", "json", f"not valid JSON: {error}") from None
        error = jsonschema.exceptions.best_match(self._json_validator.iter_errors(document))
        if error is not None:
            path = "detail"
            for part in error.absolute_path:
                path += f"[{part}]" if isinstance(part, int) else f".{part}"
            raise self._violation(path, str(error.validator), error.message)
        return document

    def _validate_protobuf(self, detail: bytes) -> Message:
        message = self.message_class()
        try:
            message.ParseFromString(bytes(detail))
        except DecodeError as error:
            text = str(error)
            rule = "utf8" if "utf-8" in text.lower() or "utf8" in text.lower() else "malformed"
            raise self._violation("detail", rule, f"does not parse as {self.descriptor.full_name}: {text}") from None
        self._check(message, self.descriptor, "detail")
        return message

    def _check(self, message: Message, descriptor: Descriptor, path: str) -> None:
        for unknown in UnknownFieldSet(message):
            field = descriptor.fields_by_number.get(unknown.field_number)
            if field is None:
                if not self.allow_unknown_fields:
                    raise self._violation(
                        f"{path}.{unknown.field_number}",
                        "unknown-field",
                        f"field number {unknown.field_number} is not declared in {descriptor.full_name}",
                    )
                continue
            field_path = f"{path}.{field.json_name}"
            if field.enum_type is not None and unknown.wire_type == 0:
                raise self._violation(field_path, "enum-value", f"{unknown.data} is not a value of the closed enum {field.enum_type.full_name}")
            expected = _expected_wire(field)
            raise self._violation(
                field_path,
                "wire-type",
                f"expected {_WIRE_NAMES.get(expected, expected)}, found {_WIRE_NAMES.get(unknown.wire_type, unknown.wire_type)}",
            )
        for field, value in message.ListFields():
            if field.type != FieldDescriptor.TYPE_MESSAGE and field.type != FieldDescriptor.TYPE_GROUP:
                continue
            field_path = f"{path}.{field.json_name}"
            if _is_map(field):
                value_field = field.message_type.fields_by_name["value"]
                if value_field.type == FieldDescriptor.TYPE_MESSAGE:
                    for key, item in value.items():
                        self._check(item, value_field.message_type, f"{field_path}[{key}]")
            elif _is_repeated(field):
                for item in value:
                    self._check(item, field.message_type, field_path)
            else:
                self._check(value, field.message_type, field_path)
        for name in message.FindInitializationErrors() if path == "detail" else ():
            raise self._violation(f"detail.{name}", "required", f"required field {name} is missing")


def _dependency_order(files: Iterable[descriptor_pb2.FileDescriptorProto]) -> List[descriptor_pb2.FileDescriptorProto]:
    """The files with each one after its imports (protoc already writes them so; this makes sure)."""
    by_name = {f.name: f for f in files}
    ordered: List[descriptor_pb2.FileDescriptorProto] = []
    seen: set = set()

    def visit(name: str) -> None:
        if name in seen or name not in by_name:
            return
        seen.add(name)
        for dependency in by_name[name].dependency:
            visit(dependency)
        ordered.append(by_name[name])

    for name in by_name:
        visit(name)
    return ordered


# -- the cache --------------------------------------------------------------------------------


@dataclass
class _Latest:
    schema: CompiledSchema
    fetched: float


class SchemaCache:
    """Fetches schemas from the gateway once and validates events with them.

    Explicit versions are immutable and kept; version 0 ("latest") is fetched
    again after ``latest_ttl`` seconds. Not thread-safe: use one per thread.
    """

    def __init__(self, client, latest_ttl: float = 30.0) -> None:
        self._client = client
        self._latest_ttl = latest_ttl
        self._versions: Dict[Tuple[str, int], CompiledSchema] = {}
        self._latest: Dict[str, _Latest] = {}

    def schema(self, subject: str, version: int = 0) -> CompiledSchema:
        """The compiled schema of ``subject`` at ``version`` (0: the latest); raises :class:`SchemaViolation` when unknown."""
        if version:
            cached = self._versions.get((subject, version))
            if cached is not None:
                return cached
        else:
            latest = self._latest.get(subject)
            if latest is not None and time.monotonic() - latest.fetched < self._latest_ttl:
                return latest.schema
        try:
            document = get_schema(self._client, subject, version)
        except AdminError as error:
            if error.code == protocol_pb2.ERROR_NOT_FOUND:
                raise SchemaViolation("unknown-schema", subject, version, error.message) from None
            raise
        schema = CompiledSchema(document, subject)
        self._versions[(subject, schema.version)] = schema
        if not version:
            self._latest[subject] = _Latest(schema, time.monotonic())
        return schema

    def validate_event(self, event: "event_pb2.Event") -> Any:
        """Validates an event before publishing; returns its decoded detail, raises :class:`SchemaViolation`."""
        if not event.HasField("schema") or not event.schema.subject:
            raise SchemaViolation("missing-schema", "", 0, "the event has no schema reference (Event.schema)")
        schema = self.schema(event.schema.subject, event.schema.version)
        return schema.validate(event.detail, event.content_type)

    def validate_batch(self, events: Iterable["event_pb2.Event"]) -> None:
        """Validates every event; the :class:`SchemaViolation` names the first failing one's ``index``."""
        for index, event in enumerate(events):
            try:
                self.validate_event(event)
            except SchemaViolation as violation:
                violation.index = index
                violation.args = (str(violation),)
                raise

    def publish(self, events: Iterable["event_pb2.Event"], *, bus: str = "", timeout: float = 30.0):
        """Validates every event, then publishes them as one batch; when one fails nothing is sent."""
        batch = list(events)
        self.validate_batch(batch)
        return self._client.publish(batch, bus=bus, timeout=timeout)

    def validate_received(self, event: "event_pb2.Event") -> Any:
        """Validates a received event with the same checks; returns the decoded detail."""
        return self.validate_event(event)
