"""Where the built parts are, and what this machine lets the tests do.

The tests drive the real daemon (a .NET assembly) and the C# test client. Paths come from the
environment (the xunit test that runs this suite in CI sets them all) or default to the Debug
build, then the Release build, of the checkout these tests sit in.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[3]
REQUIRE_ALL = os.environ.get("MAPD_REQUIRE_ALL") == "1"
IS_ROOT = os.getuid() == 0
NOBODY = 65534


def require(available: bool, reason: str) -> None:
    """Skips the test when something it needs is missing here; under MAPD_REQUIRE_ALL=1 (CI)
    nothing may be skipped, so the test fails instead."""
    if available:
        return
    import pytest  # only here: the benchmarks start daemons through this module without pytest

    if REQUIRE_ALL:
        pytest.fail(f"{reason} (MAPD_REQUIRE_ALL=1: nothing may be skipped)")
    pytest.skip(reason)


def built(variable: str, project: str, assembly: str) -> Path | None:
    """A .NET assembly named by ``variable``, else the checkout's Debug or Release build of it."""
    if os.environ.get(variable):
        return Path(os.environ[variable])
    for configuration in ("Debug", "Release"):
        path = REPOSITORY / project / "bin" / configuration / "net10.0" / assembly
        if path.exists():
            return path
    return None


def daemon_dll() -> Path:
    path = built("MAPD_DAEMON_DLL", "src/Mapd.Server", "mapd.dll")
    require(path is not None and path.exists(), "the daemon is not built: dotnet build src/Mapd.Server (or set MAPD_DAEMON_DLL)")
    assert path is not None
    return path


def csharp_client_dll() -> Path:
    path = built("MAPD_TEST_CLIENT_DLL", "tests/Mapd.TestClient", "Mapd.TestClient.dll")
    require(path is not None and path.exists(), "the C# test client is not built: dotnet build tests/Mapd.TestClient (or set MAPD_TEST_CLIENT_DLL)")
    assert path is not None
    return path


def dotnet() -> str:
    host = os.environ.get("DOTNET_HOST_PATH") or shutil.which("dotnet")
    require(host is not None, "dotnet is not installed")
    assert host is not None
    return host


def proto_root() -> Path:
    return Path(os.environ.get("MAPD_PROTO_ROOT") or REPOSITORY / "protos")
