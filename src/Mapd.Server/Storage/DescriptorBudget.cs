using Mapd.Native;
using Mapd.Server.Errors;

namespace Mapd.Server.Storage;

/// <summary>
/// How the daemon's file descriptors (RLIMIT_NOFILE) are shared out: one per session socket,
/// one per gRPC connection, a few for turning away connections over quota with an answer, a
/// fixed allowance for the daemon itself (runtime, listeners, directories, logging, metrics),
/// and what is left, up to a configured cap, for cached region descriptors. A configuration
/// that cannot fit is refused at start-up; limits left at their defaults shrink to fit. Per-uid
/// quotas (<c>Mapd:Quota:*</c>) are shares of <see cref="MaxSessions"/> and
/// <see cref="MaxConnections"/>, so no uid can come near the limit either.
/// </summary>
/// <param name="Limit">The soft RLIMIT_NOFILE in force (after raising it to the hard limit).</param>
/// <param name="MaxSessions">Sessions allowed at once.</param>
/// <param name="MaxConnections">gRPC connections allowed at once.</param>
/// <param name="CachedDescriptors">Region descriptors kept open at most.</param>
public sealed record DescriptorBudget(ulong Limit, int MaxSessions, int MaxConnections, int CachedDescriptors)
{
    /// <summary>
    /// Descriptors the daemon itself needs besides sessions, connections and cached regions:
    /// the runtime keeps every loaded assembly open (some 220 once all of its code has run), plus
    /// listeners, directories, pipes and the event loop.
    /// </summary>
    public const int Overhead = 384;

    /// <summary>
    /// Connections over a quota or limit that each socket answers at once with the reason
    /// (RESOURCE_EXHAUSTED over HTTP/2, REFUSED on the session socket); beyond these, a connection
    /// over quota is closed without an answer.
    /// </summary>
    public const int RefusalSlots = 32;

    /// <summary>The fewest cached region descriptors that still serve opens without churning.</summary>
    public const int MinimumCache = 16;

    /// <summary>The default most sessions.</summary>
    public const int DefaultMaxSessions = 4096;

    /// <summary>The default most gRPC connections.</summary>
    public const int DefaultMaxConnections = 4096;

    /// <summary>The default most cached region descriptors.</summary>
    public const int DefaultMaxCachedDescriptors = 1024;

    // Both sockets' refusal slots and the daemon's own descriptors come before any share.
    private const int Fixed = Overhead + (2 * RefusalSlots);

    /// <summary>Every descriptor this plan may hold.</summary>
    public long Total => Fixed + (long)MaxSessions + MaxConnections + CachedDescriptors;

    /// <summary>
    /// Shares out <paramref name="limit"/>. <paramref name="maxSessions"/> and
    /// <paramref name="maxConnections"/> are the configured values, null when left at their
    /// defaults (which then shrink to fit a small limit). When
    /// <paramref name="inFlightLimited"/> (the daemon lacks CAP_SYS_RESOURCE), the kernel also
    /// fails every sendmsg(SCM_RIGHTS) once more than RLIMIT_NOFILE descriptors are in flight,
    /// so sessions times <paramref name="maxUnreadFds"/> must fit in the limit too: otherwise
    /// clients that never read their sockets would stop every other uid's opens. Throws
    /// <see cref="StartupException"/> with a one-line reason when configured values cannot fit.
    /// </summary>
    public static DescriptorBudget Plan(OpenFileLimit limit, int? maxSessions, int? maxConnections, int maxCachedDescriptors, int maxUnreadFds = 1, bool inFlightLimited = false)
    {
        if (maxSessions is < 1 || maxConnections is < 1 || maxCachedDescriptors < MinimumCache || maxUnreadFds < 1)
        {
            throw new StartupException(
                $"Mapd:Limits: MaxSessions ({maxSessions}), MaxConnections ({maxConnections}) and MaxUnreadFds ({maxUnreadFds}) must be at least 1 and MaxCachedDescriptors ({maxCachedDescriptors}) at least {MinimumCache}");
        }

        var soft = (long)Math.Min(limit.Soft, int.MaxValue);
        var available = soft - Fixed - MinimumCache;
        var sessions = (long)(maxSessions ?? DefaultMaxSessions);
        var connections = (long)(maxConnections ?? DefaultMaxConnections);
        if (inFlightLimited && sessions * maxUnreadFds > soft)
        {
            if (maxSessions is not null)
            {
                throw new StartupException(
                    $"Mapd:Limits:MaxSessions={sessions} x MaxUnreadFds={maxUnreadFds} descriptors may wait unread in sessions' sockets, more than the {soft} (RLIMIT_NOFILE) the kernel lets a daemon without CAP_SYS_RESOURCE have in flight, past which every open fails (ETOOMANYREFS); raise LimitNOFILE= (ulimit -n) or lower those limits");
            }

            sessions = soft / maxUnreadFds;
            if (sessions < 1)
            {
                throw new StartupException(
                    $"Mapd:Limits:MaxUnreadFds={maxUnreadFds} is more than the {soft} descriptors (RLIMIT_NOFILE) the kernel lets a daemon without CAP_SYS_RESOURCE have in flight; lower it or raise LimitNOFILE=");
            }
        }

        if (sessions + connections > available)
        {
            if (maxSessions is not null && maxConnections is not null)
            {
                throw new StartupException(
                    $"the daemon may open {limit.Soft} files (RLIMIT_NOFILE, hard limit {limit.Hard}), too few for Mapd:Limits:MaxSessions={sessions} + MaxConnections={connections} + {Fixed} for itself + {MinimumCache} region descriptors; raise LimitNOFILE= (ulimit -n) or lower those limits");
            }

            // A default gives way to what was configured, then both to the limit.
            var configured = (maxSessions ?? 0L) + (maxConnections ?? 0L);
            var share = Math.Max((available - configured) / ((maxSessions is null ? 1 : 0) + (maxConnections is null ? 1 : 0)), 0);
            sessions = maxSessions ?? Math.Min(sessions, share);
            connections = maxConnections ?? Math.Min(connections, share);
            if (sessions < 1 || connections < 1 || sessions + connections > available)
            {
                throw new StartupException(
                    $"the daemon may open only {limit.Soft} files (RLIMIT_NOFILE, hard limit {limit.Hard}); it needs at least {Fixed + MinimumCache + 2 + configured}; raise LimitNOFILE= (ulimit -n) or lower Mapd:Limits:MaxSessions / MaxConnections");
            }
        }

        var cache = Math.Min(available + MinimumCache - sessions - connections, maxCachedDescriptors);
        return new DescriptorBudget(limit.Soft, (int)sessions, (int)connections, (int)cache);
    }
}
