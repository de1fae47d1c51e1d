"""Who may open a region: owner, group and mode, checked against another uid (via setpriv)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import numpy
import pytest

import mapd
import pattern
from daemon import Daemon
from environment import IS_ROOT, NOBODY, require
from processes import Peer

MIB = 1 << 20


@pytest.fixture
def nobody(daemon: Daemon) -> Iterator[Peer]:
    require(IS_ROOT, "switching to another uid needs root")
    require(shutil.which("setpriv") is not None, "setpriv is missing: apt-get install util-linux")
    process = Peer(daemon.socket_dir, user=NOBODY)
    yield process
    process.close()


def test_a_private_region_is_denied_to_another_user(client: mapd.Client, nobody: Peer, name: str) -> None:
    with client.create(name, MIB, mode=0o600):
        answer = nobody.ask(f"open {name} ro")
        assert answer.startswith("error PermissionDenied "), answer
        assert name in answer


def test_a_readable_region_opens_read_only_for_another_user_and_no_further(client: mapd.Client, nobody: Peer, name: str) -> None:
    with client.create(name, MIB, mode=0o644) as region:
        pattern.fill(region.ndarray(numpy.uint64), 13)
        assert nobody.ask(f"open {name} rw").startswith("error PermissionDenied ")
        assert nobody.ask(f"open {name} ro") == f"ok opened {MIB} ro"
        assert nobody.ask("verify 13") == f"ok verified {MIB}"
        assert nobody.ask("write-through-ro").startswith("error TypeError")


def test_a_writable_region_takes_another_users_bytes(client: mapd.Client, nobody: Peer, name: str) -> None:
    with client.create(name, MIB, mode=0o666) as region:
        assert nobody.ask(f"open {name} rw") == f"ok opened {MIB} rw"
        assert nobody.ask("fill 14") == f"ok filled {MIB}"
        assert pattern.first_mismatch(region.ndarray(numpy.uint64), 14) == -1


def test_another_users_region_belongs_to_them_and_root_may_open_it(client: mapd.Client, nobody: Peer, name: str) -> None:
    assert nobody.ask(f"create {name} {MIB} 600") == f"ok created {MIB}"
    info = client.get(name)
    assert (info.owner_uid, info.gid, info.mode) == (NOBODY, NOBODY, 0o600)
    with client.open(name) as region:  # root may do anything
        assert region.writable
