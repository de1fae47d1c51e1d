"""Types for the generated gRPC stub (grpc_python_plugin writes untyped code): the calls this
package makes, with their request and response messages. tests/test_generated_code.py checks
them against the service in the generated descriptor."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, TypeVar

from .v1 import mapd_pb2 as pb

Request = TypeVar("Request", contravariant=True)
Response = TypeVar("Response", covariant=True)
Metadata = Sequence[tuple[str, str]]


class UnaryCall(Protocol[Request, Response]):
    """A unary method of the stub (``grpc.UnaryUnaryMultiCallable``)."""

    def __call__(self, request: Request, *, metadata: Metadata = ..., timeout: float | None = ...) -> Response: ...


class EventCall(Protocol):
    """A running Watch call: an iterator of events that is also a ``grpc.Call``."""

    def __iter__(self) -> Iterator[pb.RegionEvent]: ...

    def __next__(self) -> pb.RegionEvent: ...

    def initial_metadata(self) -> object: ...

    def done(self) -> bool: ...

    def cancel(self) -> bool: ...


class WatchCall(Protocol):
    """The server-streaming Watch method (``grpc.UnaryStreamMultiCallable``)."""

    def __call__(self, request: pb.WatchRequest, *, metadata: Metadata = ...) -> EventCall: ...


class RegionsStub(Protocol):
    """``mapd_pb2_grpc.RegionsStub``, typed for the calls this package makes."""

    Create: UnaryCall[pb.CreateRequest, pb.OpenResponse]
    Open: UnaryCall[pb.OpenRequest, pb.OpenResponse]
    Get: UnaryCall[pb.GetRequest, pb.Region]
    List: UnaryCall[pb.ListRequest, pb.ListResponse]
    Resize: UnaryCall[pb.ResizeRequest, pb.Region]
    Delete: UnaryCall[pb.DeleteRequest, pb.DeleteResponse]
    Close: UnaryCall[pb.CloseRequest, pb.CloseResponse]
    Release: UnaryCall[pb.ReleaseRequest, pb.ReleaseResponse]
    Watch: WatchCall
