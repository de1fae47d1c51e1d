using Mapd.Native;
using Mapd.Server.Errors;

namespace Mapd.Server.Storage;

/// <summary>
/// How the daemon's file descriptors (RLIMIT_NOFILE) are shared out: one per session socket,
/// one per gRPC connection, a fixed allowance for the daemon itself (runtime, listeners,
/// directories, logging, metrics), and what is left, up to a configured cap, for cached region
/// descriptors. A configuration that cannot fit is refused at start-up; limits left at their
/// defaults shrink to fit.
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

    /// <summary>The fewest cached region descriptors that still serve opens without churning.</summary>
    public const int MinimumCache = 16;

    /// <summary>The default most sessions.</summary>
    public const int DefaultMaxSessions = 4096;

    /// <summary>The default most gRPC connections.</summary>
    public const int DefaultMaxConnections = 4096;

    /// <summary>The default most cached region descriptors.</summary>
    public const int DefaultMaxCachedDescriptors = 1024;

    /// <summary>Every descriptor this plan may hold.</summary>
    public long Total => Overhead + (long)MaxSessions + MaxConnections + CachedDescriptors;

    /// <summary>
    /// Shares out <paramref name="limit"/>. <paramref name="maxSessions"/> and
    /// <paramref name="maxConnections"/> are the configured values, null when left at their
    /// defaults (which then shrink to fit a small limit). Throws <see cref="StartupException"/>
    /// with a one-line reason when configured values cannot fit.
    /// </summary>
    public static DescriptorBudget Plan(OpenFileLimit limit, int? maxSessions, int? maxConnections, int maxCachedDescriptors)
    {
        if (maxSessions is < 1 || maxConnections is < 1 || maxCachedDescriptors < MinimumCache)
        {
            throw new StartupException(
                $"Mapd:Limits: MaxSessions ({maxSessions}) and MaxConnections ({maxConnections}) must be at least 1 and MaxCachedDescriptors ({maxCachedDescriptors}) at least {MinimumCache}");
        }

        var available = (long)Math.Min(limit.Soft, int.MaxValue) - Overhead - MinimumCache;
        var sessions = (long)(maxSessions ?? DefaultMaxSessions);
        var connections = (long)(maxConnections ?? DefaultMaxConnections);
        if (sessions + connections > available)
        {
            if (maxSessions is not null && maxConnections is not null)
            {
                throw new StartupException(
                    $"the daemon may open {limit.Soft} files (RLIMIT_NOFILE, hard limit {limit.Hard}), too few for Mapd:Limits:MaxSessions={sessions} + MaxConnections={connections} + {Overhead} for itself + {MinimumCache} region descriptors; raise LimitNOFILE= (ulimit -n) or lower those limits");
            }

            // A default gives way to what was configured, then both to the limit.
            var configured = (maxSessions ?? 0L) + (maxConnections ?? 0L);
            var share = Math.Max((available - configured) / ((maxSessions is null ? 1 : 0) + (maxConnections is null ? 1 : 0)), 0);
            sessions = maxSessions ?? Math.Min(sessions, share);
            connections = maxConnections ?? Math.Min(connections, share);
            if (sessions < 1 || connections < 1 || sessions + connections > available)
            {
                throw new StartupException(
                    $"the daemon may open only {limit.Soft} files (RLIMIT_NOFILE, hard limit {limit.Hard}); it needs at least {Overhead + MinimumCache + 2 + configured}; raise LimitNOFILE= (ulimit -n) or lower Mapd:Limits:MaxSessions / MaxConnections");
            }
        }

        var cache = Math.Min(available + MinimumCache - sessions - connections, maxCachedDescriptors);
        return new DescriptorBudget(limit.Soft, (int)sessions, (int)connections, (int)cache);
    }
}
