using Mapd.Server.Peers;
using Mapd.Server.Storage;

namespace Mapd.Server.Regions;

/// <summary>File-like permission checks on regions. uid 0 and the daemon's own uid may do anything.</summary>
public sealed class RegionPermissions(uint daemonUid)
{
    private const uint Read = 4;
    private const uint Write = 2;

    /// <summary>True when <paramref name="caller"/> may open <paramref name="region"/> with the given access.</summary>
    public bool MayOpen(CallerIdentity caller, RegionRecord region, bool writable) =>
        MayOpen(caller, region.OwnerUid, region.Gid, region.Mode, writable);

    /// <summary>True when <paramref name="caller"/> may open a region of that owner, group and mode with the given access.</summary>
    public bool MayOpen(CallerIdentity caller, uint ownerUid, uint gid, uint mode, bool writable)
    {
        var needed = writable ? Read | Write : Read;
        return IsSuperuser(caller) || (Bits(caller, ownerUid, gid, mode) & needed) == needed;
    }

    /// <summary>Like a sticky directory: the owner and the superusers may delete or resize.</summary>
    public bool MayChange(CallerIdentity caller, RegionRecord region) =>
        IsSuperuser(caller) || caller.Uid == region.OwnerUid;

    /// <summary>True when <paramref name="caller"/> may see <paramref name="region"/> at all: it may open it read-only.</summary>
    public bool MaySee(CallerIdentity caller, RegionSnapshot region) =>
        MayOpen(caller, region.OwnerUid, region.Gid, region.Mode, writable: false);

    /// <summary>True when <paramref name="caller"/> may see who maps <paramref name="region"/>: its owner and the superusers.</summary>
    public bool MaySeeMappers(CallerIdentity caller, RegionSnapshot region) =>
        IsSuperuser(caller) || caller.Uid == region.OwnerUid;

    /// <summary>True for uid 0 and the daemon's own uid, which may do anything.</summary>
    public bool IsSuperuser(CallerIdentity caller) => caller.Uid == 0 || caller.Uid == daemonUid;

    private static uint Bits(CallerIdentity caller, uint ownerUid, uint gid, uint mode) =>
        caller.Uid == ownerUid ? (mode >> 6) & 7
        : caller.InGroup(gid) ? (mode >> 3) & 7
        : mode & 7;
}
