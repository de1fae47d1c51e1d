"""Memoryviews over mapped memory that say when they are gone.

Each view gets an exporter object of its own (a ctypes array at the address). A memoryview, its
slices and casts, and any numpy array made from them keep the exporter alive through Python's
buffer protocol; when the last of them is released or collected, the exporter dies and a weakref
callback reports it. That is the lease: the mapping under a view stays until it is reported gone.
"""

from __future__ import annotations

import ctypes
import weakref
from collections.abc import Callable


def export(address: int, length: int, *, readonly: bool, on_release: Callable[[], None]) -> tuple[memoryview, weakref.ref[ctypes.Array[ctypes.c_ubyte]]]:
    """A byte memoryview of ``length`` bytes at ``address``, and the weakref whose callback calls
    ``on_release`` once no buffer export of it remains. Keep the weakref: a collected weakref
    never calls back. ``on_release`` runs wherever the last export dies (any thread, inside the
    garbage collector), so it must not take locks."""
    exporter = (ctypes.c_ubyte * length).from_address(address)
    ref = weakref.ref(exporter, lambda _: on_release())
    # ctypes exports format "<B", which memoryview cannot index; cast to plain bytes.
    view = memoryview(exporter).cast("B")
    return (view.toreadonly() if readonly else view), ref
