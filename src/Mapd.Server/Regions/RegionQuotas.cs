using Mapd.Protocol;
using Mapd.Server.Errors;
using Mapd.Server.Storage;

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

    /// <summary>
    /// Plans the quotas <paramref name="quota"/> sets within <paramref name="maxRegions"/> and
    /// <paramref name="capacity"/>: unset, an ordinary uid may own a quarter of each, root and
    /// <paramref name="daemonUid"/> all of it. Throws <see cref="StartupException"/> with one line
    /// when a configured quota is below 1 or above its total.
    /// </summary>
    public static RegionQuotas Plan(QuotaOptions quota, int maxRegions, long capacity, uint daemonUid)
    {
        var privileged = quota.Privileged;
        return new RegionQuotas(
            new OwnerQuota(
                Count(quota.Regions, "Mapd:Quota:Regions", maxRegions) ?? Math.Max(maxRegions / 4, 1),
                Bytes(quota.Bytes, "Mapd:Quota:Bytes", capacity) ?? Math.Max(capacity / 4 / PageSize * PageSize, PageSize)),
            new OwnerQuota(
                Count(privileged.Regions, "Mapd:Quota:Privileged:Regions", maxRegions) ?? maxRegions,
                Bytes(privileged.Bytes, "Mapd:Quota:Privileged:Bytes", capacity) ?? capacity),
            daemonUid);
    }

    /// <summary>The quota of <paramref name="uid"/>.</summary>
    public OwnerQuota For(uint uid) => uid == 0 || uid == DaemonUid ? Privileged : Regular;

    /// <summary>The configuration key prefix of <paramref name="uid"/>'s quota, for messages.</summary>
    public string KeyFor(uint uid) => uid == 0 || uid == DaemonUid ? "Mapd:Quota:Privileged:" : "Mapd:Quota:";

    private const long PageSize = 4096;

    private static int? Count(int? value, string key, int total) =>
        value is < 1 || value > total
            ? throw new StartupException($"{key} is {value}; it must be between 1 and Mapd:Limits:MaxRegions ({total})")
            : value;

    private static long? Bytes(string? text, string key, long capacity)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var bytes = StorageRoot.ParseSize(text, key);
        return bytes < PageSize || bytes > capacity
            ? throw new StartupException($"{key} is {text}; it must be between 4K and the storage capacity ({ByteSize.Format((ulong)capacity)}, Mapd:Storage:Size)")
            : bytes;
    }
}

/// <summary>One uid's allowance.</summary>
/// <param name="Regions">Regions it may own at once.</param>
/// <param name="Bytes">Bytes its regions may take in total.</param>
public sealed record OwnerQuota(int Regions, long Bytes)
{
    /// <summary>No allowance short of the daemon's own limits.</summary>
    public static OwnerQuota Unlimited { get; } = new(int.MaxValue, long.MaxValue);
}
