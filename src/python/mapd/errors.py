"""The errors mapd raises: one class per status code of the contract, each with the daemon's message."""

from __future__ import annotations

from typing import Any

import grpc


class MapdError(Exception):
    """A mapd call failed. ``code`` is the gRPC status name (``"NOT_FOUND"``, ...) and the
    message is the daemon's own, which says what to do about it."""

    code: str = "UNKNOWN"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFound(MapdError):
    """The region does not exist (or this session has not opened it)."""

    code = "NOT_FOUND"


class AlreadyExists(MapdError):
    """A region of that name exists already."""

    code = "ALREADY_EXISTS"


class PermissionDenied(MapdError):
    """The region's owner, group and mode do not let this user do that."""

    code = "PERMISSION_DENIED"


class InvalidArgument(MapdError, ValueError):
    """A bad name, size, access, offset or length. Also a ``ValueError``, as Python's own
    argument errors are."""

    code = "INVALID_ARGUMENT"


class ResourceExhausted(MapdError):
    """Capacity, a quota, or the descriptors a session may leave unread ran out."""

    code = "RESOURCE_EXHAUSTED"


class FailedPrecondition(MapdError):
    """The region is not in the state the call expects (generation mismatch, no session)."""

    code = "FAILED_PRECONDITION"


class Unavailable(MapdError):
    """The daemon is not reachable, is shutting down, or went away during the call."""

    code = "UNAVAILABLE"


_BY_CODE: dict[str, type[MapdError]] = {
    cls.code: cls for cls in (NotFound, AlreadyExists, PermissionDenied, InvalidArgument, ResourceExhausted, FailedPrecondition, Unavailable)
}


def error_from_rpc(error: Any) -> MapdError:
    """The MapdError for a ``grpc.RpcError`` (which is also a ``grpc.Call``)."""
    code = error.code()
    name: str = code.name if code is not None else "UNKNOWN"
    message = error.details() or f"mapd call failed with {name}"
    cls = _BY_CODE.get(name, MapdError)
    return cls(message) if cls is not MapdError else MapdError(message, code=name)


def error_from_code(code: int, message: str) -> MapdError:
    """The MapdError for a gRPC status code given as its number (as the session socket sends it)."""
    name = next((c.name for c in grpc.StatusCode if c.value[0] == code), "UNKNOWN")
    cls = _BY_CODE.get(name, MapdError)
    return cls(message) if cls is not MapdError else MapdError(message, code=name)
