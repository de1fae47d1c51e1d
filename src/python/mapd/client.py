"""The connection to mapd a process uses: calls, regions, and following the daemon through restarts."""

from __future__ import annotations

import builtins
import logging
import os
import queue
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import TypeVar

import grpc

from .connection import Connection
from .discovery import SESSION_SOCKET, Discovery, discover, errno_name
from .errors import InvalidArgument, MapdError, Unavailable, error_from_code, error_from_rpc
from .info import RegionInfo
from .open_regions import OpenRegions
from .region import Region
from .session import SessionClosed, SessionRefused
from .v1 import mapd_pb2 as pb
from .watch import EventStream

log = logging.getLogger("mapd")

TAKE_TIMEOUT = 10.0
"""The daemon queues the descriptor before it replies; this only bounds a broken daemon."""
SESSION_LOSS_WAIT = 1.0
"""A call refused by a dying daemon may come a moment before the session socket says so."""
RECONNECT_FIRST_DELAY = 0.05
RECONNECT_MAX_DELAY = 2.0

T = TypeVar("T")


@dataclass(frozen=True)
class _Watched:
    event: pb.RegionEvent


@dataclass(frozen=True)
class _LeaseEnded:
    region: Region
    key: int


@dataclass(frozen=True)
class _SessionLost:
    connection: Connection


_STOP = object()


def connect(socket_dir: str | os.PathLike[str] | None = None, *, reconnect_timeout: float = 30.0) -> Client:
    """Connects to the daemon and opens a session.

    ``socket_dir`` is the daemon's socket directory. Without it: ``MAPD_SOCKET_DIR``, else your
    own socket directory (``$XDG_RUNTIME_DIR/mapd``, else ``/tmp/mapd-<uid>``; ``/run/mapd`` for
    root) when a daemon serves there, else ``/run/mapd``. Raises :class:`Unavailable` naming
    every place it looked. ``reconnect_timeout``: how long a call waits for the daemon to come
    back after it went away, before it fails with Unavailable."""
    return Client(socket_dir, reconnect_timeout=reconnect_timeout)


class Client:
    """A session with mapd (``mapd-fd.sock``, which carries region descriptors) and a gRPC
    channel (``mapd.sock``). It keeps the regions it maps in step with resizes, whoever makes
    them. If the daemon restarts, it reconnects with backoff and re-registers its regions; their
    mappings never change. Calls made meanwhile wait for the daemon (``reconnect_timeout``); a
    create, resize or delete already on its way when the daemon died raises Unavailable, since
    it may or may not have been applied.

    Thread-safe; one per process is enough. Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, socket_dir: str | os.PathLike[str] | None = None, *, reconnect_timeout: float = 30.0) -> None:
        """Connects; see :func:`mapd.connect`."""
        discovery = discover(os.fspath(socket_dir) if socket_dir is not None else None)
        self._socket_dir = discovery.place.path
        self._reconnect_timeout = reconnect_timeout
        self._inbox: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._open = OpenRegions()
        self._streams: weakref.WeakSet[EventStream] = weakref.WeakSet()
        self._changed = threading.Condition()  # guards _connection and _closing
        self._closing = False
        self._stopped = threading.Event()
        try:
            self._connection = Connection(self._socket_dir, self._on_event, self._on_lost)
        except SessionRefused as e:
            raise error_from_code(e.code, str(e)) from e
        except OSError as e:
            raise Unavailable(_unreachable(discovery, e)) from e
        self._dispatcher = threading.Thread(target=self._dispatch, name="mapd dispatcher", daemon=True)
        self._dispatcher.start()
        try:
            self._connection.start_watching()
        except OSError as e:
            self._stop()
            raise Unavailable(f"mapd at {self._socket_dir} accepted a session but {e}") from e

    @property
    def socket_dir(self) -> str:
        """The daemon's socket directory this client uses."""
        return self._socket_dir

    @property
    def session_id(self) -> str:
        """This process's current session id (a new one after the daemon restarts)."""
        return self._connection.session.id

    def create(self, name: str, size: int, *, mode: int = 0o600, max_size: int = 0) -> Region:
        """Creates a region of ``size`` bytes and maps it read-write.

        ``name``: 1 to 200 of ``[A-Za-z0-9._-]``, not starting with a dot. ``mode``: permission
        bits, checked like a file's (``0o640`` lets the group read). ``max_size``: the largest
        size the region is expected to reach, so every mapper reserves that much address space
        and grows in place; 0 = no hint."""
        _check_bytes("size", size)
        _check_bytes("max_size", max_size)
        if not 0 <= mode <= 0o777:
            raise InvalidArgument(f"mode {mode:#o} is not permission bits (0 to 0o777)")
        request = pb.CreateRequest(name=name, size=size, mode=mode, max_size=max_size)
        return self._map(name, lambda c: c.stub.Create(request, metadata=c.headers), retry=False)

    def open(self, name: str, *, writable: bool = True) -> Region:
        """Opens an existing region and maps it, read-write or read-only (then its descriptor is
        ``O_RDONLY`` and its views read-only)."""
        request = pb.OpenRequest(name=name, access=pb.ACCESS_READ_WRITE if writable else pb.ACCESS_READ_ONLY)
        return self._map(name, lambda c: c.stub.Open(request, metadata=c.headers), retry=True)

    def get(self, name: str) -> RegionInfo:
        """Describes one region, with who maps it and any pending shrink."""
        region, _ = self._call(lambda c: c.stub.Get(pb.GetRequest(name=name)), retry=True)
        return RegionInfo.from_proto(region)

    def list(self, prefix: str = "") -> builtins.list[RegionInfo]:
        """Describes every region whose name starts with ``prefix``, in name order."""
        response, _ = self._call(lambda c: c.stub.List(pb.ListRequest(prefix=prefix)), retry=True)
        return [RegionInfo.from_proto(region) for region in response.regions]

    def delete(self, name: str) -> None:
        """Deletes a region: the name disappears now, the memory once nobody maps it. Mappings of
        it (here and elsewhere) stay valid until closed."""
        self._call(lambda c: c.stub.Delete(pb.DeleteRequest(name=name)), retry=False)

    def resize(self, name: str, size: int, expected_generation: int = 0) -> RegionInfo:
        """Resizes a region this process need not map; see :meth:`Region.resize`."""
        return self._resize_region(name, size, expected_generation)

    def watch(self, names: Iterable[str] = ()) -> EventStream:
        """Streams :class:`RegionEvent` s for ``names``, or, without names, for every region this
        session has open (including ones opened later)."""
        stream = EventStream(self, tuple(names))
        self._streams.add(stream)
        return stream

    def close(self) -> None:
        """Closes every region and ends watches. The session, which is the lease on this process's
        mappings, ends once the last view of them is gone, so no view handed out ever loses its
        memory. Idempotent."""
        with self._changed:
            if self._closing:
                return
            self._closing = True
            self._changed.notify_all()
        for stream in builtins.list(self._streams):
            stream.close()
        for region in self._open.all():
            region.close()
        self._stop_if_done()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<mapd.Client {self._socket_dir} {'closed' if self._closing else 'session ' + self.session_id}>"

    # What Regions and EventStreams call back.

    def _resize_region(self, name: str, size: int, expected_generation: int) -> RegionInfo:
        _check_bytes("size", size)
        request = pb.ResizeRequest(name=name, size=size, expected_generation=expected_generation)
        state, _ = self._call(lambda c: c.stub.Resize(request), retry=False)
        self._apply(state)
        return RegionInfo.from_proto(state)

    def _lease_ended(self, region: Region, key: int) -> None:
        # Runs wherever the last export of a view died, even inside the garbage collector:
        # SimpleQueue.put is reentrant and takes no lock that this thread could already hold.
        self._inbox.put(_LeaseEnded(region, key))

    def _region_drained(self, region: Region) -> None:
        if self._open.remove(region):
            if not self._closing:  # a closing client ends the session instead, which closes everything
                self._send_close(region.name)
            self._open.closed(region.name)
        self._stop_if_done()

    def _usable_connection(self) -> Connection:
        with self._changed:
            if self._closing:
                raise ValueError("the mapd client is closed")
            connection = self._connection
        return self._next_connection(connection) if connection.lost else connection

    def _next_connection(self, lost: Connection) -> Connection:
        """Waits for the connection that replaces ``lost`` after the daemon restarted."""
        lost.session.closed.wait(SESSION_LOSS_WAIT)
        if not lost.lost:
            raise Unavailable("mapd refused the call but the session is still open; retry later")
        with self._changed:
            if not self._changed.wait_for(lambda: self._connection is not lost or self._closing, self._reconnect_timeout):
                raise Unavailable(f"mapd has been unreachable at {self._socket_dir} for {self._reconnect_timeout:g} s; "
                                  "mappings stay valid, and calls resume once it is back")
            if self._closing:
                raise ValueError("the mapd client is closed")
            return self._connection

    # Calls.

    def _call(self, call: Callable[[Connection], T], *, retry: bool) -> tuple[T, Connection]:
        """Runs ``call`` on the current connection. If the daemon went away, waits for it to come
        back and calls once more, when that is safe: always when ``retry`` (the call is
        idempotent), else only when the daemon cannot have applied it."""
        connection = self._usable_connection()
        try:
            return call(connection), connection
        except grpc.RpcError as e:
            if _is_session_loss(e, connection) and (retry or _never_applied(e, connection)):
                connection = self._next_connection(connection)
                try:
                    return call(connection), connection
                except grpc.RpcError as again:
                    raise error_from_rpc(again) from None
            if e.code() == grpc.StatusCode.UNAVAILABLE:
                raise Unavailable("mapd went away while the call was on its way and may or may not have applied it; "
                                  "once it is back (this client reconnects on its own), check with get() before trying again") from None
            raise error_from_rpc(e) from None

    def _map(self, name: str, call: Callable[[Connection], pb.OpenResponse], *, retry: bool) -> Region:
        """Creates or opens through ``call``, takes the descriptor and maps it."""
        self._usable_connection()
        self._open.begin_open(name)
        daemon_maps = False
        try:
            for attempt in range(2):
                response, connection = self._call(call, retry=retry)
                try:
                    fd = connection.session.take(response.handoff_id, TAKE_TIMEOUT)
                    break
                except SessionClosed as e:
                    # The daemon went away after replying; the restarted one does not count this session.
                    if not retry:
                        raise Unavailable(f"mapd went away right after creating region '{name}'; once it is back, open it") from e
                    if attempt:
                        raise Unavailable(f"mapd went away twice while opening region '{name}'; retry once it is back") from e
                except TimeoutError as e:
                    raise Unavailable(f"mapd replied to the open of region '{name}' but its descriptor did not arrive within {TAKE_TIMEOUT:g} s") from e
            daemon_maps = True
            try:
                region = Region(self, fd, response.region, writable=response.access == pb.ACCESS_READ_WRITE)
            except BaseException:
                os.close(fd)
                raise
        except BaseException:
            if self._open.open_failed(name, daemon_maps):
                self._send_close(name)
                self._open.closed(name)
            raise
        newer = self._open.open_succeeded(name, region)
        if newer is not None:
            # A resize raced with this open: the watch saw it before the Region was registered.
            self._apply(newer)
        elif response.region.pending_size:
            # It maps only the smaller size already; saying so lets a shrink after a restart commit.
            self._release(name, response.region.generation)
        return region

    def _apply(self, state: pb.Region) -> None:
        """Applies a state to every Region of its name here, then releases a pending shrink they
        have all finished."""
        for region in self._open.regions(state.name):
            region._apply_state(state)
        if state.pending_size:
            self._release(state.name, state.generation)

    def _release(self, name: str, generation: int) -> None:
        """Tells the daemon this session maps nothing past a shrink, once every Region of the name
        has reached ``generation``. A lost session needs no release: its end released everything."""
        reached = self._open.reached(name)
        if reached < generation:
            return
        connection = self._connection
        try:
            connection.stub.Release(pb.ReleaseRequest(name=name, generation=reached), metadata=connection.headers)
        except grpc.RpcError as e:
            log.debug("mapd: Release of region '%s' generation %d failed: %s", name, reached, e.details())

    def _send_close(self, name: str) -> None:
        connection = self._connection
        if connection.lost:
            return  # the daemon forgot the whole session
        try:
            connection.stub.Close(pb.CloseRequest(name=name), metadata=connection.headers)
        except grpc.RpcError as e:
            log.debug("mapd: Close of region '%s' failed: %s", name, e.details())

    # The dispatcher thread: watch events, ended views, and reconnecting.

    def _on_event(self, event: pb.RegionEvent) -> None:
        self._inbox.put(_Watched(event))

    def _on_lost(self, connection: Connection) -> None:
        self._inbox.put(_SessionLost(connection))

    def _dispatch(self) -> None:
        while True:
            message = self._inbox.get()
            if message is _STOP:
                return
            try:
                self._handle(message)
            except Exception:  # a failure here must not stop the thread that keeps mappings in step
                log.exception("mapd: handling %r failed", message)

    def _handle(self, message: object) -> None:
        if isinstance(message, _Watched):
            state = message.event.region
            regions = self._open.note(state)
            if message.event.kind != pb.RegionEvent.DELETED:
                for region in regions:
                    region._apply_state(state)
                if regions and state.pending_size:
                    self._release(state.name, state.generation)
        elif isinstance(message, _LeaseEnded):
            outcome = message.region._end_lease(message.key)
            if outcome.shrunk:
                self._release(message.region.name, message.region._completed_generation)
            if outcome.drained:
                self._region_drained(message.region)
        elif isinstance(message, _SessionLost):
            if message.connection is self._connection and not self._stopped.is_set():
                self._reconnect()

    def _reconnect(self) -> None:
        """Connects a new session with backoff, re-opens every region on it so the restarted
        daemon knows who maps what, and makes it current. The mappings themselves stay."""
        delay = RECONNECT_FIRST_DELAY
        while not self._stopped.wait(delay):
            delay = min(delay * 2, RECONNECT_MAX_DELAY)
            try:
                connection = Connection(self._socket_dir, self._on_event, self._on_lost)
            except OSError:
                continue
            try:
                self._reattach(connection)
                connection.start_watching()
            except (OSError, grpc.RpcError, MapdError) as e:
                log.debug("mapd: re-attaching to the restarted daemon failed, trying again: %s", e)
                connection.close()
                continue
            with self._changed:
                stopped = self._stopped.is_set()  # the last view went while this was re-attaching
                if not stopped:
                    previous, self._connection = self._connection, connection
                    self._changed.notify_all()
            if stopped:
                connection.close()
                return
            previous.close()
            log.info("mapd: reconnected to %s (session %s)", self._socket_dir, connection.session.id[:8])
            return

    def _reattach(self, connection: Connection) -> None:
        for name, regions in self._open.mapped().items():
            access = pb.ACCESS_READ_WRITE if any(region.writable for region in regions) else pb.ACCESS_READ_ONLY
            try:
                response = connection.stub.Open(pb.OpenRequest(name=name, access=access), metadata=connection.headers)
            except grpc.RpcError as e:
                if e.code() == grpc.StatusCode.NOT_FOUND:
                    continue  # deleted while the daemon was away; the mappings here stay valid
                raise
            fd = connection.session.take(response.handoff_id, TAKE_TIMEOUT)
            try:
                stat = os.fstat(fd)
            finally:
                os.close(fd)
            same = [region for region in regions if region._file_identity == (stat.st_dev, stat.st_ino)]
            if not same:
                # Deleted and created anew while the daemon was away: that file is not the one mapped here.
                connection.stub.Close(pb.CloseRequest(name=name), metadata=connection.headers)
                continue
            for region in same:
                region._apply_state(response.region)
            reached = self._open.reached(name)
            if response.region.pending_size and reached >= response.region.generation:
                connection.stub.Release(pb.ReleaseRequest(name=name, generation=reached), metadata=connection.headers)

    def _stop_if_done(self) -> None:
        """Ends the session once the client is closed and nothing it mapped is in use."""
        with self._changed:
            if not self._closing or not self._open.is_empty() or self._stopped.is_set():
                return
            self._stopped.set()
        self._stop()

    def _stop(self) -> None:
        self._stopped.set()
        self._inbox.put(_STOP)
        self._connection.close()


def _check_bytes(what: str, value: int) -> None:
    if value < 0:
        raise InvalidArgument(f"{what} {value} is negative; sizes are bytes, 0 to 2**64-1")


def _is_session_loss(error: grpc.RpcError, connection: Connection) -> bool:
    code = error.code()
    return bool(code == grpc.StatusCode.UNAVAILABLE or (code == grpc.StatusCode.FAILED_PRECONDITION and connection.lost))


def _never_applied(error: grpc.RpcError, connection: Connection) -> bool:
    """Whether a failed call certainly did nothing: the daemon itself refused it (UNAVAILABLE,
    which it answers only before running a call, while it stops; FAILED_PRECONDITION for a
    session it no longer knows, after a restart), or no connection to it could be made."""
    code = error.code()
    if code == grpc.StatusCode.FAILED_PRECONDITION:
        return connection.lost
    if code == grpc.StatusCode.UNAVAILABLE:
        answered_by_daemon = "Error received from peer" in (error.debug_error_string() or "")
        return answered_by_daemon or "failed to connect" in (error.details() or "")
    return False


def _unreachable(discovery: Discovery, error: OSError) -> str:
    problem = errno_name(error)
    looked = [*discovery.passed_over, discovery.place.describe(f"{SESSION_SOCKET}: {problem}")]
    hint = ("ask for membership in the sockets' group (Mapd:SocketGroup)" if problem == "EACCES"
            else "start the daemon, or pass socket_dir= or set MAPD_SOCKET_DIR to the directory it serves")
    return f"mapd is not reachable; looked in {'; '.join(looked)}; {hint}"

