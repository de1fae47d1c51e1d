"""mapd: shared-memory regions that grow and shrink while other processes use them.

    import mapd

    with mapd.connect() as client:
        with client.create("orders", 64 << 20, mode=0o640) as region:
            with region.view() as memory:
                memory[:5] = b"hello"

See ``connect``, ``Client``, ``Region`` and the errors (``MapdError`` and its subclasses).
"""

from .client import Client, connect
from .errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    MapdError,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unavailable,
)
from .info import EventKind, Mapper, PendingShrink, RegionEvent, RegionInfo
from .region import Region
from .watch import EventStream

# Tracebacks and reprs name the classes where users import them from: mapd.NotFound, not mapd.errors.NotFound.
for _public in (Client, EventStream, Region, RegionInfo, RegionEvent, EventKind, Mapper, PendingShrink, MapdError, NotFound,
                AlreadyExists, PermissionDenied, InvalidArgument, ResourceExhausted, FailedPrecondition, Unavailable):
    _public.__module__ = __name__
del _public

__all__ = [
    "AlreadyExists",
    "Client",
    "EventKind",
    "EventStream",
    "FailedPrecondition",
    "InvalidArgument",
    "MapdError",
    "Mapper",
    "NotFound",
    "PendingShrink",
    "PermissionDenied",
    "Region",
    "RegionEvent",
    "RegionInfo",
    "ResourceExhausted",
    "Unavailable",
    "connect",
]
