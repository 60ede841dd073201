from . import event_pb2 as _event_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RejectCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACCEPTED: _ClassVar[RejectCode]
    REJECT_INVALID_EVENT: _ClassVar[RejectCode]
    REJECT_TOO_LARGE: _ClassVar[RejectCode]
    REJECT_UNKNOWN_BUS: _ClassVar[RejectCode]
    REJECT_NOT_AUTHORIZED: _ClassVar[RejectCode]
    REJECT_SCHEMA_UNKNOWN: _ClassVar[RejectCode]
    REJECT_SCHEMA_VIOLATION: _ClassVar[RejectCode]
    REJECT_UNAVAILABLE: _ClassVar[RejectCode]
    REJECT_DUPLICATE: _ClassVar[RejectCode]
    REJECT_INTERNAL: _ClassVar[RejectCode]

class ErrorCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_UNSPECIFIED: _ClassVar[ErrorCode]
    ERROR_MALFORMED_FRAME: _ClassVar[ErrorCode]
    ERROR_FRAME_TOO_LARGE: _ClassVar[ErrorCode]
    ERROR_UNSUPPORTED_FLAGS: _ClassVar[ErrorCode]
    ERROR_INVALID_UTF8: _ClassVar[ErrorCode]
    ERROR_HELLO_REQUIRED: _ClassVar[ErrorCode]
    ERROR_UNAUTHENTICATED: _ClassVar[ErrorCode]
    ERROR_UNKNOWN_SUBSCRIPTION: _ClassVar[ErrorCode]
    ERROR_INVALID_PATTERN: _ClassVar[ErrorCode]
    ERROR_PERMISSION_DENIED: _ClassVar[ErrorCode]
    ERROR_LIMIT_EXCEEDED: _ClassVar[ErrorCode]
    ERROR_UNAVAILABLE: _ClassVar[ErrorCode]
    ERROR_INTERNAL: _ClassVar[ErrorCode]
    ERROR_INVALID_REQUEST: _ClassVar[ErrorCode]
    ERROR_NOT_FOUND: _ClassVar[ErrorCode]
    ERROR_ALREADY_EXISTS: _ClassVar[ErrorCode]
    ERROR_INCOMPATIBLE_SCHEMA: _ClassVar[ErrorCode]
ACCEPTED: RejectCode
REJECT_INVALID_EVENT: RejectCode
REJECT_TOO_LARGE: RejectCode
REJECT_UNKNOWN_BUS: RejectCode
REJECT_NOT_AUTHORIZED: RejectCode
REJECT_SCHEMA_UNKNOWN: RejectCode
REJECT_SCHEMA_VIOLATION: RejectCode
REJECT_UNAVAILABLE: RejectCode
REJECT_DUPLICATE: RejectCode
REJECT_INTERNAL: RejectCode
ERROR_UNSPECIFIED: ErrorCode
ERROR_MALFORMED_FRAME: ErrorCode
ERROR_FRAME_TOO_LARGE: ErrorCode
ERROR_UNSUPPORTED_FLAGS: ErrorCode
ERROR_INVALID_UTF8: ErrorCode
ERROR_HELLO_REQUIRED: ErrorCode
ERROR_UNAUTHENTICATED: ErrorCode
ERROR_UNKNOWN_SUBSCRIPTION: ErrorCode
ERROR_INVALID_PATTERN: ErrorCode
ERROR_PERMISSION_DENIED: ErrorCode
ERROR_LIMIT_EXCEEDED: ErrorCode
ERROR_UNAVAILABLE: ErrorCode
ERROR_INTERNAL: ErrorCode
ERROR_INVALID_REQUEST: ErrorCode
ERROR_NOT_FOUND: ErrorCode
ERROR_ALREADY_EXISTS: ErrorCode
ERROR_INCOMPATIBLE_SCHEMA: ErrorCode

class ClientFrame(_message.Message):
    __slots__ = ("hello", "publish", "subscribe", "ack", "nack", "credit", "unsubscribe", "ping", "close", "admin")
    HELLO_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIBE_FIELD_NUMBER: _ClassVar[int]
    ACK_FIELD_NUMBER: _ClassVar[int]
    NACK_FIELD_NUMBER: _ClassVar[int]
    CREDIT_FIELD_NUMBER: _ClassVar[int]
    UNSUBSCRIBE_FIELD_NUMBER: _ClassVar[int]
    PING_FIELD_NUMBER: _ClassVar[int]
    CLOSE_FIELD_NUMBER: _ClassVar[int]
    ADMIN_FIELD_NUMBER: _ClassVar[int]
    hello: Hello
    publish: PublishBatch
    subscribe: Subscribe
    ack: Ack
    nack: Nack
    credit: Credit
    unsubscribe: Unsubscribe
    ping: Ping
    close: Close
    admin: AdminRequest
    def __init__(self, hello: _Optional[_Union[Hello, _Mapping]] = ..., publish: _Optional[_Union[PublishBatch, _Mapping]] = ..., subscribe: _Optional[_Union[Subscribe, _Mapping]] = ..., ack: _Optional[_Union[Ack, _Mapping]] = ..., nack: _Optional[_Union[Nack, _Mapping]] = ..., credit: _Optional[_Union[Credit, _Mapping]] = ..., unsubscribe: _Optional[_Union[Unsubscribe, _Mapping]] = ..., ping: _Optional[_Union[Ping, _Mapping]] = ..., close: _Optional[_Union[Close, _Mapping]] = ..., admin: _Optional[_Union[AdminRequest, _Mapping]] = ...) -> None: ...

class ServerFrame(_message.Message):
    __slots__ = ("welcome", "publish_ack", "subscribed", "deliveries", "missed", "pong", "error", "closing", "unsubscribed", "admin_response")
    WELCOME_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_ACK_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIBED_FIELD_NUMBER: _ClassVar[int]
    DELIVERIES_FIELD_NUMBER: _ClassVar[int]
    MISSED_FIELD_NUMBER: _ClassVar[int]
    PONG_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CLOSING_FIELD_NUMBER: _ClassVar[int]
    UNSUBSCRIBED_FIELD_NUMBER: _ClassVar[int]
    ADMIN_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    welcome: Welcome
    publish_ack: PublishAck
    subscribed: Subscribed
    deliveries: Deliveries
    missed: Missed
    pong: Pong
    error: Error
    closing: Closing
    unsubscribed: Unsubscribed
    admin_response: AdminResponse
    def __init__(self, welcome: _Optional[_Union[Welcome, _Mapping]] = ..., publish_ack: _Optional[_Union[PublishAck, _Mapping]] = ..., subscribed: _Optional[_Union[Subscribed, _Mapping]] = ..., deliveries: _Optional[_Union[Deliveries, _Mapping]] = ..., missed: _Optional[_Union[Missed, _Mapping]] = ..., pong: _Optional[_Union[Pong, _Mapping]] = ..., error: _Optional[_Union[Error, _Mapping]] = ..., closing: _Optional[_Union[Closing, _Mapping]] = ..., unsubscribed: _Optional[_Union[Unsubscribed, _Mapping]] = ..., admin_response: _Optional[_Union[AdminResponse, _Mapping]] = ...) -> None: ...

class Hello(_message.Message):
    __slots__ = ("token", "client_name", "protocol_version")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    CLIENT_NAME_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    token: str
    client_name: str
    protocol_version: int
    def __init__(self, token: _Optional[str] = ..., client_name: _Optional[str] = ..., protocol_version: _Optional[int] = ...) -> None: ...

class Welcome(_message.Message):
    __slots__ = ("protocol_version", "server", "account", "max_frame_bytes", "max_batch_events", "max_event_bytes", "max_credits", "session_id")
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    SERVER_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    MAX_FRAME_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_BATCH_EVENTS_FIELD_NUMBER: _ClassVar[int]
    MAX_EVENT_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_CREDITS_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    protocol_version: int
    server: str
    account: str
    max_frame_bytes: int
    max_batch_events: int
    max_event_bytes: int
    max_credits: int
    session_id: str
    def __init__(self, protocol_version: _Optional[int] = ..., server: _Optional[str] = ..., account: _Optional[str] = ..., max_frame_bytes: _Optional[int] = ..., max_batch_events: _Optional[int] = ..., max_event_bytes: _Optional[int] = ..., max_credits: _Optional[int] = ..., session_id: _Optional[str] = ...) -> None: ...

class PublishBatch(_message.Message):
    __slots__ = ("batch_id", "events", "bus")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    BUS_FIELD_NUMBER: _ClassVar[int]
    batch_id: int
    events: _containers.RepeatedCompositeFieldContainer[_event_pb2.Event]
    bus: str
    def __init__(self, batch_id: _Optional[int] = ..., events: _Optional[_Iterable[_Union[_event_pb2.Event, _Mapping]]] = ..., bus: _Optional[str] = ...) -> None: ...

class EventResult(_message.Message):
    __slots__ = ("id", "position", "code", "message")
    ID_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    id: str
    position: int
    code: RejectCode
    message: str
    def __init__(self, id: _Optional[str] = ..., position: _Optional[int] = ..., code: _Optional[_Union[RejectCode, str]] = ..., message: _Optional[str] = ...) -> None: ...

class PublishAck(_message.Message):
    __slots__ = ("batch_id", "results", "accepted")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    batch_id: int
    results: _containers.RepeatedCompositeFieldContainer[EventResult]
    accepted: int
    def __init__(self, batch_id: _Optional[int] = ..., results: _Optional[_Iterable[_Union[EventResult, _Mapping]]] = ..., accepted: _Optional[int] = ...) -> None: ...

class Subscribe(_message.Message):
    __slots__ = ("subscription_id", "pattern", "subscription", "bus", "credits")
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    PATTERN_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIPTION_FIELD_NUMBER: _ClassVar[int]
    BUS_FIELD_NUMBER: _ClassVar[int]
    CREDITS_FIELD_NUMBER: _ClassVar[int]
    subscription_id: int
    pattern: str
    subscription: str
    bus: str
    credits: int
    def __init__(self, subscription_id: _Optional[int] = ..., pattern: _Optional[str] = ..., subscription: _Optional[str] = ..., bus: _Optional[str] = ..., credits: _Optional[int] = ...) -> None: ...

class Subscribed(_message.Message):
    __slots__ = ("subscription_id", "queue_limit")
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    QUEUE_LIMIT_FIELD_NUMBER: _ClassVar[int]
    subscription_id: int
    queue_limit: int
    def __init__(self, subscription_id: _Optional[int] = ..., queue_limit: _Optional[int] = ...) -> None: ...

class Deliveries(_message.Message):
    __slots__ = ("subscription_id", "deliveries")
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    DELIVERIES_FIELD_NUMBER: _ClassVar[int]
    subscription_id: int
    deliveries: _containers.RepeatedCompositeFieldContainer[Delivery]
    def __init__(self, subscription_id: _Optional[int] = ..., deliveries: _Optional[_Iterable[_Union[Delivery, _Mapping]]] = ...) -> None: ...

class Delivery(_message.Message):
    __slots__ = ("delivery_id", "attempt", "event")
    DELIVERY_ID_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    delivery_id: int
    attempt: int
    event: _event_pb2.Event
    def __init__(self, delivery_id: _Optional[int] = ..., attempt: _Optional[int] = ..., event: _Optional[_Union[_event_pb2.Event, _Mapping]] = ...) -> None: ...

class Missed(_message.Message):
    __slots__ = ("subscription_id", "count", "total")
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    subscription_id: int
    count: int
    total: int
    def __init__(self, subscription_id: _Optional[int] = ..., count: _Optional[int] = ..., total: _Optional[int] = ...) -> None: ...

class Credit(_message.Message):
    __slots__ = ("subscription_id", "credits")
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    CREDITS_FIELD_NUMBER: _ClassVar[int]
    subscription_id: int
    credits: int
    def __init__(self, subscription_id: _Optional[int] = ..., credits: _Optional[int] = ...) -> None: ...

class Ack(_message.Message):
    __slots__ = ("subscription_id", "delivery_ids")
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_IDS_FIELD_NUMBER: _ClassVar[int]
    subscription_id: int
    delivery_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, subscription_id: _Optional[int] = ..., delivery_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class Nack(_message.Message):
    __slots__ = ("subscription_id", "delivery_ids", "delay_ms", "reason")
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_IDS_FIELD_NUMBER: _ClassVar[int]
    DELAY_MS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    subscription_id: int
    delivery_ids: _containers.RepeatedScalarFieldContainer[int]
    delay_ms: int
    reason: str
    def __init__(self, subscription_id: _Optional[int] = ..., delivery_ids: _Optional[_Iterable[int]] = ..., delay_ms: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class Unsubscribe(_message.Message):
    __slots__ = ("subscription_id",)
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    subscription_id: int
    def __init__(self, subscription_id: _Optional[int] = ...) -> None: ...

class Unsubscribed(_message.Message):
    __slots__ = ("subscription_id", "reason")
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    subscription_id: int
    reason: str
    def __init__(self, subscription_id: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class Ping(_message.Message):
    __slots__ = ("nonce",)
    NONCE_FIELD_NUMBER: _ClassVar[int]
    nonce: int
    def __init__(self, nonce: _Optional[int] = ...) -> None: ...

class Pong(_message.Message):
    __slots__ = ("nonce",)
    NONCE_FIELD_NUMBER: _ClassVar[int]
    nonce: int
    def __init__(self, nonce: _Optional[int] = ...) -> None: ...

class Close(_message.Message):
    __slots__ = ("reason",)
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...

class Closing(_message.Message):
    __slots__ = ("reason",)
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...

class Error(_message.Message):
    __slots__ = ("code", "message", "fatal", "subscription_id", "batch_id")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FATAL_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    code: ErrorCode
    message: str
    fatal: bool
    subscription_id: int
    batch_id: int
    def __init__(self, code: _Optional[_Union[ErrorCode, str]] = ..., message: _Optional[str] = ..., fatal: _Optional[bool] = ..., subscription_id: _Optional[int] = ..., batch_id: _Optional[int] = ...) -> None: ...

class AdminRequest(_message.Message):
    __slots__ = ("request_id", "operation", "body")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    request_id: int
    operation: str
    body: bytes
    def __init__(self, request_id: _Optional[int] = ..., operation: _Optional[str] = ..., body: _Optional[bytes] = ...) -> None: ...

class AdminResponse(_message.Message):
    __slots__ = ("request_id", "ok", "code", "message", "body")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    OK_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    request_id: int
    ok: bool
    code: ErrorCode
    message: str
    body: bytes
    def __init__(self, request_id: _Optional[int] = ..., ok: _Optional[bool] = ..., code: _Optional[_Union[ErrorCode, str]] = ..., message: _Optional[str] = ..., body: _Optional[bytes] = ...) -> None: ...
