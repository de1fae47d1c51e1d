"""The session socket (``mapd-fd.sock``): the session's lease, and how region descriptors arrive."""

from __future__ import annotations

import array
import os
import socket
import struct
import threading
from collections.abc import Callable

VERSION = 1
HELLO = b"MAPD" + struct.pack("<H", VERSION)
WELCOME_LENGTH = 22
HANDOFF = struct.Struct("<4sQ")  # FD: b"MAPF" + u64 handoff id (+ one descriptor)
MAX_BURST = 64  # FD messages taken off the socket per wake-up
MAX_FRAME = 4 + 8 * 64  # the longest frame either side sends (a TAKEN of 64 ids)
REFUSED = struct.Struct("<4sI")  # b"MAPR" + u32 gRPC status code, then the UTF-8 reason
HANDSHAKE_TIMEOUT = 10.0
FD_SIZE = array.array("i").itemsize


class SessionClosed(OSError):
    """The daemon ended the session (it stopped or restarted) before a descriptor arrived."""


class SessionRefused(OSError):
    """The daemon answered HELLO with REFUSED: no session, for the reason given (e.g. the uid
    holds its quota of sessions). ``code`` is the gRPC status code it gave."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class SessionSocket:
    """This process's session with the daemon: a ``SOCK_SEQPACKET`` connection whose life is the
    lease on every mapping the session holds (the kernel closes it when the process dies).

    A receiver thread takes every FD message off the socket at once (the daemon refuses opens
    while too many descriptors sit unread in it, by the kernel's count, so no TAKEN is sent) and
    hands the descriptor to whoever waits for its handoff id, whether the descriptor or the gRPC
    reply arrives first."""

    def __init__(self, path: str, on_closed: Callable[[], None]) -> None:
        """Connects and runs HELLO/WELCOME. Raises OSError when the socket cannot be reached."""
        self.path = path
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._socket.settimeout(HANDSHAKE_TIMEOUT)
            self._socket.connect(path)
            self._socket.send(HELLO)
            welcome = self._socket.recv(MAX_FRAME)
            if not welcome:
                raise SessionClosed(f"mapd closed {path} during the handshake; its log says why (too many sessions?)")
            if len(welcome) >= REFUSED.size and welcome[:4] == b"MAPR":
                code = REFUSED.unpack_from(welcome)[1]
                reason = welcome[REFUSED.size:].decode("utf-8", errors="replace")
                raise SessionRefused(code, f"mapd refused a session on {path}: {reason}")
            if len(welcome) != WELCOME_LENGTH or welcome[:4] != b"MAPD" or struct.unpack_from("<H", welcome, 4)[0] != VERSION:
                raise OSError(f"{path} did not answer HELLO with WELCOME version {VERSION}; is it a mapd session socket of the same version?")
            self._socket.settimeout(None)
        except BaseException:
            self._socket.close()
            raise
        self.id = welcome[6:22].hex()
        self.closed = threading.Event()
        self._on_closed = on_closed
        self._lock = threading.Lock()
        self._arrived: dict[int, int] = {}
        self._waiters: dict[int, threading.Event] = {}
        self._receiver = threading.Thread(target=self._receive, name=f"mapd session {self.id[:8]}", daemon=True)
        self._receiver.start()

    def take(self, handoff_id: int, timeout: float) -> int:
        """The descriptor of ``handoff_id``; the caller owns it. Raises SessionClosed or TimeoutError."""
        with self._lock:
            fd = self._arrived.pop(handoff_id, None)
            if fd is not None:
                return fd
            if self.closed.is_set():
                raise SessionClosed(f"the mapd session on {self.path} ended before the descriptor of handoff {handoff_id} arrived")
            waiter = self._waiters.setdefault(handoff_id, threading.Event())
        arrived = waiter.wait(timeout)
        with self._lock:
            self._waiters.pop(handoff_id, None)
            fd = self._arrived.pop(handoff_id, None)
        if fd is not None:
            return fd
        if not arrived:
            raise TimeoutError(f"the descriptor of handoff {handoff_id} did not arrive on {self.path} within {timeout} s")
        raise SessionClosed(f"the mapd session on {self.path} ended before the descriptor of handoff {handoff_id} arrived")

    def close(self) -> None:
        """Ends the session: the daemon drops everything it mapped."""
        try:
            self._socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the daemon closed it first
        if threading.current_thread() is not self._receiver:
            self._receiver.join()
        self._socket.close()

    def _receive(self) -> None:
        try:
            while self._receive_burst():
                pass
        except OSError:
            pass  # shut down by close(), or the connection broke: either way the session is over
        with self._lock:
            undelivered = list(self._arrived.values())
            self._arrived.clear()
            waiters = list(self._waiters.values())
            self.closed.set()
        for fd in undelivered:
            os.close(fd)
        for waiter in waiters:
            waiter.set()
        self._on_closed()

    def _receive_burst(self) -> bool:
        """Blocks for one message, takes whatever else is queued, then delivers. False once the
        daemon closed the session."""
        arrived: list[tuple[int, int]] = []
        ended = False
        while len(arrived) < MAX_BURST:
            try:
                message, fds = self._receive_one(wait=not arrived)
            except BlockingIOError:
                break
            if not message:
                for fd in fds:
                    os.close(fd)
                ended = True
                break
            if len(message) == HANDOFF.size and len(fds) == 1 and message[:4] == b"MAPF":
                arrived.append((HANDOFF.unpack(message)[1], fds[0]))
            else:
                for fd in fds:  # not a message of this protocol version: drop it, keep the session
                    os.close(fd)
        with self._lock:
            for handoff_id, fd in arrived:
                self._arrived[handoff_id] = fd
                waiter = self._waiters.get(handoff_id)
                if waiter is not None:
                    waiter.set()
        return not ended

    def _receive_one(self, wait: bool) -> tuple[bytes, list[int]]:
        # Not socket.recv_fds: in Python 3.11 it ignores its flags argument.
        flags = socket.MSG_CMSG_CLOEXEC | (0 if wait else socket.MSG_DONTWAIT)
        message, ancillary, _, _ = self._socket.recvmsg(64, socket.CMSG_SPACE(FD_SIZE), flags)
        fds = array.array("i")
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[: len(data) - len(data) % FD_SIZE])
        return message, list(fds)
