using System.Globalization;
using Mapd.Protocol.V1;

namespace Mapd.Cli.Daemon;

/// <summary>One event of a Watch stream.</summary>
/// <param name="Kind">The contract's name of the event kind: CURRENT, RESIZED, SHRINK_PENDING, DELETED.</param>
/// <param name="Region">The region as the event describes it.</param>
internal sealed record WatchEvent(string Kind, RegionInfo Region)
{
    /// <summary>Reads an event off the stream.</summary>
    public static WatchEvent From(RegionEvent regionEvent) => new(KindName(regionEvent.Kind), RegionInfos.From(regionEvent.Region ?? new Region()));

    /// <summary>
    /// The proto's enum value name, which is what scripts match on. A kind this mapctl predates
    /// prints as <c>KIND_</c> and its number rather than failing the watch.
    /// </summary>
    public static string KindName(RegionEvent.Types.Kind kind) => kind switch
    {
        RegionEvent.Types.Kind.Current => "CURRENT",
        RegionEvent.Types.Kind.Resized => "RESIZED",
        RegionEvent.Types.Kind.ShrinkPending => "SHRINK_PENDING",
        RegionEvent.Types.Kind.Deleted => "DELETED",
        RegionEvent.Types.Kind.Unspecified => "KIND_UNSPECIFIED",
        _ => "KIND_" + ((int)kind).ToString(CultureInfo.InvariantCulture),
    };
}
