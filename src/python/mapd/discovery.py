"""Finding the daemon: the contract's rule, the same in every mapd client and in mapctl.

An explicit directory, else ``MAPD_SOCKET_DIR``, else the user's own socket directory
(``/run/mapd`` for root, ``$XDG_RUNTIME_DIR/mapd``, else ``/tmp/mapd-<uid>``) when a daemon
serves there, else ``/run/mapd``. A failure names every place that was looked at.
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass

GRPC_SOCKET = "mapd.sock"
SESSION_SOCKET = "mapd-fd.sock"
SYSTEM_DIRECTORY = "/run/mapd"


@dataclass(frozen=True)
class Place:
    """A socket directory and why it was considered."""

    path: str
    source: str

    def describe(self, problem: str) -> str:
        return f"{self.path} ({self.source}: {problem})"


@dataclass(frozen=True)
class Discovery:
    """The directory to connect to, and the places passed over on the way, already described."""

    place: Place
    passed_over: tuple[str, ...]


def own_directory(uid: int, environ: Mapping[str, str]) -> str:
    """The user's own socket directory, where a daemon started by that user listens by default."""
    if uid == 0:
        return SYSTEM_DIRECTORY
    runtime = environ.get("XDG_RUNTIME_DIR")
    return os.path.join(runtime, "mapd") if runtime else f"/tmp/mapd-{uid}"


def discover(explicit: str | None, environ: Mapping[str, str] | None = None, uid: int | None = None) -> Discovery:
    """Applies the rule; probes the user's own directory by connecting to its ``mapd.sock``."""
    environ = os.environ if environ is None else environ
    uid = os.getuid() if uid is None else uid
    if explicit:
        return Discovery(Place(explicit, "the socket_dir argument"), ())
    configured = environ.get("MAPD_SOCKET_DIR")
    if configured:
        return Discovery(Place(configured, "MAPD_SOCKET_DIR"), ())
    own = Place(own_directory(uid, environ), "this user's socket directory")
    if own.path == SYSTEM_DIRECTORY:
        return Discovery(own, ())
    problem = probe(own.path)
    if problem is None:
        return Discovery(own, ())
    return Discovery(Place(SYSTEM_DIRECTORY, "the system socket directory"), (own.describe(f"{GRPC_SOCKET}: {problem}"),))


def probe(directory: str) -> str | None:
    """None when the directory's mapd.sock accepts a connection, else what went wrong (an errno name)."""
    path = os.path.join(directory, GRPC_SOCKET)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe_socket:
        try:
            probe_socket.connect(path)
        except OSError as e:
            return errno_name(e)
    return None


def errno_name(error: OSError) -> str:
    """``ENOENT``, ``ECONNREFUSED``, ... or the message when the error carries no errno."""
    return errno.errorcode.get(error.errno, str(error)) if error.errno is not None else str(error)
