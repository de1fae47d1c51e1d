namespace Mapd.Server.Regions;

/// <summary>
/// What one uid may own: regions and their bytes (whole pages, deleted ones still mapped
/// included). Root and the daemon's own uid have a quota of their own.
/// </summary>
/// <param name="Regular">Any other uid's quota.</param>
/// <param name="Privileged">The quota of uid 0 and the daemon's uid.</param>
/// <param name="DaemonUid">The daemon's own uid.</param>
public sealed record RegionQuotas(OwnerQuota Regular, OwnerQuota Privileged, uint DaemonUid)
{
    /// <summary>No quota beyond the daemon's limits: for tests and tools that run one user.</summary>
    public static RegionQuotas Unlimited { get; } = new(OwnerQuota.Unlimited, OwnerQuota.Unlimited, 0);

    /// <summary>The quota of <paramref name="uid"/>.</summary>
    public OwnerQuota For(uint uid) => uid == 0 || uid == DaemonUid ? Privileged : Regular;

    /// <summary>The configuration key prefix of <paramref name="uid"/>'s quota, for messages.</summary>
    public string KeyFor(uint uid) => uid == 0 || uid == DaemonUid ? "Mapd:Quota:Privileged:" : "Mapd:Quota:";
}

/// <summary>One uid's allowance.</summary>
/// <param name="Regions">Regions it may own at once.</param>
/// <param name="Bytes">Bytes its regions may take in total.</param>
public sealed record OwnerQuota(int Regions, long Bytes)
{
    /// <summary>No allowance short of the daemon's own limits.</summary>
    public static OwnerQuota Unlimited { get; } = new(int.MaxValue, long.MaxValue);
}
