"""This process's regions by name, and the order of its Opens and Closes of each name."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from .region import Region
from .v1 import mapd_pb2 as pb


@dataclass
class _Name:
    regions: list[Region] = field(default_factory=list)
    opening: int = 0
    closing: bool = False
    latest: pb.Region | None = None


class OpenRegions:
    """The Region objects of each name this session maps, the opens of it in flight, and the
    newest state the session's watch reported for it.

    The daemon counts one mapping per session and name, so the session sends Close only when
    the last Region of a name is gone, and an Open of the name waits for a Close on its way:
    otherwise the Close could arrive after the Open and take the new mapping out of the count,
    letting a shrink cut the file under it."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._names: dict[str, _Name] = {}

    def begin_open(self, name: str) -> None:
        """Waits for a Close of ``name`` on its way, then counts an open in flight."""
        with self._changed:
            entry = self._names.setdefault(name, _Name())
            self._changed.wait_for(lambda: not entry.closing)
            entry.opening += 1

    def open_succeeded(self, name: str, region: Region) -> pb.Region | None:
        """Ends an open in flight and registers the Region it mapped. Returns a newer state of
        the region that the watch reported meanwhile, to apply to it."""
        with self._changed:
            entry = self._names[name]
            entry.opening -= 1
            entry.regions.append(region)
            latest = entry.latest
            return latest if latest is not None and latest.generation > region.generation else None

    def open_failed(self, name: str, daemon_maps: bool) -> bool:
        """Ends an open in flight that mapped nothing here. When the daemon counts the session as
        a mapper anyway (``daemon_maps``) and nothing else here uses the name, returns True: the
        caller sends Close and then calls :meth:`closed`."""
        with self._changed:
            entry = self._names[name]
            entry.opening -= 1
            if daemon_maps and not entry.regions and not entry.opening:
                entry.closing = True
                return True
            self._forget_if_unused(name, entry)
            return False

    def remove(self, region: Region) -> bool:
        """Forgets a drained Region; True when it was the last of its name, so the caller must
        send Close and then call :meth:`closed`."""
        with self._changed:
            entry = self._names.get(region.name)
            if entry is None or region not in entry.regions:
                return False
            entry.regions.remove(region)
            if entry.regions or entry.opening:
                return False
            entry.closing = True
            return True

    def closed(self, name: str) -> None:
        """The Close of ``name`` is done (or failed): opens of it may go on."""
        with self._changed:
            entry = self._names[name]
            entry.closing = False
            self._forget_if_unused(name, entry)
            self._changed.notify_all()

    def note(self, state: pb.Region) -> list[Region]:
        """Keeps the newest state the watch reported for a name in use; returns its Regions."""
        with self._changed:
            entry = self._names.get(state.name)
            if entry is None:
                return []
            if entry.latest is None or state.generation > entry.latest.generation:
                entry.latest = state
            return list(entry.regions)

    def regions(self, name: str) -> list[Region]:
        """The Regions of ``name`` now."""
        with self._changed:
            entry = self._names.get(name)
            return list(entry.regions) if entry is not None else []

    def mapped(self) -> dict[str, list[Region]]:
        """Every name with Regions, and its Regions."""
        with self._changed:
            return {name: list(entry.regions) for name, entry in self._names.items() if entry.regions}

    def all(self) -> list[Region]:
        """Every Region."""
        with self._changed:
            return [region for entry in self._names.values() for region in entry.regions]

    def reached(self, name: str) -> int:
        """The generation every Region of ``name`` has finished applying: what the session may release."""
        regions = self.regions(name)
        return min((region._completed_generation for region in regions), default=0)

    def is_empty(self) -> bool:
        """True when no name is mapped, opened or closing."""
        with self._changed:
            return not self._names

    def _forget_if_unused(self, name: str, entry: _Name) -> None:
        if not entry.regions and not entry.opening and not entry.closing:
            del self._names[name]
