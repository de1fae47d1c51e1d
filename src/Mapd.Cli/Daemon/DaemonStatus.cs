using Mapd.Protocol.V1;

namespace Mapd.Cli.Daemon;

/// <summary>What <c>mapctl status</c> shows: the daemon's answer to Status.</summary>
/// <param name="Version">The daemon's version, e.g. <c>1.2.0+abc1234</c>.</param>
/// <param name="StartedAt">When the daemon started; <c>default</c> when it did not say.</param>
/// <param name="CapacityBytes">Bytes regions may take in total.</param>
/// <param name="UsedBytes">Bytes regions take (whole pages), deleted ones still mapped included.</param>
/// <param name="Regions">Regions that exist.</param>
/// <param name="Sessions">Client sessions connected.</param>
/// <param name="PendingShrinks">Shrinks waiting for their mappers.</param>
/// <param name="Health"><c>Healthy</c>, <c>Degraded</c> or <c>Unhealthy</c>, as <c>/healthz</c> says.</param>
/// <param name="HealthDetail">Why it is not healthy; empty when healthy.</param>
/// <param name="StoragePath">The storage directory on tmpfs.</param>
internal sealed record DaemonStatus(
    string Version,
    DateTimeOffset StartedAt,
    ulong CapacityBytes,
    ulong UsedBytes,
    uint Regions,
    uint Sessions,
    uint PendingShrinks,
    string Health,
    string HealthDetail,
    string StoragePath)
{
    /// <summary>Reads the daemon's answer.</summary>
    public static DaemonStatus From(StatusResponse status) => new(
        status.Version,
        RegionInfos.TimeOf(status.StartedAt),
        status.CapacityBytes,
        status.UsedBytes,
        status.Regions,
        status.Sessions,
        status.PendingShrinks,
        status.Health,
        status.HealthDetail,
        status.StoragePath);
}
