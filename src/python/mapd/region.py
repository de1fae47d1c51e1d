"""A region mapped into this process."""

from __future__ import annotations

import itertools
import os
import threading
import weakref
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from .errors import InvalidArgument
from .exports import export
from .info import RegionInfo
from .mapping import Mapping
from .v1 import mapd_pb2 as pb

if TYPE_CHECKING:
    import numpy
    from numpy.typing import DTypeLike

RESERVATION_FACTOR = 4
"""Without a ``max_size`` hint, address space reserved per mapping as a multiple of its size..."""
MINIMUM_RESERVATION = 1 << 30
"""... and at least this much, so a region can grow that far without moving. Reserved space costs no memory."""

_lease_keys = itertools.count(1)


class RegionOwner(Protocol):
    """What a Region needs from the Client that opened it."""

    def _resize_region(self, name: str, size: int, expected_generation: int) -> RegionInfo: ...

    def _lease_ended(self, region: Region, key: int) -> None: ...

    def _region_drained(self, region: Region) -> None: ...


@dataclass
class _Published:
    """A mapping and how many views use it; ``retired`` once new views go elsewhere."""

    mapping: Mapping
    views: int = 0
    retired: bool = False


@dataclass
class _Lease:
    """One view handed out: the mapping under it and the offset it reaches to."""

    published: _Published
    end: int
    ref: weakref.ref[Any]  # keeps the exporter's callback alive


@dataclass(frozen=True)
class LeaseOutcome:
    """What the end of a view changed: a shrink could finish (the owner releases it), or the
    closed region let go of its last mapping (the owner tells the daemon)."""

    shrunk: bool
    drained: bool


class Region:
    """A region mapped into this process (``MAP_SHARED``, 2 MiB-aligned, inside reserved address
    space). Read and write it through :meth:`view` and :meth:`ndarray`.

    Whoever resizes the region, the mapping follows without copying a byte. A grow maps the new
    pages in place when the reservation has room (``max_size``, else 4x the size) and otherwise
    maps the file again elsewhere; views and arrays handed out earlier stay valid either way, and
    an old mapping is unmapped only once the last view of it is gone. A shrink stops handing out
    the tail at once, and the tail is unmapped and released to the daemon (which only then cuts
    the file) once no view of it remains. Views are therefore leases: release them (``with``,
    ``del``) when done, or a shrink waits for them.

    Thread-safe. :meth:`close` tells the daemon this process no longer maps the region, once the
    last view is gone.
    """

    def __init__(self, owner: RegionOwner, fd: int, state: pb.Region, *, writable: bool) -> None:
        """Maps ``fd`` (which the Region then owns) as ``state`` describes it. Use ``Client.open``."""
        self._owner = owner
        self._fd = fd
        self._name = state.name
        self._writable = writable
        self._max_size_hint = state.max_size
        self._apply_lock = threading.Lock()  # one resize applied at a time; taken before _lock
        self._lock = threading.Lock()
        stat = os.fstat(fd)
        self._file_identity = (stat.st_dev, stat.st_ino)  # the file, to recognise it after a daemon restart
        length = _mapped_length(state)
        self._published = [_Published(self._map(length))]
        self._size = length
        self._generation = state.generation
        self._completed = state.generation
        self._pending: tuple[int, int] | None = None  # (generation, size) of a shrink waiting for views
        self._leases: dict[int, _Lease] = {}
        self._closed = False
        self._drained = False

    @property
    def name(self) -> str:
        """The region's name."""
        return self._name

    @property
    def size(self) -> int:
        """Bytes new views may cover now (a pending shrink's smaller size at once)."""
        return self._size

    @property
    def generation(self) -> int:
        """The generation this mapping has reached."""
        return self._generation

    @property
    def writable(self) -> bool:
        """True when opened read-write; views of a read-only region are read-only memoryviews."""
        return self._writable

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def view(self, offset: int = 0, length: int | None = None) -> memoryview:
        """A memoryview of ``length`` bytes (default: up to the end) at ``offset`` of the current
        mapping, without copying. It stays valid whatever happens to the region, until released:
        use it as a context manager (``with region.view() as v:``), or drop it. Read-only for a
        read-only region."""
        return self._export(offset, length, 1)

    def ndarray(self, dtype: DTypeLike, shape: int | tuple[int, ...] | None = None, offset: int = 0) -> numpy.ndarray[Any, numpy.dtype[Any]]:
        """A numpy array of ``dtype`` over the region at ``offset``, without copying: of ``shape``,
        or one-dimensional over as many whole items as fit. Like a view, it keeps its mapping
        (and holds up a shrink of what it covers) until it and every array made from it are gone.
        Needs numpy (``pip install 'mapd[numpy]'``)."""
        try:
            import numpy
        except ImportError as e:
            raise ImportError("Region.ndarray needs numpy: pip install 'mapd[numpy]'") from e
        item = numpy.dtype(dtype)
        if shape is None:
            view = self._export(offset, None, item.itemsize)
            return numpy.frombuffer(view, dtype=item)
        dims = (shape,) if isinstance(shape, int) else tuple(shape)
        count = 1
        for dim in dims:
            if dim < 0:
                raise InvalidArgument(f"shape {shape} has a negative dimension")
            count *= dim
        return numpy.frombuffer(self._export(offset, count * item.itemsize, 1), dtype=item).reshape(dims)

    def resize(self, size: int, expected_generation: int = 0) -> RegionInfo:
        """Resizes the region for everyone. A grow is committed and applied to this process's
        mappings before this returns. A shrink returns once announced: new views see the smaller
        size at once, and the daemon cuts the file once every mapper (this process included, so
        release your views of the tail) has let go of the tail.

        ``expected_generation``: fail with FailedPrecondition unless the region is at this
        generation (compare-and-set); 0 = any."""
        self._check_open()
        return self._owner._resize_region(self._name, size, expected_generation)

    def close(self) -> None:
        """Stops handing out views. Each mapping is unmapped once its last view is gone, and then
        the daemon is told this process no longer maps the region. Idempotent."""
        with self._apply_lock, self._lock:
            if self._closed:
                return
            self._closed = True
            for published in list(self._published):
                self._retire(published)
            drained = self._drain_if_done()
        if drained:
            self._owner._region_drained(self)

    def __enter__(self) -> Region:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"size={self._size} generation={self._generation}"
        return f"<mapd.Region {self._name!r} {'read-write' if self._writable else 'read-only'} {state}>"

    # What the Client calls (not for users): applying states, ended views, what may be released.

    @property
    def _completed_generation(self) -> int:
        """The newest generation whose shrink (if any) this mapping has finished: what it may release."""
        return self._completed

    def _apply_state(self, state: pb.Region) -> None:
        """Brings the mapping to ``state`` if it is newer than what was applied: a grow maps more
        (in place, else a new mapping, pre-faulted before it is published); a shrink publishes the
        smaller size and finishes once no view reaches past it."""
        with self._apply_lock:
            with self._lock:
                if self._drained or state.generation <= self._generation and self._pending is None:
                    return
                target = _mapped_length(state)
                grow = state.generation > self._generation and target > self._size and not self._closed
                if grow and self._published[-1].mapping.grow_in_place(self._fd, target):
                    grow = False
            # A grow beyond the reservation maps the file again (no byte is copied) and faults in
            # what was in use, outside _lock: views keep coming from the old mapping meanwhile.
            mapping = self._map(target, prefault=self._size) if grow else None
            with self._lock:
                if mapping is not None:
                    self._retire(self._published[-1])
                    self._published.append(_Published(mapping))
                if state.generation > self._generation:
                    self._generation = state.generation
                    if target > self._size:
                        self._size = target
                        self._pending = None
                        self._completed = state.generation
                    elif target < self._size or self._pending is not None:
                        self._size = target
                        self._pending = (state.generation, target)
                    else:
                        self._completed = state.generation
                self._finish_shrink_if_free()

    def _end_lease(self, key: int) -> LeaseOutcome:
        """Records that the view ``key`` is gone: unmaps a retired mapping it was the last view
        of, and finishes a shrink it was holding up."""
        with self._lock:
            lease = self._leases.pop(key, None)
            if lease is None:
                return LeaseOutcome(False, False)
            lease.published.views -= 1
            if lease.published.retired and lease.published.views == 0:
                self._unmap(lease.published)
            shrunk = self._finish_shrink_if_free()
            drained = self._drain_if_done()
        return LeaseOutcome(shrunk, drained)

    def _export(self, offset: int, length: int | None, unit: int) -> memoryview:
        with self._lock:
            self._check_open()
            size = self._size
            if not 0 <= offset <= size:
                raise InvalidArgument(f"offset {offset} is outside region '{self._name}' of {size} bytes")
            if length is None:
                length = (size - offset) // unit * unit
            elif not 0 <= length <= size - offset:
                raise InvalidArgument(f"{length} bytes at offset {offset} do not fit in region '{self._name}' of {size} bytes")
            published = self._published[-1]
            key = next(_lease_keys)
            owner, region = self._owner, self
            view, ref = export(published.mapping.address + offset, length, readonly=not self._writable,
                               on_release=lambda: owner._lease_ended(region, key))
            self._leases[key] = _Lease(published, offset + length, ref)
            published.views += 1
            return view

    def _map(self, length: int, prefault: int = 0) -> Mapping:
        reserve = max(length, self._max_size_hint) if self._max_size_hint else max(length * RESERVATION_FACTOR, MINIMUM_RESERVATION)
        mapping = Mapping(self._fd, length, writable=self._writable, reserve=reserve, what=f"region '{self._name}'")
        if prefault:
            mapping.populate(prefault)
        return mapping

    def _finish_shrink_if_free(self) -> bool:
        if self._pending is None:
            return False
        generation, target = self._pending
        if any(lease.end > target for lease in self._leases.values()):
            return False
        for published in self._published:
            published.mapping.shrink_to(target)
        self._pending = None
        self._completed = generation
        return True

    def _retire(self, published: _Published) -> None:
        published.retired = True
        if published.views == 0:
            self._unmap(published)

    def _unmap(self, published: _Published) -> None:
        published.mapping.unmap()
        self._published.remove(published)

    def _drain_if_done(self) -> bool:
        if not self._closed or self._leases or self._drained:
            return False
        self._drained = True
        os.close(self._fd)
        return True

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError(f"region '{self._name}' is closed")


def _mapped_length(state: pb.Region) -> int:
    """The smaller of the committed and pending sizes: a pending shrink's tail is never handed out."""
    return min(state.pending_size, state.size) if state.pending_size else state.size
