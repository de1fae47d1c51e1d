using Google.Protobuf.WellKnownTypes;
using Mapd.Protocol.V1;

namespace Mapd.Cli.Daemon;

/// <summary>Reads the daemon's protobuf messages into the types mapctl prints.</summary>
internal static class RegionInfos
{
    /// <summary>The fields every region description carries. Sizes above <see cref="long.MaxValue"/> are a broken daemon: refused, not wrapped.</summary>
    public static RegionInfo From(Region region) => new(
        region.Name,
        checked((long)region.Size),
        region.Generation,
        region.OwnerUid,
        region.Gid,
        region.Mode,
        checked((long)region.PendingSize),
        TimeOf(region.CreatedAt),
        (int)Math.Min(region.Mappers, int.MaxValue));

    /// <summary>A timestamp the daemon may have left out; <c>default</c> then, which renders as unknown.</summary>
    public static DateTimeOffset TimeOf(Timestamp? time) => time?.ToDateTimeOffset() ?? default;
}
