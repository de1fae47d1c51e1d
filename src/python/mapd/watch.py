"""The events of ``Client.watch``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from types import TracebackType
from typing import Protocol

import grpc

from .connection import Connection
from .errors import error_from_rpc
from .info import RegionEvent
from .stubs import EventCall
from .v1 import mapd_pb2 as pb


class ConnectionSource(Protocol):
    """Where a stream gets its connection, and its replacement once the daemon is back."""

    def _usable_connection(self) -> Connection: ...

    def _next_connection(self, lost: Connection) -> Connection: ...


class EventStream(Iterator[RegionEvent]):
    """An iterator of :class:`RegionEvent`: first a CURRENT event per watched region that exists,
    then every change as it happens. Iterating blocks until the next event; :meth:`close` (from
    any thread) or leaving a ``with`` block ends it. If the daemon restarts, the stream waits
    for it and resumes with fresh CURRENT events."""

    def __init__(self, source: ConnectionSource, names: tuple[str, ...]) -> None:
        """Subscribes before returning, so no event after this call is missed."""
        self._source = source
        self._names = names
        self._lock = threading.Lock()
        self._closed = False
        self._connection = source._usable_connection()
        self._call: EventCall | None = self._subscribe(self._connection)

    def __iter__(self) -> EventStream:
        return self

    def __next__(self) -> RegionEvent:
        while True:
            with self._lock:
                if self._closed:
                    raise StopIteration
                if self._call is None:
                    self._connection = self._source._usable_connection()
                    self._call = self._subscribe(self._connection)
                call, connection = self._call, self._connection
            try:
                return RegionEvent.from_proto(next(call))
            except StopIteration:
                self.close()
                raise
            except grpc.RpcError as e:
                if self._closed:
                    raise StopIteration from None
                if e.code() != grpc.StatusCode.UNAVAILABLE:
                    raise error_from_rpc(e) from None
            # The daemon went away: wait for it, then watch again.
            with self._lock:
                self._call = None
            self._source._next_connection(connection)

    def _subscribe(self, connection: Connection) -> EventCall:
        call = connection.stub.Watch(pb.WatchRequest(names=self._names), metadata=connection.headers)
        call.initial_metadata()  # the daemon sends headers once the subscription exists
        return call

    def close(self) -> None:
        """Ends the stream; a blocked iteration ends with StopIteration."""
        with self._lock:
            self._closed = True
            call = self._call
        if call is not None:
            call.cancel()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None) -> None:
        self.close()
