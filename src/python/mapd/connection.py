"""One session with the daemon and the gRPC channel its calls use."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import cast

import grpc

from .discovery import GRPC_SOCKET, SESSION_SOCKET
from .session import SessionSocket
from .stubs import EventCall, RegionsStub
from .v1 import mapd_pb2 as pb
from .v1 import mapd_pb2_grpc

SUBSCRIBE_TIMEOUT = 10.0
WATCH_RETRY_DELAY = 0.1


class Connection:
    """A session socket, a gRPC channel to ``mapd.sock`` and the ``mapd-session`` metadata that
    names the session; replaced as a whole when the daemon restarts. It also runs the session's
    own Watch (every region the session maps) and passes each event to ``on_event``."""

    def __init__(self, directory: str, on_event: Callable[[pb.RegionEvent], None], on_lost: Callable[[Connection], None]) -> None:
        """Connects the session socket (raises OSError when nothing serves there) and opens the channel."""
        self.directory = directory
        self.session = SessionSocket(os.path.join(directory, SESSION_SOCKET), lambda: on_lost(self))
        self.channel = grpc.insecure_channel(
            "unix:" + os.path.join(directory, GRPC_SOCKET),
            # A proxy configured for HTTP has nothing to do with a Unix socket.
            options=[("grpc.enable_http_proxy", 0)],
        )
        # The generated stub is untyped; RegionsStub describes it (tests check it against the proto).
        self.stub = cast(RegionsStub, mapd_pb2_grpc.RegionsStub(self.channel))  # type: ignore[no-untyped-call]
        self.headers = (("mapd-session", self.session.id),)
        self._on_event = on_event
        self._lock = threading.Lock()
        self._closed = False
        self._watch_call: EventCall | None = None
        self._subscribed = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name=f"mapd watch {self.session.id[:8]}", daemon=True)

    @property
    def lost(self) -> bool:
        """True once the daemon ended the session."""
        return self.session.closed.is_set()

    def start_watching(self) -> None:
        """Starts the session's Watch and returns once the daemon has subscribed it, so no later
        event can be missed. Raises OSError when the session ends or the daemon does not answer."""
        self._watcher.start()
        deadline_hit = not self._subscribed.wait(SUBSCRIBE_TIMEOUT)
        if self.lost:
            raise OSError(f"mapd ended the session on {self.session.path} before its Watch started")
        if deadline_hit:
            raise OSError(f"mapd did not start a Watch within {SUBSCRIBE_TIMEOUT} s on {self.directory}/{GRPC_SOCKET}")

    def close(self) -> None:
        """Ends the watch, the channel and the session (the daemon then drops what it mapped)."""
        with self._lock:
            self._closed = True
            call = self._watch_call
        if call is not None:
            call.cancel()
        self.session.close()
        self.channel.close()

    def _watch(self) -> None:
        while True:
            with self._lock:
                if self._closed or self.lost:
                    self._subscribed.set()
                    return
                call = self.stub.Watch(pb.WatchRequest(), metadata=self.headers)
                self._watch_call = call
            try:
                call.initial_metadata()  # headers come once the subscription exists
                if not call.done():
                    self._subscribed.set()
                for event in call:
                    self._on_event(event)
            except grpc.RpcError:
                pass
            # The daemon ended the stream (it is stopping, or this watch fell behind): watch again
            # unless the session is over; the CURRENT events that open a stream resynchronise.
            self.session.closed.wait(WATCH_RETRY_DELAY)
