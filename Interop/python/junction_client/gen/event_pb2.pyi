from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ContentType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONTENT_TYPE_UNSPECIFIED: _ClassVar[ContentType]
    CONTENT_TYPE_JSON: _ClassVar[ContentType]
    CONTENT_TYPE_PROTOBUF: _ClassVar[ContentType]
    CONTENT_TYPE_BINARY: _ClassVar[ContentType]
CONTENT_TYPE_UNSPECIFIED: ContentType
CONTENT_TYPE_JSON: ContentType
CONTENT_TYPE_PROTOBUF: ContentType
CONTENT_TYPE_BINARY: ContentType

class SchemaRef(_message.Message):
    __slots__ = ("subject", "version")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    subject: str
    version: int
    def __init__(self, subject: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("id", "source", "detail_type", "time_unix_nanos", "subject", "resources", "account", "bus", "schema", "content_type", "detail", "attributes", "position")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_TYPE_FIELD_NUMBER: _ClassVar[int]
    TIME_UNIX_NANOS_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    BUS_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    id: str
    source: str
    detail_type: str
    time_unix_nanos: int
    subject: str
    resources: _containers.RepeatedScalarFieldContainer[str]
    account: str
    bus: str
    schema: SchemaRef
    content_type: ContentType
    detail: bytes
    attributes: _containers.ScalarMap[str, str]
    position: int
    def __init__(self, id: _Optional[str] = ..., source: _Optional[str] = ..., detail_type: _Optional[str] = ..., time_unix_nanos: _Optional[int] = ..., subject: _Optional[str] = ..., resources: _Optional[_Iterable[str]] = ..., account: _Optional[str] = ..., bus: _Optional[str] = ..., schema: _Optional[_Union[SchemaRef, _Mapping]] = ..., content_type: _Optional[_Union[ContentType, str]] = ..., detail: _Optional[bytes] = ..., attributes: _Optional[_Mapping[str, str]] = ..., position: _Optional[int] = ...) -> None: ...
