using Mapd.Native;
using Mapd.Server.Regions;
using Mapd.Server.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mapd.Server.Telemetry;

/// <summary>
/// Healthy while the storage is still a tmpfs the daemon can statfs; degraded when regions
/// have reserved nearly all capacity, since creates and grows then fail.
/// </summary>
public sealed class StorageHealthCheck(StorageRoot storage, RegionStore store) : IHealthCheck
{
    // Above this share of capacity reserved, creates and grows start failing for ordinary sizes.
    private const double NearlyFull = 0.95;

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        FileSystemStatus status;
        try
        {
            status = storage.FileSystem();
        }
        catch (SystemCallException e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"storage {storage.Path}: {e.Message}"));
        }

        if (!status.IsTmpfs)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"storage {storage.Path} is no longer on tmpfs"));
        }

        var reserved = store.ReservedBytes;
        return Task.FromResult(reserved > NearlyFull * store.Capacity
            ? HealthCheckResult.Degraded($"regions reserve {reserved} of {store.Capacity} bytes")
            : HealthCheckResult.Healthy());
    }
}
