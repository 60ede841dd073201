"""Python client for the Junction event gateway (protocol junction/1).

Written from ``Protos/junction/v1`` only: TLS with the standard ``ssl``
module, framing of 1 flag byte + 4-byte big-endian length + one protobuf
message, and the conversation described in ``protocol.proto``.

Typical use::

    from junction_client import JunctionClient, make_event

    with JunctionClient.connect("127.0.0.1", 7400, token=token, ca_file="ca.pem") as client:
        result = client.publish([make_event("com.example.orders", "OrderPlaced", {"id": 1})])
        stream = client.subscribe({"source": ["com.example.orders"]}, credits=100)
        delivery = stream.next(timeout=5)
        stream.ack([delivery.delivery_id])
"""

from .client import DEFAULT_CLIENT_NAME, PROTOCOL_VERSION, JunctionClient, PendingBatch
from .errors import (
    AdminError,
    ConnectionClosed,
    FramingError,
    JunctionError,
    JunctionTimeout,
    ProtocolViolation,
    ServerError,
    SubscriptionClosed,
    TlsError,
    error_code_name,
)
from .events import BatchResult, EventOutcome, make_event, reject_code_name
from .framing import HEADER_SIZE, FrameDecoder, encode_frame, encode_header
from .gen import event_pb2, protocol_pb2
from .raw import RawConnection
from .schemas import CompiledSchema, SchemaCache, SchemaViolation, get_schema, register_schema
from .subscription import Subscription
from .subscriptions import (
    create_rule,
    create_subscription,
    delete_rule,
    delete_subscription,
    get_subscription,
    list_rules,
    list_subscriptions,
    replay,
)
from .transport import ALPN_PROTOCOL, TlsTransport, make_tls_context

__all__ = [
    "create_rule",
    "delete_rule",
    "list_rules",
    "create_subscription",
    "delete_subscription",
    "get_subscription",
    "list_subscriptions",
    "replay",
    "ALPN_PROTOCOL",
    "AdminError",
    "CompiledSchema",
    "SchemaCache",
    "SchemaViolation",
    "get_schema",
    "register_schema",
    "BatchResult",
    "ConnectionClosed",
    "DEFAULT_CLIENT_NAME",
    "EventOutcome",
    "FrameDecoder",
    "FramingError",
    "HEADER_SIZE",
    "JunctionClient",
    "JunctionError",
    "JunctionTimeout",
    "PROTOCOL_VERSION",
    "PendingBatch",
    "ProtocolViolation",
    "RawConnection",
    "ServerError",
    "Subscription",
    "SubscriptionClosed",
    "TlsError",
    "TlsTransport",
    "encode_frame",
    "encode_header",
    "error_code_name",
    "event_pb2",
    "make_event",
    "make_tls_context",
    "protocol_pb2",
    "reject_code_name",
]
