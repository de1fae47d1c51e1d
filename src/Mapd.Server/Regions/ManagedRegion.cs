using Mapd.Native;
using Mapd.Server.Grace;
using Mapd.Server.Peers;
using Mapd.Server.Storage;

namespace Mapd.Server.Regions;

/// <summary>
/// One region's state and the lock that serialises its changes. Operations on one region run
/// one at a time under <see cref="Gate"/> (file I/O included); operations on different regions
/// never wait for each other. Every change ends by publishing a new <see cref="Snapshot"/>,
/// which readers take without the lock. The state changes only along <see cref="RegionState"/>'s
/// transitions; anything else is a bug and throws.
/// </summary>
internal sealed class ManagedRegion(string name)
{
    private RegionSnapshot? _snapshot;

    /// <summary>The region name (it never changes; a deleted name may be taken by a new region).</summary>
    public string Name { get; } = name;

    /// <summary>Serialises every change of this region.</summary>
    public Lock Gate { get; } = new();

    /// <summary>Resizes of one region apply one at a time, in arrival order; one that meets a pending shrink waits for it to settle, holding this.</summary>
    public SemaphoreSlim ResizeGate { get; } = new(1, 1);

    /// <summary>Updates for watchers, delivered after the lock is released.</summary>
    public RegionOutbox Outbox { get; } = new();

    /// <summary>Where it is in its life.</summary>
    public RegionState State { get; private set; } = RegionState.Creating;

    /// <summary>Its persisted metadata (valid from <see cref="RegionState.Live"/> on).</summary>
    public RegionRecord Record { get; private set; } = null!;

    /// <summary>The file's name: in <c>regions/</c>, or in <c>trash/</c> once deleted.</summary>
    public string FileName { get; private set; } = name;

    /// <summary>True once the name is gone (deleted, orphaned or purged).</summary>
    public bool IsDeleted => State is RegionState.Deleted or RegionState.Orphaned or RegionState.Purged;

    /// <summary>While <see cref="RegionState.Orphaned"/>: the daemon's own descriptor of the unlinked file, to watch and guard it.</summary>
    public FileDescriptor? Orphan { get; private set; }

    /// <summary>Who maps it, since when, and at which generation.</summary>
    public Dictionary<IRegionMapper, MapperState> Mappers { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// True for a region found at start-up until the recovery window ends: a process that
    /// mapped it before the crash may not have come back yet, so no shrink of it may cut the file.
    /// </summary>
    public bool AwaitsReturningMappers { get; set; }

    /// <summary>The shrink waiting for its mappers, while <see cref="RegionState.ShrinkPending"/>.</summary>
    public ShrinkGrace? Shrink { get; private set; }

    /// <summary>The region after its latest change; readable without the lock.</summary>
    public RegionSnapshot Snapshot => Volatile.Read(ref _snapshot) ?? throw new InvalidOperationException($"region '{Name}' has no state yet");

    /// <summary>True once the region has a state others may read (it is past <see cref="RegionState.Creating"/>).</summary>
    public bool HasSnapshot => Volatile.Read(ref _snapshot) is not null;

    /// <summary>Bytes it takes from capacity: the larger of its sizes, in whole pages.</summary>
    public long AccountedBytes => Accounted(Math.Max(Record.Size, Record.PendingSize));

    /// <summary>Bytes <paramref name="size"/> takes on tmpfs: whole pages.</summary>
    public static long Accounted(ulong size) => (long)((size + 4095) / 4096 * 4096);

    /// <summary>Creating → Live: the file and metadata exist.</summary>
    public void BecomeLive(RegionRecord record)
    {
        Require(RegionState.Creating);
        Record = record;
        State = RegionState.Live;
        Refresh();
    }

    /// <summary>Creating → Deleted: a deleted region's file found in <c>trash/</c> at start-up.</summary>
    public void BecomeRecoveredTrash(RegionRecord record, string trashName)
    {
        Require(RegionState.Creating);
        Record = record;
        FileName = trashName;
        State = RegionState.Deleted;
        Refresh();
    }

    /// <summary>A committed change of size, generation or sizes while live (a grow).</summary>
    public void Update(RegionRecord record)
    {
        Require(RegionState.Live);
        Record = record;
        Refresh();
    }

    /// <summary>Live → ShrinkPending.</summary>
    public void BeginShrink(RegionRecord announced, ShrinkGrace shrink)
    {
        Require(RegionState.Live);
        Record = announced;
        Shrink = shrink;
        State = RegionState.ShrinkPending;
        Refresh();
    }

    /// <summary>ShrinkPending → ShrinkPending: a later resize gave the pending shrink a new target and generation.</summary>
    public ShrinkGrace Retarget(RegionRecord record, ShrinkGrace shrink)
    {
        Require(RegionState.ShrinkPending);
        var previous = Shrink!;
        Record = record;
        Shrink = shrink;
        Refresh();
        return previous;
    }

    /// <summary>ShrinkPending → Live, with the committed record, or unchanged when the shrink ends without a commit.</summary>
    public ShrinkGrace EndShrink(RegionRecord? committed)
    {
        Require(RegionState.ShrinkPending);
        var shrink = Shrink!;
        Shrink = null;
        Record = committed ?? Record;
        State = RegionState.Live;
        Refresh();
        return shrink;
    }

    /// <summary>Live → Deleted: the file moved to <c>trash/</c> as <paramref name="trashName"/>.</summary>
    public void BecomeDeleted(string trashName)
    {
        Require(RegionState.Live);
        FileName = trashName;
        State = RegionState.Deleted;
        Refresh();
    }

    /// <summary>Deleted → Orphaned: the file is unlinked but held by someone; <paramref name="held"/> is the daemon's own descriptor of it.</summary>
    public void BecomeOrphaned(FileDescriptor held)
    {
        Require(RegionState.Deleted);
        Orphan = held;
        State = RegionState.Orphaned;
        Refresh();
    }

    /// <summary>
    /// Deleted or Orphaned → Purged: the file is gone; the orphan's descriptor is closed. Also
    /// Live → Purged: a create undone before its creator got the descriptor.
    /// </summary>
    public void BecomePurged()
    {
        if (State is not (RegionState.Deleted or RegionState.Orphaned or RegionState.Live))
        {
            throw new InvalidOperationException($"{this}: only a deleted region, or a create being undone, can be purged");
        }

        Orphan?.Dispose();
        Orphan = null;
        State = RegionState.Purged;
        Refresh();
    }

    /// <summary>Publishes the current state as <see cref="Snapshot"/>; call after changing mappers or the shrink.</summary>
    public void Refresh()
    {
        var shrink = Shrink;
        var mappers = Mappers.Count == 0
            ? []
            : Mappers.Select(m => new MapperSnapshot(m.Key.Pid, m.Key.Uid, m.Value.Generation, m.Value.Since, shrink?.Waiting.Contains(m.Key) ?? false)).ToArray();
        var r = Record;
        Volatile.Write(ref _snapshot, new RegionSnapshot(
            r.Name, State, r.Size, r.Generation, r.OwnerUid, r.Gid, r.Mode, r.PendingSize, r.CreatedAt, r.MaxSize, mappers,
            shrink is null ? null : new PendingShrinkSnapshot(shrink.Generation, shrink.Since, shrink.HolePunched, shrink.Recovering)));
    }

    /// <inheritdoc />
    public override string ToString() => $"region '{Name}' ({State})";

    private void Require(RegionState expected)
    {
        if (State != expected)
        {
            throw new InvalidOperationException($"{this}: this change needs state {expected}");
        }
    }
}
