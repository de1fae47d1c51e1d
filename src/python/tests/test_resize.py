"""Resizes while other views, arrays and processes use the region: the C# client's promises."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

import numpy
import pytest

import mapd
import pattern
from daemon import Daemon
from processes import Peer

MIB = 1 << 20
DEADLINE = 30.0


@pytest.fixture
def peer(daemon: Daemon) -> Iterator[Peer]:
    process = Peer(daemon.socket_dir)
    yield process
    process.close()


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {DEADLINE} s: {what}")
        time.sleep(0.002)


def address(array: numpy.ndarray) -> int:  # type: ignore[type-arg]
    return int(array.__array_interface__["data"][0])


def maps_file_at(region: mapd.Region, start: int) -> bool:
    """Whether /proc/self/maps has a mapping of the region's file that starts at ``start``."""
    _, inode = region._file_identity
    with open("/proc/self/maps", encoding="ascii") as maps:
        for line in maps:
            fields = line.split()
            if int(fields[0].split("-")[0], 16) == start and int(fields[4]) == inode:
                return True
    return False


def blocking_pids(client: mapd.Client, name: str) -> set[int]:
    return {mapper.pid for mapper in client.get(name).mapper_details if mapper.blocking}


def test_a_grow_in_place_keeps_an_array_of_the_old_size_valid(client: mapd.Client, peer: Peer, name: str) -> None:
    with client.create(name, 2 * MIB, max_size=16 * MIB, mode=0o600) as region:
        old = region.ndarray(numpy.uint64)
        pattern.fill(old, 6)

        assert peer.ask(f"open {name} rw") == f"ok opened {2 * MIB} rw"
        assert peer.ask(f"resize {8 * MIB}").startswith(f"ok resized {8 * MIB} pending 0")
        wait_until(lambda: region.size == 8 * MIB, "the grow reaches this process")

        grown = region.ndarray(numpy.uint64)
        assert address(grown) == address(old), "room was reserved: the mapping grew where it was"
        assert pattern.first_mismatch(old, 6) == -1
        pattern.fill(grown, 7)
        assert pattern.first_mismatch(old, 7) == -1
        assert peer.ask("verify 7") == f"ok verified {8 * MIB}"


def test_a_grow_past_the_reservation_maps_anew_and_the_old_mapping_lives_until_its_last_array_is_gone(
        client: mapd.Client, peer: Peer, name: str) -> None:
    with client.create(name, 2 * MIB, max_size=2 * MIB) as region:
        old = region.ndarray(numpy.uint64)
        pattern.fill(old, 8)
        old_address = address(old)

        assert peer.ask(f"open {name} rw").startswith("ok")
        assert peer.ask(f"resize {8 * MIB}").startswith(f"ok resized {8 * MIB}")
        wait_until(lambda: region.size == 8 * MIB, "the grow reaches this process")

        grown = region.ndarray(numpy.uint64)
        assert address(grown) != old_address, "no room at the old address: a new mapping"
        # Both map the same pages: what one writes the other reads, no byte was copied.
        assert pattern.first_mismatch(grown[: old.size], 8) == -1
        grown[: old.size] = pattern.words(old.size, 9)
        assert pattern.first_mismatch(old, 9) == -1

        view_of_old = old[10:20]
        del old
        assert maps_file_at(region, old_address), "a slice of the old array still uses the old mapping"
        del view_of_old
        wait_until(lambda: not maps_file_at(region, old_address), "the old mapping is unmapped once its last array is gone")
        assert maps_file_at(region, address(grown))


def test_a_grow_reaches_a_follower_process(client: mapd.Client, peer: Peer, name: str) -> None:
    with client.create(name, 1 * MIB) as region:
        assert peer.ask(f"open {name} rw").startswith("ok")
        info = region.resize(4 * MIB)
        assert (info.size, info.pending_size, region.size) == (4 * MIB, 0, 4 * MIB), "a grow is applied here before resize returns"
        assert peer.ask(f"wait-size {4 * MIB}") == f"ok size {4 * MIB} generation {info.generation}"
        pattern.fill(region.ndarray(numpy.uint64), 10)
        assert peer.ask("verify 10") == f"ok verified {4 * MIB}"


def test_a_shrink_waits_until_the_view_of_its_tail_is_dropped(client: mapd.Client, peer: Peer, name: str) -> None:
    with client.create(name, 4 * MIB) as region:
        tail = region.view(3 * MIB, MIB)
        assert peer.ask(f"open {name} rw").startswith("ok")

        info = region.resize(MIB)
        assert (info.size, info.pending_size) == (4 * MIB, MIB), "a shrink is announced, not committed"
        assert region.size == MIB, "new views see the smaller size at once"
        with pytest.raises(mapd.InvalidArgument, match="do not fit"):
            region.view(0, 2 * MIB)

        # The peer has nothing in the tail and releases it; this process holds the tail and does not.
        wait_until(lambda: peer.pid not in blocking_pids(client, name), "the peer releases the tail")
        assert blocking_pids(client, name) == {os.getpid()}
        assert client.get(name).pending_size == MIB
        tail[:] = b"\x07" * MIB  # the tail is still mapped and usable while its view lives
        assert tail[-1] == 7

        tail.release()
        wait_until(lambda: client.get(name).size == MIB, "the shrink commits once the view is gone")
        assert client.get(name).pending_size == 0


def test_a_shrink_waits_for_a_view_in_another_process(client: mapd.Client, peer: Peer, name: str) -> None:
    with client.create(name, 4 * MIB, mode=0o600) as region:
        assert peer.ask(f"open {name} rw").startswith("ok")
        assert peer.ask(f"hold {2 * MIB} {2 * MIB}") == f"ok holding {2 * MIB}"

        region.resize(MIB)
        wait_until(lambda: blocking_pids(client, name) == {peer.pid}, "this process releases; the peer holds the tail")
        assert client.get(name).size == 4 * MIB

        assert peer.ask("drop") == "ok dropped"
        wait_until(lambda: client.get(name).size == MIB, "the shrink commits once the peer dropped its view")
        assert peer.ask(f"wait-size {MIB}").startswith(f"ok size {MIB}")


def test_sigkill_of_a_python_holder_lets_a_shrink_commit(client: mapd.Client, daemon: Daemon, name: str) -> None:
    holder = Peer(daemon.socket_dir)
    try:
        with client.create(name, 4 * MIB, mode=0o600) as region:
            assert holder.ask(f"open {name} rw").startswith("ok")
            assert holder.ask(f"hold 0 {4 * MIB}") == f"ok holding {4 * MIB}"
            region.resize(MIB)
            wait_until(lambda: blocking_pids(client, name) == {holder.pid}, "only the holder blocks the shrink")

            holder.kill()
            wait_until(lambda: client.get(name).size == MIB, "the shrink commits once the holder is gone")
            info = client.get(name)
            assert (info.pending_size, info.mappers) == (0, 1)
    finally:
        holder.close()


def test_a_region_shrunk_and_grown_again_reads_zeros_past_the_old_end(client: mapd.Client, name: str) -> None:
    with client.create(name, 4 * MIB) as region:
        region.view()[:] = b"\xff" * (4 * MIB)
        region.resize(MIB)
        wait_until(lambda: client.get(name).size == MIB, "a shrink with no view of the tail commits")
        region.resize(4 * MIB)
        with region.view() as memory:
            assert memory[MIB - 1] == 0xFF
            assert memory[MIB:] == bytes(3 * MIB), "the file was cut: the pages past the old end are new"
