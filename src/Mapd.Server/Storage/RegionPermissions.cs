namespace Mapd.Server.Storage;

/// <summary>File-like permission checks on regions. uid 0 and the daemon's own uid may do anything.</summary>
public sealed class RegionPermissions(uint daemonUid)
{
    private const uint Read = 4;
    private const uint Write = 2;

    /// <summary>True when <paramref name="caller"/> may open <paramref name="region"/> with the given access.</summary>
    public bool MayOpen(CallerIdentity caller, RegionRecord region, bool writable)
    {
        var needed = writable ? Read | Write : Read;
        return IsSuperuser(caller) || (Bits(caller, region) & needed) == needed;
    }

    /// <summary>Like a sticky directory: the owner and the superusers may delete or resize.</summary>
    public bool MayChange(CallerIdentity caller, RegionRecord region) =>
        IsSuperuser(caller) || caller.Uid == region.OwnerUid;

    /// <summary>True for uid 0 and the daemon's own uid, which may do anything.</summary>
    public bool IsSuperuser(CallerIdentity caller) => caller.Uid == 0 || caller.Uid == daemonUid;

    private static uint Bits(CallerIdentity caller, RegionRecord region) =>
        caller.Uid == region.OwnerUid ? (region.Mode >> 6) & 7
        : caller.InGroup(region.Gid) ? (region.Mode >> 3) & 7
        : region.Mode & 7;
}
