namespace Mapd.Server.Regions;

/// <summary>
/// A region as it was after one change: immutable, so List, Get and Watch read it without a lock
/// and without holding up the region's next change.
/// </summary>
/// <param name="Name">The region name.</param>
/// <param name="State">Where it is in its life.</param>
/// <param name="Size">Committed size of the file.</param>
/// <param name="Generation">Bumped by every resize; starts at 1.</param>
/// <param name="OwnerUid">The creator's uid.</param>
/// <param name="Gid">The region's group.</param>
/// <param name="Mode">Permission bits.</param>
/// <param name="PendingSize">Target of a shrink waiting for its mappers; 0 when none.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="MaxSize">The creator's hint of the largest size; 0 = none.</param>
/// <param name="Mappers">The sessions that map it.</param>
/// <param name="PendingShrink">The shrink waiting for its mappers, if any.</param>
public sealed record RegionSnapshot(
    string Name,
    RegionState State,
    ulong Size,
    ulong Generation,
    uint OwnerUid,
    uint Gid,
    uint Mode,
    ulong PendingSize,
    DateTimeOffset CreatedAt,
    ulong MaxSize,
    IReadOnlyList<MapperSnapshot> Mappers,
    PendingShrinkSnapshot? PendingShrink)
{
    /// <summary>How many sessions map it (even when <see cref="Mappers"/> is withheld from the reader).</summary>
    public int MapperCount { get; init; } = Mappers.Count;

    /// <summary>The same region without who maps it: pids and uids are for the owner and the superusers.</summary>
    public RegionSnapshot WithoutMapperDetails() => Mappers.Count == 0 ? this : this with { Mappers = [] };

    /// <summary>True while others may see it: live, with or without a pending shrink.</summary>
    public bool IsVisible => State is RegionState.Live or RegionState.ShrinkPending;
}

/// <summary>One session mapping a region.</summary>
/// <param name="Pid">The session's process.</param>
/// <param name="Uid">Its uid.</param>
/// <param name="Generation">The newest generation it released, or opened at.</param>
/// <param name="Since">When it opened the region.</param>
/// <param name="Blocking">True when a pending shrink waits for its Release.</param>
public sealed record MapperSnapshot(int Pid, uint Uid, ulong Generation, DateTimeOffset Since, bool Blocking);

/// <summary>A shrink announced and waiting for its mappers.</summary>
/// <param name="Generation">The generation that announced it.</param>
/// <param name="Since">When it was announced.</param>
/// <param name="HolePunched">True once the grace timeout gave the tail's memory back.</param>
/// <param name="Recovering">True while the daemon waits for sessions to come back after a restart.</param>
public sealed record PendingShrinkSnapshot(ulong Generation, DateTimeOffset Since, bool HolePunched, bool Recovering);
