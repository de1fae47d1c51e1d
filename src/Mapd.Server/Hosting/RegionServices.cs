using Mapd.Native;
using Mapd.Server.Api;
using Mapd.Server.Errors;
using Mapd.Server.Quotas;
using Mapd.Server.Regions;
using Mapd.Server.Sessions;
using Mapd.Server.Storage;
using Mapd.Server.Watches;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Hosting;

/// <summary>Registers the daemon's core: storage, the descriptor budget, regions, watches and sessions.</summary>
public static class RegionServices
{
    /// <summary>
    /// Adds the core for <paramref name="options"/>. The descriptor budget is planned here, after
    /// raising RLIMIT_NOFILE to its hard limit, so a configuration that cannot fit stops the
    /// daemon before anything listens.
    /// </summary>
    public static IServiceCollection AddRegions(this IServiceCollection services, MapdOptions options)
    {
        var limits = options.Limits;
        var budget = DescriptorBudget.Plan(
            OpenFileLimit.RaiseToHard(), limits.MaxSessions, limits.MaxConnections, limits.MaxCachedDescriptors, limits.MaxUnreadFds, !ProcessIdentity.MayExceedDescriptorsInFlight);
        services.AddSingleton(budget);
        services.AddSingleton(PeerQuotas.Plan(options, budget, ProcessIdentity.Uid));
        services.AddSingleton(new SessionLimits(limits.MaxUnreadFds, UnixSockets.MeasureQueuedMessageCost(SessionFrames.HandoffLength), Positive(limits.HelloTimeout, "HelloTimeout")));
        services.AddSingleton(sp => StorageRoot.Open(options.Storage, sp.GetRequiredService<ILogger<StorageRoot>>()));
        services.AddSingleton(new RegionPermissions(ProcessIdentity.Uid));
        services.AddSingleton(sp => new DaemonInfo(sp.GetRequiredService<TimeProvider>().GetUtcNow(), sp.GetRequiredService<StorageRoot>().Path));
        services.AddSingleton(new DescriptorCache(budget.CachedDescriptors));
        services.AddSingleton(sp => new WatchHub(sp.GetRequiredService<PeerQuotas>().Watches));
        services.AddSingleton(sp =>
        {
            var maxRegionSize = string.IsNullOrWhiteSpace(limits.MaxRegionSize)
                ? 0
                : StorageRoot.ParseSize(limits.MaxRegionSize, "Mapd:Limits:MaxRegionSize");
            var storage = sp.GetRequiredService<StorageRoot>();
            var quotas = RegionQuotas.Plan(options.Quota, limits.MaxRegions, storage.Capacity, ProcessIdentity.Uid);
            var logger = sp.GetRequiredService<ILogger<RegionStore>>();
            RegionLog.RegionQuotas(logger, quotas.Regular.Regions, quotas.Regular.Bytes, quotas.Privileged.Regions, quotas.Privileged.Bytes);
            var store = new RegionStore(
                storage,
                sp.GetRequiredService<RegionPermissions>(),
                new RegionLimits(maxRegionSize, limits.MaxRegions, options.Grace.Timeout),
                sp.GetRequiredService<DescriptorCache>(),
                sp.GetRequiredService<WatchHub>(),
                logger,
                sp.GetRequiredService<TimeProvider>(),
                quotas);
            store.Recover(options.Grace.RecoveryWindow);
            return store;
        });
        services.AddSingleton(sp => sp.GetRequiredService<RegionStore>().Mappings);
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton<RegionHandoff>();
        services.AddSingleton<ISessionRequests, SessionOpens>();
        services.AddHostedService<SessionSocketListener>();
        return services;
    }

    /// <summary>A configured deadline, which must be above zero.</summary>
    internal static TimeSpan Positive(TimeSpan value, string name) =>
        value > TimeSpan.Zero ? value : throw new StartupException($"Mapd:Limits:{name} is {value}; give a time above zero such as 00:00:05");
}
