"""Fixtures: the real daemon, clients of it, and unique region names."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest

import mapd
from daemon import Daemon
from processes import remove_public_copy

_names = itertools.count(1)


@pytest.fixture(scope="session", autouse=True)
def public_copy_removed() -> Iterator[None]:
    """The world-readable copy of the peer's modules goes with the session."""
    yield
    remove_public_copy()


@pytest.fixture(scope="session")
def daemon() -> Iterator[Daemon]:
    """One daemon for the tests that do not restart it."""
    shared = Daemon("256M", Mapd__Limits__MaxRegionSize="128M", Mapd__Limits__MaxUnreadFds="4")
    yield shared
    shared.close()


@pytest.fixture
def fresh_daemon() -> Iterator[Daemon]:
    """A daemon of the test's own, for tests that kill or restart it."""
    own = Daemon("256M")
    yield own
    own.close()


@pytest.fixture
def client(daemon: Daemon) -> Iterator[mapd.Client]:
    with mapd.connect(daemon.socket_dir) as connected:
        yield connected


@pytest.fixture
def name(request: pytest.FixtureRequest, daemon: Daemon) -> Iterator[str]:
    """A region name no other test uses. The regions named with it are deleted afterwards, so
    the shared daemon's capacity goes to the tests that need it."""
    unique = f"py-{request.node.name[:60].replace('[', '-').replace(']', '')}-{os.getpid()}-{next(_names)}"
    yield unique
    with mapd.connect(daemon.socket_dir) as cleaner:
        for region in cleaner.list(prefix=unique):
            try:
                cleaner.delete(region.name)
            except mapd.NotFound:
                pass  # the test deleted it meanwhile
