"""The client's calls, watches, and what closing does while views are still in use."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import numpy

import mapd
from daemon import Daemon

MIB = 1 << 20
DEADLINE = 30.0


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {DEADLINE} s: {what}")
        time.sleep(0.002)


@contextmanager
def closed_after_deadline(events: mapd.EventStream) -> Iterator[mapd.EventStream]:
    """A missing event then fails the test instead of hanging it."""
    timer = threading.Timer(DEADLINE, events.close)
    timer.daemon = True
    timer.start()
    try:
        yield events
    finally:
        timer.cancel()
        events.close()


def test_get_describes_a_region_with_the_contract_fields(client: mapd.Client, name: str) -> None:
    with client.create(name, MIB, mode=0o640, max_size=4 * MIB):
        info = client.get(name)
    assert (info.name, info.size, info.generation, info.mode, info.pending_size, info.max_size) == (name, MIB, 1, 0o640, 0, 4 * MIB)
    assert (info.owner_uid, info.gid) == (os.getuid(), os.getgid())
    assert info.created_at is not None and abs(datetime.now(timezone.utc) - info.created_at) < timedelta(minutes=5)
    assert info.mappers == 1 and [m.pid for m in info.mapper_details] == [os.getpid()]
    assert info.pending_shrink is None


def test_list_returns_the_regions_under_a_prefix_in_name_order(client: mapd.Client, name: str) -> None:
    with client.create(f"{name}-b", MIB), client.create(f"{name}-a", MIB), client.create(f"{name}x", MIB):
        assert [info.name for info in client.list(f"{name}-")] == [f"{name}-a", f"{name}-b"]
        assert {f"{name}-a", f"{name}-b", f"{name}x"} <= {info.name for info in client.list()}


def test_a_deleted_region_stays_mapped_until_closed(client: mapd.Client, name: str) -> None:
    with client.create(name, MIB) as region:
        client.delete(name)
        assert name not in {info.name for info in client.list()}
        with region.view() as memory:
            memory[:4] = b"live"
            assert bytes(memory[:4]) == b"live"


def test_ndarray_takes_a_shape_and_an_offset_over_the_same_bytes(client: mapd.Client, name: str) -> None:
    with client.create(name, MIB) as region:
        matrix = region.ndarray(numpy.float32, shape=(256, 256), offset=4096)
        matrix[1, 2] = 1.5
        flat = region.ndarray(numpy.float32)
        assert flat.shape == (MIB // 4,)
        assert flat[1024 + 256 + 2] == 1.5


def test_watch_streams_current_then_every_change(client: mapd.Client, name: str) -> None:
    with client.create(name, 2 * MIB) as region, closed_after_deadline(client.watch([name])) as events:
        first = next(events)
        assert (first.kind, first.region.size) == (mapd.EventKind.CURRENT, 2 * MIB)

        region.resize(4 * MIB)
        grown = next(events)
        assert (grown.kind, grown.region.size, grown.region.generation) == (mapd.EventKind.RESIZED, 4 * MIB, 2)

        region.resize(MIB)
        pending = next(events)
        assert (pending.kind, pending.region.pending_size) == (mapd.EventKind.SHRINK_PENDING, MIB)
        committed = next(events)
        assert (committed.kind, committed.region.size, committed.region.pending_size) == (mapd.EventKind.RESIZED, MIB, 0)

        client.delete(name)
        assert next(events).kind == mapd.EventKind.DELETED


def test_watch_without_names_follows_the_regions_this_session_opens(client: mapd.Client, name: str) -> None:
    with closed_after_deadline(client.watch()) as events:
        with client.create(name, MIB) as region:
            region.resize(2 * MIB)
            event = next(events)
            assert (event.kind, event.region.name, event.region.size) == (mapd.EventKind.RESIZED, name, 2 * MIB)


def test_a_closed_region_lets_go_of_the_daemon_only_after_its_last_view(client: mapd.Client, name: str) -> None:
    region = client.create(name, MIB)
    view = region.view()
    region.close()
    assert client.get(name).mappers == 1, "a view is still in use: the session keeps mapping it"
    view[0] = 1  # and the memory is still there
    view.release()
    wait_until(lambda: client.get(name).mappers == 0, "the last view is gone, so the daemon is told")


def test_a_name_opened_twice_is_closed_with_its_last_region(client: mapd.Client, name: str) -> None:
    first = client.create(name, MIB)
    second = client.open(name, writable=False)
    first.close()
    assert client.get(name).mappers == 1
    assert second.view()[0] == 0
    second.close()
    wait_until(lambda: client.get(name).mappers == 0, "the daemon is told once the last region of the name is closed")


def test_a_closed_client_keeps_its_session_while_a_view_lives(daemon: Daemon, client: mapd.Client, name: str) -> None:
    holder = mapd.connect(daemon.socket_dir)
    region = holder.create(name, 4 * MIB)
    view = region.view()
    holder.close()

    # The session is the lease on the view's memory: a shrink must wait for it. The other
    # session maps the region too and releases at once, which shows the shrink under way.
    with client.open(name):
        client.resize(name, MIB)
        wait_until(lambda: sum(m.blocking for m in client.get(name).mapper_details) == 1, "one session releases the tail")
        assert client.get(name).size == 4 * MIB
        view[-1] = 9

        view.release()
        wait_until(lambda: client.get(name).size == MIB, "the shrink commits once the view is gone")
        wait_until(lambda: client.get(name).mappers == 1, "and the closed client's session ends")
