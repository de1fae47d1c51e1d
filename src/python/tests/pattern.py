"""The test pattern, the same as tests/Mapd.TestClient/Pattern.cs writes: every little-endian
64-bit word holds its own byte offset XOR (seed * 0x9E3779B97F4A7C15 mod 2**64), so a wrong,
shifted or stale byte anywhere is found and located."""

from __future__ import annotations

from typing import Any

import numpy

MIX = 0x9E3779B97F4A7C15


def words(count: int, seed: int, first: int = 0) -> numpy.ndarray[Any, numpy.dtype[numpy.uint64]]:
    """The pattern's words ``first`` to ``first + count``."""
    key = numpy.uint64((seed * MIX) % 2**64)
    return (numpy.arange(first, first + count, dtype=numpy.uint64) * numpy.uint64(8)) ^ key


def fill(array: numpy.ndarray[Any, numpy.dtype[numpy.uint64]], seed: int) -> None:
    array[:] = words(array.size, seed)


def first_mismatch(array: numpy.ndarray[Any, numpy.dtype[numpy.uint64]], seed: int) -> int:
    """The byte offset of the first wrong word, or -1."""
    wrong = numpy.flatnonzero(array != words(array.size, seed))
    return int(wrong[0]) * 8 if wrong.size else -1
