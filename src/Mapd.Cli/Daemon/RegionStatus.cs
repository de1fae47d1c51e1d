using Mapd.Protocol.V1;

namespace Mapd.Cli.Daemon;

/// <summary>What <c>mapctl stat</c> shows: the region, its address-space hint, who maps it, and any shrink waiting for them.</summary>
/// <param name="Region">The fields every region description carries.</param>
/// <param name="MaxSize">The creator's hint of the largest size, in bytes; 0 when none was given.</param>
/// <param name="MapperDetails">One entry per session that maps the region, as the daemon listed them.</param>
/// <param name="PendingShrink">The shrink waiting for its mappers' releases; null when none waits.</param>
internal sealed record RegionStatus(
    RegionInfo Region,
    long MaxSize,
    IReadOnlyList<MapperStatus> MapperDetails,
    PendingShrinkStatus? PendingShrink)
{
    /// <summary>Reads the daemon's answer to Get, which alone fills in the mapper details.</summary>
    public static RegionStatus From(Region region) => new(
        RegionInfos.From(region),
        checked((long)region.MaxSize),
        [.. region.MapperDetails.Select(m => new MapperStatus((int)m.Pid, m.Uid, m.Generation, RegionInfos.TimeOf(m.Since), m.Blocking))],
        region.PendingShrink is { } shrink
            ? new PendingShrinkStatus(shrink.Generation, RegionInfos.TimeOf(shrink.Since), shrink.HolePunched, shrink.Recovering)
            : null);
}

/// <summary>One session that maps a region.</summary>
/// <param name="Pid">The session's process.</param>
/// <param name="Uid">The session's user.</param>
/// <param name="Generation">The newest generation the session has acknowledged.</param>
/// <param name="Since">When it started mapping the region.</param>
/// <param name="Blocking">True when a pending shrink waits for this session's release.</param>
internal sealed record MapperStatus(int Pid, uint Uid, ulong Generation, DateTimeOffset Since, bool Blocking);

/// <summary>A shrink announced and waiting for its mappers (the region's grace period).</summary>
/// <param name="Generation">The generation the shrink announced.</param>
/// <param name="Since">When it was announced.</param>
/// <param name="HolePunched">True once the grace timeout passed and the tail's memory was given back.</param>
/// <param name="Recovering">True while the daemon, just restarted, waits for sessions to come back.</param>
internal sealed record PendingShrinkStatus(ulong Generation, DateTimeOffset Since, bool HolePunched, bool Recovering);
