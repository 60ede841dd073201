"""Building events and reading publish results."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, List, Mapping, Optional, Sequence, Union

from .gen import event_pb2, protocol_pb2

Event = event_pb2.Event
"""The generated ``junction.v1.Event`` message class."""

Detail = Union[bytes, bytearray, str, Mapping[str, Any], None]


def make_event(
    source: str,
    detail_type: str,
    detail: Detail = None,
    *,
    id: str = "",
    time_unix_nanos: int = 0,
    subject: str = "",
    resources: Sequence[str] = (),
    bus: str = "",
    content_type: Optional[int] = None,
    attributes: Optional[Mapping[str, str]] = None,
    schema_subject: str = "",
    schema_version: int = 0,
) -> "event_pb2.Event":
    """Returns a ``junction.v1.Event``.

    ``detail`` may be a mapping (encoded as compact JSON, content type JSON),
    ``str`` (UTF-8 JSON text, content type JSON), or bytes (content type BINARY
    unless ``content_type`` says otherwise). Empty ``id`` and zero
    ``time_unix_nanos`` let the gateway stamp them. ``account`` is always set
    by the gateway and cannot be given.
    """
    event = event_pb2.Event(
        id=id,
        source=source,
        detail_type=detail_type,
        time_unix_nanos=time_unix_nanos,
        subject=subject,
        resources=list(resources),
        bus=bus,
    )
    inferred = event_pb2.CONTENT_TYPE_UNSPECIFIED
    if isinstance(detail, Mapping):
        event.detail = json.dumps(detail, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        inferred = event_pb2.CONTENT_TYPE_JSON
    elif isinstance(detail, str):
        event.detail = detail.encode("utf-8")
        inferred = event_pb2.CONTENT_TYPE_JSON
    elif isinstance(detail, (bytes, bytearray)):
        event.detail = bytes(detail)
        inferred = event_pb2.CONTENT_TYPE_BINARY
    elif detail is not None:
        raise TypeError(f"detail must be a mapping, str or bytes, got {type(detail).__name__}")
    event.content_type = inferred if content_type is None else content_type
    if attributes:
        event.attributes.update(attributes)
    if schema_subject:
        event.schema.subject = schema_subject
        event.schema.version = schema_version
    return event


def reject_code_name(code: int) -> str:
    """Returns the protobuf name of a ``RejectCode`` value, or ``"REJECT_<n>"`` for an unknown one."""
    try:
        return protocol_pb2.RejectCode.Name(code)
    except ValueError:
        return f"REJECT_{code}"


@dataclass(frozen=True)
class EventOutcome:
    """What the gateway did with one published event."""

    id: str
    """The event's id: the one given, or the one the gateway assigned."""
    position: int
    """Log position of the stored event; 0 when rejected."""
    code: int
    """``RejectCode``: ``ACCEPTED`` (0) or why not."""
    message: str
    """Empty when accepted; otherwise the reason, naming the field."""

    @property
    def accepted(self) -> bool:
        """True when the event was accepted (``code == ACCEPTED``)."""
        return self.code == protocol_pb2.ACCEPTED

    @property
    def code_name(self) -> str:
        """The name of ``code``, for example ``"REJECT_INVALID_EVENT"``."""
        return reject_code_name(self.code)

    @classmethod
    def from_result(cls, result: "protocol_pb2.EventResult") -> "EventOutcome":
        """Builds an outcome from a decoded ``junction.v1.EventResult``."""
        return cls(id=result.id, position=result.position, code=result.code, message=result.message)


@dataclass(frozen=True)
class BatchResult:
    """The gateway's answer to one publish batch: one outcome per event, in the batch's order."""

    batch_id: int
    outcomes: List[EventOutcome] = field(default_factory=list)
    accepted: int = 0
    """How many outcomes are accepted, as the server counted them."""

    @property
    def all_accepted(self) -> bool:
        """True when every event of the batch was accepted."""
        return all(outcome.accepted for outcome in self.outcomes)

    @property
    def rejected(self) -> List[EventOutcome]:
        """The outcomes that are not accepted."""
        return [outcome for outcome in self.outcomes if not outcome.accepted]

    def __len__(self) -> int:
        return len(self.outcomes)

    def __getitem__(self, index: int) -> EventOutcome:
        return self.outcomes[index]
