from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

ACCESS_READ_ONLY: Access
ACCESS_READ_WRITE: Access
ACCESS_UNSPECIFIED: Access
DESCRIPTOR: _descriptor.FileDescriptor

class CloseRequest(_message.Message):
    __slots__ = ["name"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class CloseResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class CreateRequest(_message.Message):
    __slots__ = ["max_size", "mode", "name", "size"]
    MAX_SIZE_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    max_size: int
    mode: int
    name: str
    size: int
    def __init__(self, name: _Optional[str] = ..., size: _Optional[int] = ..., mode: _Optional[int] = ..., max_size: _Optional[int] = ...) -> None: ...

class DeleteRequest(_message.Message):
    __slots__ = ["name"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeleteResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetRequest(_message.Message):
    __slots__ = ["name"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListRequest(_message.Message):
    __slots__ = ["page_size", "page_token", "prefix"]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PREFIX_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    prefix: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., prefix: _Optional[str] = ...) -> None: ...

class ListResponse(_message.Message):
    __slots__ = ["next_page_token", "regions"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    regions: _containers.RepeatedCompositeFieldContainer[Region]
    def __init__(self, regions: _Optional[_Iterable[_Union[Region, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListSessionsRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListSessionsResponse(_message.Message):
    __slots__ = ["sessions"]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    sessions: _containers.RepeatedCompositeFieldContainer[SessionInfo]
    def __init__(self, sessions: _Optional[_Iterable[_Union[SessionInfo, _Mapping]]] = ...) -> None: ...

class Mapper(_message.Message):
    __slots__ = ["blocking", "generation", "pid", "since", "uid"]
    BLOCKING_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UID_FIELD_NUMBER: _ClassVar[int]
    blocking: bool
    generation: int
    pid: int
    since: _timestamp_pb2.Timestamp
    uid: int
    def __init__(self, pid: _Optional[int] = ..., uid: _Optional[int] = ..., generation: _Optional[int] = ..., since: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., blocking: bool = ...) -> None: ...

class OpenRequest(_message.Message):
    __slots__ = ["access", "name"]
    ACCESS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    access: Access
    name: str
    def __init__(self, name: _Optional[str] = ..., access: _Optional[_Union[Access, str]] = ...) -> None: ...

class OpenResponse(_message.Message):
    __slots__ = ["access", "handoff_id", "region"]
    ACCESS_FIELD_NUMBER: _ClassVar[int]
    HANDOFF_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    access: Access
    handoff_id: int
    region: Region
    def __init__(self, region: _Optional[_Union[Region, _Mapping]] = ..., handoff_id: _Optional[int] = ..., access: _Optional[_Union[Access, str]] = ...) -> None: ...

class PendingShrink(_message.Message):
    __slots__ = ["generation", "hole_punched", "recovering", "since"]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    HOLE_PUNCHED_FIELD_NUMBER: _ClassVar[int]
    RECOVERING_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    generation: int
    hole_punched: bool
    recovering: bool
    since: _timestamp_pb2.Timestamp
    def __init__(self, generation: _Optional[int] = ..., since: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., hole_punched: bool = ..., recovering: bool = ...) -> None: ...

class PingRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class PingResponse(_message.Message):
    __slots__ = ["session_open"]
    SESSION_OPEN_FIELD_NUMBER: _ClassVar[int]
    session_open: bool
    def __init__(self, session_open: bool = ...) -> None: ...

class Region(_message.Message):
    __slots__ = ["created_at", "generation", "gid", "mapper_details", "mappers", "max_size", "mode", "name", "owner_uid", "pending_shrink", "pending_size", "size"]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    GID_FIELD_NUMBER: _ClassVar[int]
    MAPPERS_FIELD_NUMBER: _ClassVar[int]
    MAPPER_DETAILS_FIELD_NUMBER: _ClassVar[int]
    MAX_SIZE_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_UID_FIELD_NUMBER: _ClassVar[int]
    PENDING_SHRINK_FIELD_NUMBER: _ClassVar[int]
    PENDING_SIZE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    created_at: _timestamp_pb2.Timestamp
    generation: int
    gid: int
    mapper_details: _containers.RepeatedCompositeFieldContainer[Mapper]
    mappers: int
    max_size: int
    mode: int
    name: str
    owner_uid: int
    pending_shrink: PendingShrink
    pending_size: int
    size: int
    def __init__(self, name: _Optional[str] = ..., size: _Optional[int] = ..., generation: _Optional[int] = ..., owner_uid: _Optional[int] = ..., gid: _Optional[int] = ..., mode: _Optional[int] = ..., pending_size: _Optional[int] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., mappers: _Optional[int] = ..., max_size: _Optional[int] = ..., mapper_details: _Optional[_Iterable[_Union[Mapper, _Mapping]]] = ..., pending_shrink: _Optional[_Union[PendingShrink, _Mapping]] = ...) -> None: ...

class RegionEvent(_message.Message):
    __slots__ = ["kind", "region"]
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = []
    CURRENT: RegionEvent.Kind
    DELETED: RegionEvent.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    KIND_UNSPECIFIED: RegionEvent.Kind
    REGION_FIELD_NUMBER: _ClassVar[int]
    RESIZED: RegionEvent.Kind
    SHRINK_PENDING: RegionEvent.Kind
    kind: RegionEvent.Kind
    region: Region
    def __init__(self, region: _Optional[_Union[Region, _Mapping]] = ..., kind: _Optional[_Union[RegionEvent.Kind, str]] = ...) -> None: ...

class ReleaseRequest(_message.Message):
    __slots__ = ["generation", "name"]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    generation: int
    name: str
    def __init__(self, name: _Optional[str] = ..., generation: _Optional[int] = ...) -> None: ...

class ReleaseResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ResizeRequest(_message.Message):
    __slots__ = ["expected_generation", "name", "size"]
    EXPECTED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    expected_generation: int
    name: str
    size: int
    def __init__(self, name: _Optional[str] = ..., size: _Optional[int] = ..., expected_generation: _Optional[int] = ...) -> None: ...

class SessionInfo(_message.Message):
    __slots__ = ["id_prefix", "pid", "regions", "since", "uid", "unread_fds"]
    ID_PREFIX_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UID_FIELD_NUMBER: _ClassVar[int]
    UNREAD_FDS_FIELD_NUMBER: _ClassVar[int]
    id_prefix: str
    pid: int
    regions: _containers.RepeatedScalarFieldContainer[str]
    since: _timestamp_pb2.Timestamp
    uid: int
    unread_fds: int
    def __init__(self, id_prefix: _Optional[str] = ..., pid: _Optional[int] = ..., uid: _Optional[int] = ..., regions: _Optional[_Iterable[str]] = ..., since: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., unread_fds: _Optional[int] = ...) -> None: ...

class StatusRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class StatusResponse(_message.Message):
    __slots__ = ["capacity_bytes", "health", "health_detail", "pending_shrinks", "regions", "sessions", "started_at", "storage_path", "used_bytes", "version"]
    CAPACITY_BYTES_FIELD_NUMBER: _ClassVar[int]
    HEALTH_DETAIL_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    PENDING_SHRINKS_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    STORAGE_PATH_FIELD_NUMBER: _ClassVar[int]
    USED_BYTES_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    capacity_bytes: int
    health: str
    health_detail: str
    pending_shrinks: int
    regions: int
    sessions: int
    started_at: _timestamp_pb2.Timestamp
    storage_path: str
    used_bytes: int
    version: str
    def __init__(self, version: _Optional[str] = ..., started_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., capacity_bytes: _Optional[int] = ..., used_bytes: _Optional[int] = ..., regions: _Optional[int] = ..., sessions: _Optional[int] = ..., health: _Optional[str] = ..., health_detail: _Optional[str] = ..., storage_path: _Optional[str] = ..., pending_shrinks: _Optional[int] = ...) -> None: ...

class WatchRequest(_message.Message):
    __slots__ = ["names"]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, names: _Optional[_Iterable[str]] = ...) -> None: ...

class Access(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
