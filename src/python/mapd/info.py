"""What the daemon says about regions: the contract's Region, Mapper, PendingShrink and RegionEvent."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timezone

from google.protobuf.timestamp_pb2 import Timestamp

from .v1 import mapd_pb2


def _time(timestamp: Timestamp, present: bool) -> datetime | None:
    if not present:
        return None
    return datetime.fromtimestamp(timestamp.seconds + timestamp.nanos / 1e9, tz=timezone.utc)


@dataclass(frozen=True)
class Mapper:
    """A session that maps a region."""

    pid: int
    uid: int
    generation: int
    """The newest generation the session released (or opened at)."""
    since: datetime | None
    blocking: bool
    """True while a pending shrink waits for this session's release."""

    @classmethod
    def from_proto(cls, mapper: mapd_pb2.Mapper) -> Mapper:
        return cls(mapper.pid, mapper.uid, mapper.generation, _time(mapper.since, mapper.HasField("since")), mapper.blocking)


@dataclass(frozen=True)
class PendingShrink:
    """A shrink announced and waiting for its mappers to release the tail."""

    generation: int
    since: datetime | None
    hole_punched: bool
    """True once the grace timeout passed and the tail's memory was given back."""
    recovering: bool
    """True while the daemon waits for sessions to come back after a restart."""

    @classmethod
    def from_proto(cls, shrink: mapd_pb2.PendingShrink) -> PendingShrink:
        return cls(shrink.generation, _time(shrink.since, shrink.HasField("since")), shrink.hole_punched, shrink.recovering)


@dataclass(frozen=True)
class RegionInfo:
    """A region as the daemon describes it (the contract's ``Region``)."""

    name: str
    size: int
    """Committed size of the backing file, in bytes."""
    generation: int
    """Bumped by every resize; starts at 1."""
    owner_uid: int
    gid: int
    mode: int
    """Permission bits, checked like a file's (``0o640``)."""
    pending_size: int
    """Target of a shrink that waits for its mappers; 0 when none."""
    created_at: datetime | None
    mappers: int
    """Sessions that map the region now."""
    max_size: int
    """The size mappers reserve address space for; 0 = no hint."""
    mapper_details: tuple[Mapper, ...] = ()
    """Who maps it (filled by ``Client.get`` only)."""
    pending_shrink: PendingShrink | None = None

    @classmethod
    def from_proto(cls, region: mapd_pb2.Region) -> RegionInfo:
        return cls(
            name=region.name,
            size=region.size,
            generation=region.generation,
            owner_uid=region.owner_uid,
            gid=region.gid,
            mode=region.mode,
            pending_size=region.pending_size,
            created_at=_time(region.created_at, region.HasField("created_at")),
            mappers=region.mappers,
            max_size=region.max_size,
            mapper_details=tuple(Mapper.from_proto(m) for m in region.mapper_details),
            pending_shrink=PendingShrink.from_proto(region.pending_shrink) if region.HasField("pending_shrink") else None,
        )


class EventKind(enum.Enum):
    """What happened to a watched region."""

    CURRENT = "CURRENT"
    """Its state when the watch started (or resumed after a daemon restart)."""
    RESIZED = "RESIZED"
    """A grow was committed, or a pending shrink was."""
    SHRINK_PENDING = "SHRINK_PENDING"
    """A shrink was announced; it commits once every mapper released the tail."""
    DELETED = "DELETED"
    """The name is gone; mappings stay valid until closed."""


@dataclass(frozen=True)
class RegionEvent:
    """One event of ``Client.watch``."""

    kind: EventKind
    region: RegionInfo

    @classmethod
    def from_proto(cls, event: mapd_pb2.RegionEvent) -> RegionEvent:
        return cls(EventKind[mapd_pb2.RegionEvent.Kind.Name(event.kind)], RegionInfo.from_proto(event.region))
