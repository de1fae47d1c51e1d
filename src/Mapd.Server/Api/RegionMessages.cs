using System.Runtime.CompilerServices;
using Google.Protobuf.WellKnownTypes;
using Mapd.Protocol.V1;
using Mapd.Server.Regions;
using Region = Mapd.Protocol.V1.Region;

namespace Mapd.Server.Api;

/// <summary>
/// The domain's regions as the contract's messages. A region's message is built once per
/// snapshot and reused by every List until the region changes: listing thousands of regions
/// serialises them, it does not rebuild them.
/// </summary>
internal static class RegionMessages
{
    /// <summary>Whether an open of <paramref name="access"/> is read-write; a refusal for an access that is neither read-only nor read-write.</summary>
    /// <exception cref="Errors.RefusedException">The access is unspecified or unknown.</exception>
    public static bool Writable(Access access) => access switch
    {
        Access.ReadOnly => false,
        Access.ReadWrite => true,
        _ => throw Errors.RefusedException.Invalid($"access {access} is not one of ACCESS_READ_ONLY or ACCESS_READ_WRITE"),
    };

    private static readonly ConditionalWeakTable<RegionSnapshot, Region> Summaries = [];

    /// <summary>The region without mapper details (List, Watch, Create, Open, Resize). Treat as read-only: it may be shared.</summary>
    public static Region Summary(RegionSnapshot region) => Summaries.GetValue(region, static r => Build(r, detailed: false));

    /// <summary>The region with who maps it (Get).</summary>
    public static Region Detailed(RegionSnapshot region) => Build(region, detailed: true);

    /// <summary>A Watch event.</summary>
    public static RegionEvent Event(RegionUpdate update) => new()
    {
        Region = Summary(update.Region),
        Kind = update.Kind switch
        {
            RegionUpdateKind.Current => RegionEvent.Types.Kind.Current,
            RegionUpdateKind.Resized => RegionEvent.Types.Kind.Resized,
            RegionUpdateKind.ShrinkPending => RegionEvent.Types.Kind.ShrinkPending,
            RegionUpdateKind.Deleted => RegionEvent.Types.Kind.Deleted,
            _ => throw new ArgumentOutOfRangeException(nameof(update), update.Kind, "no such update kind"),
        },
    };

    private static Region Build(RegionSnapshot r, bool detailed)
    {
        var region = new Region
        {
            Name = r.Name,
            Size = r.Size,
            Generation = r.Generation,
            OwnerUid = r.OwnerUid,
            Gid = r.Gid,
            Mode = r.Mode,
            PendingSize = r.PendingSize,
            CreatedAt = Timestamp.FromDateTimeOffset(r.CreatedAt),
            Mappers = (uint)r.MapperCount,
            MaxSize = r.MaxSize,
        };
        if (r.PendingShrink is { } shrink)
        {
            region.PendingShrink = new Protocol.V1.PendingShrink
            {
                Generation = shrink.Generation,
                Since = Timestamp.FromDateTimeOffset(shrink.Since),
                HolePunched = shrink.HolePunched,
                Recovering = shrink.Recovering,
            };
        }

        if (detailed)
        {
            region.MapperDetails.AddRange(r.Mappers.Select(m => new Mapper
            {
                Pid = (uint)m.Pid,
                Uid = m.Uid,
                Generation = m.Generation,
                Since = Timestamp.FromDateTimeOffset(m.Since),
                Blocking = m.Blocking,
            }));
        }

        return region;
    }
}
