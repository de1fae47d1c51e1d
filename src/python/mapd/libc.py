"""The memory calls Python's ``mmap`` module cannot make: reserving address space, mapping a file
at a fixed address inside it, and pre-faulting (``MADV_POPULATE_*``)."""

from __future__ import annotations

import ctypes
import errno
import os

PROT_NONE = 0
PROT_READ = 1
PROT_WRITE = 2
MAP_SHARED = 0x01
MAP_PRIVATE = 0x02
MAP_FIXED = 0x10
MAP_ANONYMOUS = 0x20
MAP_NORESERVE = 0x4000
MADV_POPULATE_READ = 22
MADV_POPULATE_WRITE = 23

_libc = ctypes.CDLL(None, use_errno=True)
_mmap = _libc.mmap
_mmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long)
_mmap.restype = ctypes.c_void_p
_munmap = _libc.munmap
_munmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t)
_munmap.restype = ctypes.c_int
_madvise = _libc.madvise
_madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
_madvise.restype = ctypes.c_int
_MAP_FAILED = ctypes.c_void_p(-1).value


def mmap(address: int, length: int, prot: int, flags: int, fd: int, offset: int, what: str) -> int:
    """mmap(2); returns the address or raises OSError saying what was being mapped."""
    result = _mmap(address or None, length, prot, flags, fd, offset)
    if result is None or result == _MAP_FAILED:
        raise _failure("mmap", what)
    return int(result)


def munmap(address: int, length: int) -> None:
    """munmap(2)."""
    if _munmap(address, length) != 0:
        raise _failure("munmap", f"{length} bytes at {address:#x}")


def populate(address: int, length: int, for_write: bool) -> bool:
    """Faults the range in ahead of use; False where the kernel lacks the advice (before 5.14)."""
    if _madvise(address, length, MADV_POPULATE_WRITE if for_write else MADV_POPULATE_READ) == 0:
        return True
    code = ctypes.get_errno()
    if code == errno.EINVAL:
        return False
    raise OSError(code, f"madvise(MADV_POPULATE) of {length} bytes: {os.strerror(code)}")


def _failure(call: str, what: str) -> OSError:
    code = ctypes.get_errno()
    message = f"{call} of {what}: {os.strerror(code)}"
    if code == errno.ENOMEM:
        message += f"; out of address space or of memory map areas (vm.max_map_count = {_max_map_count()})"
    return OSError(code, message)


def _max_map_count() -> str:
    try:
        with open("/proc/sys/vm/max_map_count", encoding="ascii") as f:
            return f.read().strip()
    except OSError:
        return "unknown"
