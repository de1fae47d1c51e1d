"""Finding the daemon: explicit directory, MAPD_SOCKET_DIR, the user's own directory when a
daemon serves there, else /run/mapd; a failure names every place looked at."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import mapd
from daemon import Daemon
from environment import IS_ROOT, NOBODY, require
from mapd.discovery import discover
from processes import run_python


@pytest.fixture
def runtime_dir() -> Iterator[Path]:
    """An XDG_RUNTIME_DIR another uid may use."""
    path = Path(tempfile.mkdtemp(prefix="mapd-pytest-xdg-"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_an_explicit_directory_wins() -> None:
    found = discover("/somewhere", {"MAPD_SOCKET_DIR": "/elsewhere"}, uid=1000)
    assert found.place.path == "/somewhere"


def test_mapd_socket_dir_comes_next_and_empty_counts_as_unset() -> None:
    assert discover(None, {"MAPD_SOCKET_DIR": "/elsewhere"}, uid=1000).place.path == "/elsewhere"
    assert discover(None, {"MAPD_SOCKET_DIR": ""}, uid=0).place.path == "/run/mapd"


def test_root_uses_run_mapd() -> None:
    found = discover(None, {"XDG_RUNTIME_DIR": "/run/user/0"}, uid=0)
    assert (found.place.path, found.passed_over) == ("/run/mapd", ())


def test_a_user_falls_back_to_run_mapd_when_no_daemon_serves_their_own_directory(runtime_dir: Path) -> None:
    found = discover(None, {"XDG_RUNTIME_DIR": str(runtime_dir)}, uid=1000)
    assert found.place.path == "/run/mapd"
    assert found.passed_over == (f"{runtime_dir}/mapd (this user's socket directory: mapd.sock: ENOENT)",)
    assert discover(None, {}, uid=1000).passed_over[0].startswith("/tmp/mapd-1000 (this user's socket directory")


def test_a_user_uses_their_own_directory_where_a_daemon_serves(daemon: Daemon, runtime_dir: Path) -> None:
    (runtime_dir / "mapd").symlink_to(daemon.socket_dir)
    found = discover(None, {"XDG_RUNTIME_DIR": str(runtime_dir)}, uid=1000)
    assert (found.place.path, found.passed_over) == (f"{runtime_dir}/mapd", ())


def test_mapd_socket_dir_reaches_the_daemon(daemon: Daemon, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAPD_SOCKET_DIR", str(daemon.socket_dir))
    with mapd.connect() as client:
        assert client.socket_dir == str(daemon.socket_dir)


def user_process() -> int | None:
    """Another uid when running as root (so the user's own directory is not /run/mapd), else this one."""
    if IS_ROOT:
        require(shutil.which("setpriv") is not None, "setpriv is missing: apt-get install util-linux")
        return NOBODY
    return None


def test_a_user_process_finds_the_daemon_in_its_own_directory(daemon: Daemon, runtime_dir: Path) -> None:
    (runtime_dir / "mapd").symlink_to(daemon.socket_dir)
    result = run_python("import mapd; print(mapd.connect().socket_dir)", {"XDG_RUNTIME_DIR": str(runtime_dir)}, user_process())
    assert result.stdout.strip() == f"{runtime_dir}/mapd", result.stderr


def test_a_failure_names_every_place_it_looked(runtime_dir: Path) -> None:
    require(not os.path.exists("/run/mapd/mapd-fd.sock"), "a daemon serves /run/mapd on this machine")
    result = run_python("import mapd; mapd.connect()", {"XDG_RUNTIME_DIR": str(runtime_dir)}, user_process())
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("mapd.Unavailable: mapd is not reachable; looked in "), last
    assert f"{runtime_dir}/mapd (this user's socket directory: mapd.sock: ENOENT)" in last, last
    assert "/run/mapd (the system socket directory: mapd-fd.sock: ENOENT)" in last, last
