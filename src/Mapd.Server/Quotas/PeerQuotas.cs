using Mapd.Server.Errors;
using Mapd.Server.Storage;

namespace Mapd.Server.Quotas;

/// <summary>
/// The per-uid quotas on what peers hold at once: sessions on <c>mapd-fd.sock</c>, connections
/// to <c>mapd.sock</c> and Watch streams. Totals come from the descriptor budget (sessions and
/// connections are descriptors) and <c>Mapd:Limits:MaxWatches</c>; quotas from
/// <c>Mapd:Quota:*</c>, a quarter of the total each when unset.
/// </summary>
/// <param name="Sessions">Sessions on <c>mapd-fd.sock</c>, from accept to close.</param>
/// <param name="Connections">Connections to <c>mapd.sock</c>, from accept to close.</param>
/// <param name="Watches">Watch streams.</param>
public sealed record PeerQuotas(PeerQuota Sessions, PeerQuota Connections, PeerQuota Watches)
{
    /// <summary>
    /// Plans the quotas for <paramref name="options"/> within <paramref name="budget"/>; root and
    /// <paramref name="daemonUid"/> are privileged. Throws <see cref="StartupException"/> with one
    /// line when a configured quota is below 1 or above its total.
    /// </summary>
    public static PeerQuotas Plan(MapdOptions options, DescriptorBudget budget, uint daemonUid)
    {
        var quota = options.Quota;
        var privileged = quota.Privileged;
        var maxWatches = options.Limits.MaxWatches ?? (int)Math.Min(2L * budget.MaxSessions, int.MaxValue);
        if (maxWatches < 1)
        {
            throw new StartupException($"Mapd:Limits:MaxWatches ({maxWatches}) must be at least 1");
        }

        bool IsPrivileged(uint uid) => uid == 0 || uid == daemonUid;
        return new PeerQuotas(
            new PeerQuota(Limits("sessions", "sessions on mapd-fd.sock", budget.MaxSessions, "MaxSessions", quota.Sessions, privileged.Sessions, "Sessions"), IsPrivileged),
            new PeerQuota(Limits("connections", "connections to mapd.sock", budget.MaxConnections, "MaxConnections", quota.Connections, privileged.Connections, "Connections"), IsPrivileged),
            new PeerQuota(Limits("watches", "Watch streams", maxWatches, "MaxWatches", quota.Watches, privileged.Watches, "Watches"), IsPrivileged));
    }

    private static QuotaLimits Limits(string resource, string noun, int total, string totalName, int? perUid, int? privileged, string name)
    {
        var totalKey = $"Mapd:Limits:{totalName}";
        var perUidKey = $"Mapd:Quota:{name}";
        var privilegedKey = $"Mapd:Quota:Privileged:{name}";
        var share = Math.Max(total / 4, 1);
        foreach (var (value, key) in new[] { (perUid, perUidKey), (privileged, privilegedKey) })
        {
            if (value is < 1 || value > total)
            {
                throw new StartupException($"{key} is {value}; it must be between 1 and {totalKey} ({total})");
            }
        }

        return new QuotaLimits(resource, noun, total, totalKey, perUid ?? share, perUidKey, privileged ?? share, privilegedKey);
    }
}
