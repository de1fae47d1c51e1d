"""The mapd Python package next to multiprocessing.shared_memory, measured in the same run.

usage: vs_shared_memory.py [--daemon PATH] [--rounds N] [--opens N] [--grows N]

Three comparisons, each against its SharedMemory baseline, interleaved round by round:

  open   open + map a 64 MiB region (Client.open + view) vs attaching a SharedMemory of the
         same size (SharedMemory(name) + .buf); and closing each.
  sum    numpy sum over a 1 GiB region vs over a 1 GiB SharedMemory buffer, both warm, in
         interleaved pairs over 4 fresh allocations of each; wall time and the summing
         thread's CPU time (the target uses CPU time: see bench_sum).
  grow   a 1 GiB region grown to 2 GiB, timed from the resize call to a follower process (a
         second Python process with its own client) holding a view of all 2 GiB; vs creating a
         2 GiB SharedMemory, copying the 1 GiB into it and the follower attaching it.

As root it mounts tmpfs for the daemon's storage (through the test suite's daemon launcher):
huge=never for open and sum, the kind of pages /dev/shm has, so both sides read the same kind
of pages; huge=within_size (the daemon's default) for the grow and for an extra sum row.
Without root the storage is a /dev/shm directory and the huge-page rows are left out.
Run it from a virtual environment with the package installed (pip install 'src/python[numpy]').
"""

from __future__ import annotations

import argparse
import mmap
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing import resource_tracker, shared_memory
from pathlib import Path
from typing import Any

import numpy

import mapd

REPOSITORY = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY / "src" / "python" / "tests"))
from daemon import Daemon  # noqa: E402  (the test suite's launcher: one way to start the daemon)

MIB = 1 << 20
GIB = 1 << 30
OPEN_SIZE = 64 * MIB
SUM_SIZE = 1 * GIB
GROW_FROM, GROW_TO = 1 * GIB, 2 * GIB
FOLLOWER_POLL = 20e-6  # seconds between a follower's looks at the region's size


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def warm_up(gib: int) -> None:
    """Touches memory once so the host backs it: first touch of never-used memory in these VMs
    costs ~3 s/GiB, which would land in whichever scenario touches it first."""
    with mmap.mmap(-1, gib * GIB) as memory:
        view = numpy.frombuffer(memory, dtype=numpy.uint8)
        view[::4096] = 1
        del view


@contextmanager
def daemon(huge_pages: str) -> Iterator[Daemon]:
    started = Daemon("7G", Mapd__Storage__HugePages=huge_pages, Mapd__Limits__MaxRegionSize="4G")
    try:
        yield started
    finally:
        started.close()


# --- open + map ---------------------------------------------------------------------------


def bench_open(client: mapd.Client, opens: int, rounds: int) -> list[tuple[str, list[float]]]:
    region = client.create("bench-open", OPEN_SIZE)
    region.view()[::4096] = b"\x01" * (OPEN_SIZE // 4096)
    baseline = shared_memory.SharedMemory(create=True, size=OPEN_SIZE)
    baseline.buf[::4096] = b"\x01" * (OPEN_SIZE // 4096)
    samples: dict[str, list[float]] = {key: [] for key in ("mapd open", "mapd close", "shm open", "shm close", "mapd get")}

    def mapd_once() -> None:
        start = time.perf_counter()
        opened = client.open("bench-open", writable=False)
        view = opened.view()
        mapped = time.perf_counter()
        view.release()
        opened.close()
        samples["mapd open"].append(mapped - start)
        samples["mapd close"].append(time.perf_counter() - mapped)
        start = time.perf_counter()
        client.get("bench-open")
        samples["mapd get"].append(time.perf_counter() - start)

    def shm_once() -> None:
        start = time.perf_counter()
        attached = shared_memory.SharedMemory(name=baseline.name)
        view = attached.buf
        mapped = time.perf_counter()
        del view
        attached.close()
        samples["shm open"].append(mapped - start)
        samples["shm close"].append(time.perf_counter() - mapped)

    for _ in range(opens // 10):  # untimed: warm the paths
        mapd_once()
        shm_once()
    for key in samples:
        samples[key].clear()
    for round_ in range(rounds):
        for once in (mapd_once, shm_once) if round_ % 2 == 0 else (shm_once, mapd_once):
            for _ in range(opens // rounds):
                once()
    region.close()
    client.delete("bench-open")
    baseline.close()
    baseline.unlink()
    return list(samples.items())


# --- numpy sum ----------------------------------------------------------------------------


def bench_sum(client: mapd.Client, rounds: int, label: str, allocations: int = 4) -> tuple[list[tuple[str, list[float]]], dict[str, list[float]]]:
    """Sums each side ``rounds`` times per allocation, in interleaved pairs. Each allocation gets
    fresh pages for both sides, the region's first in one and the SharedMemory's in the next.
    Records wall time and the summing thread's CPU time: on a busy 2-vCPU machine the thread
    runs only part of the wall time, so wall time mostly measures the scheduler, while CPU time
    (memory stalls included) measures the sum. Returns the timings and each pair's
    mapd/SharedMemory ratios, by clock."""
    sides = (f"mapd region ({label})", "SharedMemory (/dev/shm)")
    timings: dict[str, list[float]] = {f"{side}, {clock}": [] for clock in ("wall", "CPU") for side in sides}
    ratios: dict[str, list[float]] = {"wall": [], "CPU": []}
    for allocation in range(allocations):
        baseline = shared_memory.SharedMemory(create=True, size=SUM_SIZE) if allocation % 2 else None
        region = client.create(f"bench-sum-{allocation}", SUM_SIZE)
        on_region = region.ndarray(numpy.uint64)
        on_region[:] = numpy.arange(on_region.size, dtype=numpy.uint64)  # touches every page: warm
        baseline = baseline or shared_memory.SharedMemory(create=True, size=SUM_SIZE)
        on_shm: numpy.ndarray[Any, numpy.dtype[numpy.uint64]] = numpy.ndarray((SUM_SIZE // 8,), dtype=numpy.uint64, buffer=baseline.buf)
        on_shm[:] = on_region
        expected = int(on_shm.sum())
        arrays = list(zip(sides, (on_region, on_shm)))
        for round_ in range(rounds + 1):
            pair: dict[str, tuple[float, float]] = {}
            for side, array in arrays if round_ % 2 == 0 else reversed(arrays):
                wall, cpu = time.perf_counter(), time.thread_time()
                total = int(array.sum())
                pair[side] = (time.perf_counter() - wall, time.thread_time() - cpu)
                assert total == expected, "both hold the same numbers"
            if round_ == 0:
                continue  # untimed
            for index, clock in enumerate(("wall", "CPU")):
                for side in sides:
                    timings[f"{side}, {clock}"].append(pair[side][index])
                ratios[clock].append(pair[sides[0]][index] / pair[sides[1]][index])
        del on_region, on_shm, arrays
        region.close()
        client.delete(f"bench-sum-{allocation}")
        baseline.close()
        baseline.unlink()
    return list(timings.items()), ratios


# --- grow seen by a follower --------------------------------------------------------------


class Follower:
    """A second Python process: this script, as ``follow-region SOCKET_DIR NAME`` (a mapd client
    with the region open) or ``follow-shm``."""

    def __init__(self, *arguments: str) -> None:
        self._process = subprocess.Popen([sys.executable, __file__, *arguments],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.ask("") == "ready"

    def ask(self, line: str) -> str:
        assert self._process.stdin is not None and self._process.stdout is not None
        if line:
            self._process.stdin.write(line + "\n")
            self._process.stdin.flush()
        return self._process.stdout.readline().strip()

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(60)


def follow_region(socket_dir: str, name: str) -> None:
    """On ``wait SIZE``: answers "polling", looks at its region until it has applied SIZE, and
    answers with the CLOCK_MONOTONIC time it held a view of all of it."""
    with mapd.connect(socket_dir) as client, client.open(name) as region:
        print("ready", flush=True)
        for line in sys.stdin:
            size = int(line.split()[1])
            print("polling", flush=True)
            while region.size != size:
                time.sleep(FOLLOWER_POLL)
            with region.view() as view:
                assert len(view) == size
                seen = time.monotonic_ns()
            print(seen, flush=True)


def follow_shm() -> None:
    """On ``attach NAME SIZE``: attaches that SharedMemory and answers with the CLOCK_MONOTONIC
    time it held a view of it."""
    print("ready", flush=True)
    for line in sys.stdin:
        _, name, size = line.split()
        attached = shared_memory.SharedMemory(name=name)
        view = attached.buf
        assert len(view) >= int(size)
        seen = time.monotonic_ns()
        del view
        attached.close()
        # Attaching registered it with this process's resource tracker, which would unlink it at
        # exit (cpython#82300); the creator unlinks it.
        resource_tracker.unregister(f"/{name}", "shared_memory")
        print(seen, flush=True)


def wait_for_size(client: mapd.Client, name: str, size: int) -> None:
    deadline = time.monotonic() + 60
    while client.get(name).size != size:
        if time.monotonic() > deadline:
            raise TimeoutError(f"region {name} did not reach {size} bytes")
        time.sleep(0.001)


def bench_grow(client: mapd.Client, grows: int) -> list[tuple[str, list[float]]]:
    timings: dict[str, list[float]] = {}
    for label, max_size in (("mapd grow, in place (reserved address space)", 0), ("mapd grow, remapped (max_size = 1 GiB)", GROW_FROM)):
        name = "bench-grow-remap" if max_size else "bench-grow"
        region = client.create(name, GROW_FROM, max_size=max_size)
        region.view()[::4096] = b"\x01" * (GROW_FROM // 4096)
        follower = Follower("follow-region", client.socket_dir, name)
        timings[label] = []
        for attempt in range(grows + 1):
            assert follower.ask(f"wait {GROW_TO}") == "polling"
            start = time.monotonic_ns()
            region.resize(GROW_TO)
            seen = int(follower.ask(""))
            if attempt:  # the first grow is untimed
                timings[label].append((seen - start) / 1e9)
            region.resize(GROW_FROM)  # shrink back, untimed: it commits once both released the tail
            wait_for_size(client, name, GROW_FROM)
        follower.close()
        region.close()
        client.delete(name)

    source = shared_memory.SharedMemory(create=True, size=GROW_FROM)
    source.buf[::4096] = b"\x01" * (GROW_FROM // 4096)
    old: numpy.ndarray[Any, numpy.dtype[numpy.uint8]] = numpy.ndarray((GROW_FROM,), dtype=numpy.uint8, buffer=source.buf)
    follower = Follower("follow-shm")
    label, floor = "copy into a new SharedMemory, follower attaches", "the same copy again, into pages already faulted in"
    timings[label], timings[floor] = [], []
    for attempt in range(grows + 1):
        start = time.monotonic_ns()
        grown = shared_memory.SharedMemory(create=True, size=GROW_TO)
        copy: numpy.ndarray[Any, numpy.dtype[numpy.uint8]] = numpy.ndarray((GROW_FROM,), dtype=numpy.uint8, buffer=grown.buf)
        copy[:] = old
        seen = int(follower.ask(f"attach {grown.name} {GROW_TO}"))
        # The floor of any copy: the memcpy alone, without faulting in fresh pages.
        again = time.perf_counter()
        copy[:] = old
        if attempt:
            timings[label].append((seen - start) / 1e9)
            timings[floor].append(time.perf_counter() - again)
        del copy
        grown.close()
        grown.unlink()
    follower.close()
    del old
    source.close()
    source.unlink()
    return list(timings.items())


# --- report -------------------------------------------------------------------------------


def table(title: str, rows: list[tuple[str, list[float]]], unit: float, unit_name: str) -> None:
    print(f"\n### {title}\n")
    print(f"| scenario | n | p50 {unit_name} | p99 {unit_name} | mean {unit_name} |")
    print("|---|---:|---:|---:|---:|")
    for label, samples in rows:
        print(f"| {label} | {len(samples)} | {statistics.median(samples) / unit:,.1f} | "
              f"{percentile(samples, 0.99) / unit:,.1f} | {statistics.fmean(samples) / unit:,.1f} |")


def verdict(what: str, passed: bool, detail: str) -> None:
    print(f"- {what}: {'PASS' if passed else 'FAIL'} ({detail})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--daemon", default=str(REPOSITORY / "src/Mapd.Server/bin/Release/net10.0/mapd.dll"))
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds of each comparison (default 7)")
    parser.add_argument("--opens", type=int, default=2100, help="opens per side (default 2100)")
    parser.add_argument("--grows", type=int, default=15, help="timed grows per scenario (default 15)")
    options = parser.parse_args()
    if not Path(options.daemon).exists():
        sys.exit(f"{options.daemon} is missing: dotnet build -c Release src/Mapd.Server, or pass --daemon")
    os.environ["MAPD_DAEMON_DLL"] = options.daemon
    root = os.getuid() == 0

    print(f"# mapd Python package vs multiprocessing.shared_memory ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})")
    print(f"python {sys.version.split()[0]}, numpy {numpy.__version__}, kernel {os.uname().release}, {os.cpu_count()} CPUs, "
          f"storage: {'tmpfs mounted by the daemon' if root else '/dev/shm directory (not root: no huge-page rows)'}")
    warm_up(6)

    with daemon("never") as same_pages, mapd.connect(same_pages.socket_dir) as client:
        opens = bench_open(client, options.opens, options.rounds)
        sums, ratios = bench_sum(client, options.rounds, "tmpfs huge=never, as /dev/shm")
    if root:
        with daemon("within_size") as huge, mapd.connect(huge.socket_dir) as client:
            huge_sums, huge_ratios = bench_sum(client, options.rounds, "tmpfs huge=within_size")
            sums += [huge_sums[0], huge_sums[2]]
            grows = bench_grow(client, options.grows)
    else:
        grows, huge_ratios = [], {}

    table("Open + map 64 MiB (read-only) vs attaching a SharedMemory", opens, 1e-6, "us")
    table("numpy sum over 1 GiB of uint64 (wall time, and the summing thread's CPU time)", sums, 1e-3, "ms")
    if grows:
        table("Grow 1 GiB -> 2 GiB until a follower process holds a view of all of it", grows, 1e-3, "ms")

    print("\n### Targets (same run)\n")
    by_label = dict(opens + sums + grows)
    cpu, wall = statistics.median(ratios["CPU"]), statistics.median(ratios["wall"])
    verdict("numpy sum over a region within 5% of the same sum over SharedMemory (same kind of pages; median of the pairs' CPU-time ratios)",
            cpu <= 1.05, f"{cpu:.3f}x; by wall time {wall:.3f}x")
    if huge_ratios:
        print(f"- (no target) the region on huge pages (the daemon's default): CPU {statistics.median(huge_ratios['CPU']):.3f}x, "
              f"wall {statistics.median(huge_ratios['wall']):.3f}x")
    if grows:
        copy = statistics.median(by_label["copy into a new SharedMemory, follower attaches"])
        floor = statistics.median(by_label["the same copy again, into pages already faulted in"])
        for label, samples in grows[:2]:
            grow = statistics.median(samples)
            verdict(f"{label} at least 50x faster than copying", copy >= 50 * grow,
                    f"p50 {grow * 1e3:.2f} ms vs {copy * 1e3:.1f} ms = {copy / grow:,.0f}x; "
                    f"vs the bare memcpy {floor * 1e3:.1f} ms = {floor / grow:,.0f}x")
    mapd_open, shm_open = statistics.median(by_label["mapd open"]), statistics.median(by_label["shm open"])
    print(f"- (no target) open + map: p50 {mapd_open * 1e6:.0f} us vs attach {shm_open * 1e6:.0f} us = {mapd_open / shm_open:.1f}x")


if __name__ == "__main__":
    if sys.argv[1:2] == ["follow-region"]:
        follow_region(sys.argv[2], sys.argv[3])
    elif sys.argv[1:2] == ["follow-shm"]:
        follow_shm()
    else:
        main()
