using Mapd.Native;
using Mapd.Server.Regions;
using Mapd.Server.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mapd.Server.Telemetry;

/// <summary>
/// Healthy while the storage is still a tmpfs the daemon can statfs; degraded when regions
/// have reserved nearly all capacity (creates and grows then fail), when the filesystem itself
/// is nearly full, or when a noticeable part of a dedicated tmpfs is used outside the regions'
/// grants (something writes where mapd does not account for it, which could starve granted
/// regions; on a shared tmpfs such as /dev/shm others' files are expected).
/// </summary>
public sealed class StorageHealthCheck(StorageRoot storage, RegionStore store) : IHealthCheck
{
    // Above this share of capacity reserved, or of the filesystem used, creates and grows start failing.
    private const double NearlyFull = 0.95;

    // Metadata takes a page per region; past this much outside the grants, something else is writing there.
    private const double OutsideShare = 0.05;

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        FileSystemStatus status;
        long unaccounted;
        try
        {
            status = storage.FileSystem();
            unaccounted = store.Space.UnaccountedBytes();
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
        var outsideLimit = Math.Max((long)(OutsideShare * status.TotalBytes), MetadataAllowance(store.Count));
        var problem = reserved > NearlyFull * store.Capacity ? $"regions reserve {reserved} of {store.Capacity} bytes"
            : status.UsedBytes > NearlyFull * status.TotalBytes ? $"the storage tmpfs is {status.UsedBytes} of {status.TotalBytes} bytes used"
            : storage.IsDedicated && unaccounted > outsideLimit ? $"{unaccounted} bytes of the storage tmpfs are used outside the regions' grants (more than {outsideLimit}): something writes there that mapd does not account for"
            : null;
        return Task.FromResult(problem is null ? HealthCheckResult.Healthy() : HealthCheckResult.Degraded(problem));
    }

    // A metadata file takes a page, and the directories some more.
    private static long MetadataAllowance(int regions) => (regions + 64L) * 4096;
}
