"""Bytes shared between processes, across languages: the same pages, not copies."""

from __future__ import annotations

from collections.abc import Iterator

import numpy
import pytest

import mapd
import pattern
from daemon import Daemon
from processes import Peer, csharp

SIZE = 1 << 20


@pytest.fixture
def peer(daemon: Daemon) -> Iterator[Peer]:
    process = Peer(daemon.socket_dir)
    yield process
    process.close()


def test_two_python_processes_share_bytes(client: mapd.Client, peer: Peer, name: str) -> None:
    with client.create(name, SIZE, mode=0o600) as region:
        words = region.ndarray(numpy.uint64)
        pattern.fill(words, 1)

        assert peer.ask(f"open {name} rw") == f"ok opened {SIZE} rw"
        assert peer.ask("verify 1") == f"ok verified {SIZE}"
        assert peer.ask("fill 2") == f"ok filled {SIZE}"

        # This process's array, mapped all along, sees what the other process wrote.
        assert pattern.first_mismatch(words, 2) == -1


def test_a_csharp_process_writes_and_a_python_process_reads(daemon: Daemon, client: mapd.Client, name: str) -> None:
    assert csharp(daemon.socket_dir, "create-write", name, str(SIZE), "3", "666") == f"ok wrote {SIZE}"
    with client.open(name, writable=False) as region:
        assert region.size == SIZE
        assert pattern.first_mismatch(region.ndarray(numpy.uint64), 3) == -1


def test_a_python_process_writes_and_a_csharp_process_reads(daemon: Daemon, client: mapd.Client, name: str) -> None:
    with client.create(name, SIZE, mode=0o644) as region:
        pattern.fill(region.ndarray(numpy.uint64), 4)
        assert csharp(daemon.socket_dir, "verify", name, "4") == f"ok verified {SIZE}"
        assert csharp(daemon.socket_dir, "write", name, "5") == f"ok wrote {SIZE}"
        assert pattern.first_mismatch(region.ndarray(numpy.uint64), 5) == -1


def test_a_read_only_region_hands_out_read_only_views(client: mapd.Client, peer: Peer, name: str) -> None:
    with client.create(name, SIZE, mode=0o644):
        assert peer.ask(f"open {name} ro") == f"ok opened {SIZE} ro"
        assert peer.ask("write-through-ro").startswith("error TypeError")
        with client.open(name, writable=False) as reader:
            assert reader.view().readonly
            assert not reader.ndarray(numpy.uint8).flags.writeable
