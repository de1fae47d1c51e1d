"""One shared mapping of a region's file, inside address space it reserved so it can grow in place."""

from __future__ import annotations

import mmap as _mmap

from . import libc

ALIGNMENT = 2 << 20
"""Mappings start on this boundary, so a tmpfs mounted with huge pages can back them with 2 MiB pages."""

PAGE_SIZE = _mmap.PAGESIZE


class Mapping:
    """``MAP_SHARED|MAP_NORESERVE`` of a region's file at a 2 MiB-aligned address, followed by
    ``PROT_NONE`` address space up to ``reserved`` bytes: a grow maps more of the file into that
    space without moving, so every address handed out earlier stays valid. This object is the
    one owner of the whole range and the only one that unmaps it."""

    def __init__(self, fd: int, length: int, *, writable: bool, reserve: int, what: str) -> None:
        if length <= 0:
            raise ValueError(f"cannot map {length} bytes of {what}")
        self.reserved = _round_up(max(length, reserve), ALIGNMENT)
        self.writable = writable
        self._what = what
        # mmap only promises page alignment: reserve one alignment unit more and start inside it.
        # The slack stays reserved (PROT_NONE costs no memory) and goes with the rest at unmap.
        self._span = self.reserved + ALIGNMENT
        self._start = libc.mmap(0, self._span, libc.PROT_NONE,
                                libc.MAP_PRIVATE | libc.MAP_ANONYMOUS | libc.MAP_NORESERVE, -1, 0,
                                f"a {self._span}-byte reservation for {what}")
        self.address = _round_up(self._start, ALIGNMENT)
        self.length = 0
        self._unmapped = False
        try:
            self._map_file(fd, 0, length)
        except BaseException:
            self.unmap()
            raise
        self.length = length

    @property
    def unmapped(self) -> bool:
        """True once the range was given back."""
        return self._unmapped

    def grow_in_place(self, fd: int, new_length: int) -> bool:
        """Maps the file up to ``new_length`` at the same address; False (nothing changed) when
        the reservation is too small."""
        if new_length <= self.length:
            return True
        if new_length > self.reserved:
            return False
        start = self.length - self.length % PAGE_SIZE
        self._map_file(fd, start, new_length - start)
        self.length = new_length
        return True

    def shrink_to(self, new_length: int) -> None:
        """Stops mapping the file past ``new_length``: the tail becomes reserved ``PROT_NONE``
        space again, so the file can be truncated without a SIGBUS here."""
        if new_length >= self.length:
            return
        start = _round_up(new_length, PAGE_SIZE)
        end = _round_up(self.length, PAGE_SIZE)
        self.length = new_length
        if end > start:
            libc.mmap(self.address + start, end - start, libc.PROT_NONE,
                      libc.MAP_PRIVATE | libc.MAP_ANONYMOUS | libc.MAP_NORESERVE | libc.MAP_FIXED, -1, 0,
                      f"the {end - start}-byte tail of {self._what}")

    def populate(self, length: int) -> None:
        """Faults in the first ``length`` bytes, so the first readers of a new mapping do not pay
        for page faults (a no-op on kernels without MADV_POPULATE_*)."""
        length = min(length, self.length)
        if length > 0:
            libc.populate(self.address, _round_up(length, PAGE_SIZE), for_write=self.writable)

    def unmap(self) -> None:
        """Gives the whole reserved range back. Only call once nothing can touch it any more."""
        if not self._unmapped:
            self._unmapped = True
            libc.munmap(self._start, self._span)

    def _map_file(self, fd: int, offset: int, length: int) -> None:
        prot = libc.PROT_READ | (libc.PROT_WRITE if self.writable else 0)
        libc.mmap(self.address + offset, length, prot, libc.MAP_SHARED | libc.MAP_NORESERVE | libc.MAP_FIXED, fd, offset,
                  f"{length} bytes of {self._what}")


def _round_up(value: int, unit: int) -> int:
    return (value + unit - 1) // unit * unit
