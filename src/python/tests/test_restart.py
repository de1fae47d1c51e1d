"""A daemon restart: the client reconnects and re-attaches; the process's mappings never change."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import numpy
import pytest

import mapd
import pattern
from daemon import Daemon
from processes import Peer

MIB = 1 << 20
DEADLINE = 30.0


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {DEADLINE} s: {what}")
        time.sleep(0.005)


def test_a_restarted_daemon_finds_the_mappings_as_they_were_and_keeps_them_in_step(fresh_daemon: Daemon) -> None:
    with mapd.connect(fresh_daemon.socket_dir) as client, client.create("restart", 2 * MIB, max_size=16 * MIB, mode=0o600) as region:
        words = region.ndarray(numpy.uint64)
        pattern.fill(words, 11)
        start = words.__array_interface__["data"][0]
        first_session = client.session_id

        fresh_daemon.kill()
        assert pattern.first_mismatch(words, 11) == -1, "a mapping does not need the daemon"
        pattern.fill(words, 12)
        fresh_daemon.start()

        wait_until(lambda: client.session_id != first_session, "the client reconnects")
        assert [m.pid for m in client.get("restart").mapper_details] == [os.getpid()], "re-attached: the daemon knows who maps it"
        assert words.__array_interface__["data"][0] == start
        assert pattern.first_mismatch(region.ndarray(numpy.uint64), 12) == -1

        # The restarted daemon sends this process the resizes of others.
        peer = Peer(fresh_daemon.socket_dir)
        try:
            assert peer.ask("open restart rw").startswith("ok")
            assert peer.ask(f"resize {8 * MIB}").startswith(f"ok resized {8 * MIB}")
            wait_until(lambda: region.size == 8 * MIB, "a grow after the restart reaches this process")
            assert region.ndarray(numpy.uint64).__array_interface__["data"][0] == start

            # ... and waits for this process's views before it cuts the file (words covers 2 MiB).
            tail = region.view(4 * MIB, 4 * MIB)
            assert peer.ask(f"resize {2 * MIB}").startswith(f"ok resized {8 * MIB} pending {2 * MIB}")
            wait_until(lambda: {m.pid for m in client.get("restart").mapper_details if m.blocking} == {os.getpid()},
                       "the peer released; this process still holds the tail")
            tail.release()
            wait_until(lambda: client.get("restart").size == 2 * MIB, "the shrink commits once this process let go")
            assert pattern.first_mismatch(words, 12) == -1
        finally:
            peer.close()


def test_a_call_made_while_the_daemon_is_down_waits_for_it(fresh_daemon: Daemon) -> None:
    with mapd.connect(fresh_daemon.socket_dir) as client, client.create("waiting", MIB):
        fresh_daemon.kill()
        answers: list[mapd.RegionInfo | BaseException] = []

        def get() -> None:
            try:
                answers.append(client.get("waiting"))
            except BaseException as e:  # reported by the assertion below
                answers.append(e)

        caller = threading.Thread(target=get)
        caller.start()
        fresh_daemon.start()
        caller.join(DEADLINE)
        assert len(answers) == 1 and isinstance(answers[0], mapd.RegionInfo), answers
        assert answers[0].size == MIB


def test_a_call_fails_with_unavailable_once_the_daemon_stays_away_past_the_reconnect_timeout(fresh_daemon: Daemon) -> None:
    with mapd.connect(fresh_daemon.socket_dir, reconnect_timeout=0.5) as client:
        fresh_daemon.kill()
        with pytest.raises(mapd.Unavailable, match=f"unreachable at {fresh_daemon.socket_dir} for 0.5 s"):
            client.get("anything")
