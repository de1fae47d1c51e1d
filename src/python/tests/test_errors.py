"""Every error class, each carrying the daemon's message (PermissionDenied: test_permissions.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

import mapd
from daemon import Daemon

MIB = 1 << 20


def test_not_found(client: mapd.Client, name: str) -> None:
    with pytest.raises(mapd.NotFound, match=f"region '{name}' does not exist; list regions") as caught:
        client.open(name)
    assert caught.value.code == "NOT_FOUND"
    assert isinstance(caught.value, mapd.MapdError)
    with pytest.raises(mapd.NotFound):
        client.get(name)
    with pytest.raises(mapd.NotFound):
        client.delete(name)


def test_already_exists(client: mapd.Client, name: str) -> None:
    with client.create(name, MIB):
        with pytest.raises(mapd.AlreadyExists, match=f"region '{name}' already exists; open it instead") as caught:
            client.create(name, MIB)
    assert caught.value.code == "ALREADY_EXISTS"


@pytest.mark.parametrize(("region", "size", "message"), [
    (".hidden", MIB, "name"),
    ("a/b", MIB, "name"),
    ("x" * 201, MIB, "name"),
    ("fine", 0, "size"),
    ("fine", 129 * MIB, "size"),
])
def test_invalid_argument_from_the_daemon(client: mapd.Client, region: str, size: int, message: str) -> None:
    with pytest.raises(mapd.InvalidArgument, match=message) as caught:
        client.create(region, size)
    assert caught.value.code == "INVALID_ARGUMENT"
    assert isinstance(caught.value, ValueError), "an argument error is also a ValueError, as Python's own are"


def test_invalid_argument_found_here(client: mapd.Client, name: str) -> None:
    with pytest.raises(mapd.InvalidArgument, match="size -1 is negative"):
        client.create(name, -1)
    with pytest.raises(mapd.InvalidArgument, match="not permission bits"):
        client.create(name, MIB, mode=0o1777)
    with client.create(name, MIB) as region:
        with pytest.raises(mapd.InvalidArgument, match=f"offset {MIB + 1} is outside region '{name}' of {MIB} bytes"):
            region.view(MIB + 1)
        with pytest.raises(mapd.InvalidArgument, match=f"8 bytes at offset {MIB - 4} do not fit"):
            region.view(MIB - 4, 8)
        with pytest.raises(mapd.InvalidArgument, match="do not fit"):
            region.ndarray("u8", shape=(1024, 1024))


def test_resource_exhausted() -> None:
    small = Daemon("64M")
    try:
        with mapd.connect(small.socket_dir) as client, client.create("first", 40 * MIB):
            with pytest.raises(mapd.ResourceExhausted) as caught:
                client.create("second", 40 * MIB)
            assert caught.value.code == "RESOURCE_EXHAUSTED"
            assert "storage capacity is 64M" in str(caught.value), str(caught.value)
    finally:
        small.close()


def test_a_session_over_its_quota_is_resource_exhausted_naming_the_key() -> None:
    # Root and the daemon's uid have a quota of their own: set both, whoever runs the tests.
    small = Daemon("64M", Mapd__Quota__Sessions="1", Mapd__Quota__Privileged__Sessions="1")
    try:
        with mapd.connect(small.socket_dir):
            with pytest.raises(mapd.ResourceExhausted) as caught:
                mapd.connect(small.socket_dir)
            assert caught.value.code == "RESOURCE_EXHAUSTED"
            assert "Mapd:Quota:" in str(caught.value) and "Sessions = 1" in str(caught.value), str(caught.value)
    finally:
        small.close()


def test_failed_precondition(client: mapd.Client, name: str) -> None:
    with client.create(name, MIB) as region:
        assert region.generation == 1
        with pytest.raises(mapd.FailedPrecondition, match="generation") as caught:
            region.resize(2 * MIB, expected_generation=7)
        assert caught.value.code == "FAILED_PRECONDITION"
        assert region.resize(2 * MIB, expected_generation=1).generation == 2


def test_unavailable_names_the_place_it_looked(tmp_path: Path) -> None:
    with pytest.raises(mapd.Unavailable) as caught:
        mapd.connect(tmp_path)
    message = str(caught.value)
    assert f"{tmp_path} (the socket_dir argument: mapd-fd.sock: ENOENT)" in message, message
    assert "start the daemon" in message
    assert caught.value.code == "UNAVAILABLE"


def test_closed_regions_and_clients_say_so(daemon: Daemon, name: str) -> None:
    client = mapd.connect(daemon.socket_dir)
    region = client.create(name, MIB)
    region.close()
    with pytest.raises(ValueError, match=f"region '{name}' is closed"):
        region.view()
    client.close()
    with pytest.raises(ValueError, match="client is closed"):
        client.get(name)
