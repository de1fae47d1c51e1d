namespace Mapd.Client;

/// <summary>What happened to a mapped region.</summary>
public enum RegionChangeKind
{
    /// <summary>The region grew; leases taken from now on see the new size.</summary>
    Grown,

    /// <summary>A shrink was announced; leases taken from now on see the smaller size, the tail is unmapped once older leases end.</summary>
    ShrinkPending,

    /// <summary>This process no longer maps the tail; its release to the daemon follows at once.</summary>
    Shrunk,

    /// <summary>The region was deleted; the mapping stays valid until disposed.</summary>
    Deleted,

    /// <summary>The daemon restarted and this process re-registered the region; the mapping never changed.</summary>
    Reattached,
}

/// <summary>A change to a mapped region, as this process applied it.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Size">Bytes leases may touch after the change.</param>
/// <param name="Generation">The region generation after the change.</param>
/// <param name="Moved">True when the mapping moved to a new address (it could not grow in place).</param>
public sealed record RegionChange(RegionChangeKind Kind, long Size, ulong Generation, bool Moved = false);
