using System.Diagnostics.Metrics;
using Mapd.Server.Meters;
using Mapd.Server.Quotas;
using Mapd.Server.Regions;
using Mapd.Server.Sessions;
using Mapd.Server.Storage;
using Mapd.Server.Watches;
using Microsoft.Extensions.Options;

namespace Mapd.Server.Telemetry;

/// <summary>
/// Gauges that read the daemon's state when scraped: regions, bytes, storage, sessions. Per-region
/// series (<c>mapd_region_size_bytes{region}</c>) exist only with <c>Mapd:Metrics:PerRegion</c>,
/// for the largest <c>Mapd:Metrics:MaxRegionSeries</c> regions, the rest summed under
/// <c>region=".other"</c>, so a daemon with thousands of regions cannot flood Prometheus.
/// </summary>
public sealed class MapdGauges : IDisposable
{
    /// <summary>The <c>region</c> label of the series summing the regions beyond the cap; no region can have this name.</summary>
    public const string OtherRegions = ".other";

    private readonly Meter _meter;

    /// <summary>Registers the gauges on a <c>mapd</c> meter from <paramref name="meterFactory"/>.</summary>
    public MapdGauges(IMeterFactory meterFactory, RegionStore store, StorageRoot storage, SessionRegistry sessions, WatchHub watches, DescriptorBudget budget, PeerQuotas quotas, IOptions<MapdOptions> options)
    {
        _meter = meterFactory.Create(MapdMetrics.MeterName);
        _meter.CreateObservableGauge("mapd.regions", () => store.Count, "{region}", "Live regions.");
        _meter.CreateObservableGauge(
            "mapd.region", () => store.ReservedBytes, "By", "Bytes reserved by regions, including deleted regions that are still mapped.");
        _meter.CreateObservableGauge(
            "mapd.storage.capacity", () => store.Capacity, "By", "Bytes regions may reserve in total (Mapd:Storage:Size or the tmpfs size).");
        _meter.CreateObservableGauge(
            "mapd.storage.used", () => storage.FileSystem().UsedBytes, "By", "Bytes in use on the storage tmpfs, as statfs reports them.");
        _meter.CreateObservableGauge(
            "mapd.storage.unaccounted", () => store.Space.UnaccountedBytes(), "By", "Bytes in use on the storage tmpfs outside the regions' grants: metadata, deleted files still held open, writes outside mapd.");
        _meter.CreateObservableGauge("mapd.sessions", () => sessions.Count, "{session}", "Live sessions on mapd-fd.sock.");
        _meter.CreateObservableGauge("mapd.watches", () => watches.Count, "{stream}", "Open Watch streams.");
        _meter.CreateObservableGauge(
            "mapd.connections", () => quotas.Connections.Count, "{connection}", "Connections to mapd.sock admitted under the per-uid quotas (Mapd:Quota:Connections).");
        _meter.CreateObservableGauge(
            "mapd.descriptors.cached", () => store.CachedDescriptors, "{descriptor}", "Region descriptors kept open for later opens (at most mapd_descriptors_budget's cache share).");
        _meter.CreateObservableGauge(
            "mapd.descriptors.budget", () => budget.Total, "{descriptor}", "Descriptors the daemon may hold by its plan: sessions, connections, cached regions and its own.");

        var metrics = options.Value.Metrics;
        if (metrics.PerRegion)
        {
            var cap = Math.Max(metrics.MaxRegionSeries, 1);
            _meter.CreateObservableGauge(
                "mapd.region.size", () => RegionSizes(store, cap), "By", "Committed size of each region (Mapd:Metrics:PerRegion), largest first up to Mapd:Metrics:MaxRegionSeries.");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private static List<Measurement<long>> RegionSizes(RegionStore store, int cap)
    {
        var regions = store.List().OrderByDescending(r => r.Size).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        var measurements = new List<Measurement<long>>(Math.Min(regions.Count, cap) + 1);
        foreach (var region in regions.Take(cap))
        {
            measurements.Add(new Measurement<long>((long)region.Size, new KeyValuePair<string, object?>("region", region.Name)));
        }

        if (regions.Count > cap)
        {
            var rest = regions.Skip(cap).Sum(r => (long)r.Size);
            measurements.Add(new Measurement<long>(rest, new KeyValuePair<string, object?>("region", OtherRegions)));
        }

        return measurements;
    }
}
