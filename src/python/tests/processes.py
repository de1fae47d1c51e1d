"""Other processes the tests drive: a Python peer (peer.py) and the C# test client."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from environment import csharp_client_dll, dotnet

ANSWER_TIMEOUT = 60.0
HERE = Path(__file__).resolve().parent
_public_copy: Path | None = None


def public_tests() -> Path:
    """A world-readable copy of the peer's modules: another uid may not enter the checkout (/root in CI)."""
    global _public_copy
    if _public_copy is None:
        target = Path(tempfile.mkdtemp(prefix="mapd-pytest-peer-"))
        for name in ("peer.py", "pattern.py"):
            shutil.copy(HERE / name, target / name)
            (target / name).chmod(0o644)
        target.chmod(0o755)
        _public_copy = target
    return _public_copy


def remove_public_copy() -> None:
    global _public_copy
    if _public_copy is not None:
        shutil.rmtree(_public_copy, ignore_errors=True)
        _public_copy = None


class Peer:
    """A Python process (``peer.py``) with its own mapd client, optionally as another uid."""

    def __init__(self, socket_dir: Path, user: int | None = None) -> None:
        command = [sys.executable, str(public_tests() / "peer.py"), str(socket_dir)]
        if user is not None:
            setpriv = shutil.which("setpriv") or "setpriv"
            command = [setpriv, f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
        environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "HOME": "/tmp"}
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True, env=environment)
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        ready = self._next_line()
        assert ready.startswith("ready "), ready
        self.pid = int(ready.split()[1])

    def ask(self, command: str) -> str:
        """Sends one command and returns its answer line."""
        assert self._process.stdin is not None
        self._process.stdin.write(command + "\n")
        self._process.stdin.flush()
        return self._next_line()

    def kill(self) -> None:
        """SIGKILL: the kernel closes its session socket, nothing else runs."""
        self._process.kill()
        self._process.wait()

    def close(self) -> None:
        if self._process.poll() is None:
            try:
                self.ask("exit")
                self._process.wait(30)
            except (OSError, AssertionError, subprocess.TimeoutExpired):
                self.kill()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def _next_line(self) -> str:
        try:
            line = self._lines.get(timeout=ANSWER_TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"the peer did not answer within {ANSWER_TIMEOUT} s") from None
        if line is None:
            assert self._process.stderr is not None
            self._process.wait(10)
            raise AssertionError(f"the peer exited with {self._process.returncode}: {self._process.stderr.read()}")
        return line


def run_python(code: str, environment: dict[str, str], user: int | None = None) -> subprocess.CompletedProcess[str]:
    """Runs ``python -c code`` with exactly ``environment`` (plus PATH), as ``user`` if given."""
    command = [sys.executable, "-c", code]
    if user is not None:
        command = [shutil.which("setpriv") or "setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=ANSWER_TIMEOUT,
                          env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp", **environment})


def csharp(socket_dir: Path, *arguments: str) -> str:
    """Runs one command of the C# test client (tests/Mapd.TestClient) and returns its answer line."""
    result = subprocess.run([dotnet(), str(csharp_client_dll()), str(socket_dir), *arguments],
                            capture_output=True, text=True, timeout=ANSWER_TIMEOUT,
                            env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1"})
    return (result.stdout.splitlines() or [f"exited {result.returncode}: {result.stderr}"])[0]
