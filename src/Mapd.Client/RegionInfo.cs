using Mapd.Protocol.V1;

namespace Mapd.Client;

/// <summary>What the daemon says about a region.</summary>
/// <param name="Name">The region name.</param>
/// <param name="Size">Committed size in bytes.</param>
/// <param name="Generation">Bumped by every resize.</param>
/// <param name="OwnerUid">The creator's uid.</param>
/// <param name="Gid">The region's group.</param>
/// <param name="Mode">Permission bits.</param>
/// <param name="PendingSize">Target of a shrink waiting for its grace period; 0 when none.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="Mappers">Sessions that map it now.</param>
public sealed record RegionInfo(
    string Name,
    long Size,
    ulong Generation,
    uint OwnerUid,
    uint Gid,
    uint Mode,
    long PendingSize,
    DateTimeOffset CreatedAt,
    int Mappers)
{
    internal static RegionInfo From(Region region) => new(
        region.Name,
        checked((long)region.Size),
        region.Generation,
        region.OwnerUid,
        region.Gid,
        region.Mode,
        checked((long)region.PendingSize),
        region.CreatedAt?.ToDateTimeOffset() ?? default,
        (int)region.Mappers);
}
