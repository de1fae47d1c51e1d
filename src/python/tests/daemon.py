"""The real daemon, run as a separate process on a real tmpfs, as the C# integration tests run it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from environment import IS_ROOT, daemon_dll, dotnet

READY_TIMEOUT = 60.0


class Daemon:
    """mapd on a fresh storage: a freshly mounted tmpfs when the tests run as root (as CI does),
    else a directory of its own in /dev/shm. Readiness is the daemon's own READY=1 on a
    NOTIFY_SOCKET this class binds."""

    def __init__(self, storage_size: str = "256M", **settings: str) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="mapd-pytest-"))
        # Other uids (setpriv tests) must reach the sockets; the socket mode decides who connects.
        self.root.chmod(0o755)
        self.socket_dir = self.root / "run"
        self.socket_dir.mkdir()
        self.storage = self.root / "storage" if IS_ROOT else Path("/dev/shm") / self.root.name
        self.settings = {
            "Mapd:SocketDirectory": str(self.socket_dir),
            "Mapd:SocketMode": "0666",
            "Mapd:Storage:Path": str(self.storage),
            "Mapd:Storage:Size": storage_size,
            "Mapd:Metrics:Url": "",
            "Mapd:Grace:RecoveryWindow": "00:00:02",
            **({"Mapd:Storage:Mount": "true"} if IS_ROOT else {}),
            **{key.replace("__", ":"): value for key, value in settings.items()},
        }
        self.log_path = self.root / "daemon.log"
        self._process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def start(self) -> None:
        """Starts the daemon (again, on the same storage) and waits for READY=1."""
        notify_path = self.root / f"notify-{time.monotonic_ns()}"
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify, open(self.log_path, "ab") as log:
            notify.bind(str(notify_path))
            environment = {key: value for key, value in os.environ.items() if key != "XDG_RUNTIME_DIR"}
            environment["NOTIFY_SOCKET"] = str(notify_path)
            self._process = subprocess.Popen(
                [dotnet(), str(daemon_dll()), *(f"--{key}={value}" for key, value in self.settings.items())],
                stdout=log, stderr=subprocess.STDOUT, env=environment)
            deadline = time.monotonic() + READY_TIMEOUT
            while True:
                remaining = deadline - time.monotonic()
                if self._process.poll() is not None:
                    raise RuntimeError(f"mapd exited with {self._process.returncode} before READY=1:\n{self.log()}")
                if remaining <= 0:
                    raise TimeoutError(f"mapd did not send READY=1 within {READY_TIMEOUT} s:\n{self.log()}")
                notify.settimeout(min(remaining, 0.5))
                try:
                    message = notify.recv(4096).decode()
                except TimeoutError:
                    continue
                if "READY=1" in message.split("\n"):
                    break
        notify_path.unlink()

    def kill(self) -> None:
        """SIGKILL, as in a crash: no shutdown code runs."""
        assert self._process is not None
        self._process.kill()
        self._process.wait()
        self._process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def close(self) -> None:
        if self._process is not None:
            self.kill()
        if IS_ROOT:
            subprocess.run(["umount", "-l", str(self.storage)], check=False)
        else:
            shutil.rmtree(self.storage, ignore_errors=True)
        shutil.rmtree(self.root, ignore_errors=True)
