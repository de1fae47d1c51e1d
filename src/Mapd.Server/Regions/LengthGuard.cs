using Mapd.Native;
using Mapd.Server.Meters;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Regions;

/// <summary>
/// The size is the daemon's: a read-write grant lets a process change a region's bytes, never
/// its length. Whoever holds a read-write descriptor can still ftruncate it (every other mapper
/// then gets SIGBUS past the new end) or fallocate past its end (memory outside the ledger), so
/// the daemon checks the file on every change it hears of and every operation on the region,
/// sets its length back, gives back memory allocated past its grant, and names the sessions
/// that could have done it. Runs under the region's lock.
/// </summary>
internal sealed class LengthGuard(RegionChanges changes, ILogger logger)
{
    // tmpfs may back the last part of a file with a whole huge page.
    private const long HugePage = 2 << 20;

    /// <summary>Checks the region's file, first through <paramref name="known"/> when the caller holds a descriptor of it already.</summary>
    public void Check(ManagedRegion region, FileDescriptor? known = null)
    {
        if (region.State is RegionState.Creating or RegionState.Purged)
        {
            return;
        }

        if (region.Orphan is { } held)
        {
            Repair(region, held);
            return;
        }

        if (known is not null && IsAsGranted(region, Files.Stat(known, region.Name)))
        {
            return;
        }

        using var loan = changes.Lend(region, writable: true);
        Repair(region, loan.Descriptor);
    }

    private void Repair(ManagedRegion region, FileDescriptor fd)
    {
        var status = Files.Stat(fd, region.Name);
        if (IsAsGranted(region, status))
        {
            return;
        }

        var suspects = Suspects(region);
        var granted = ManagedRegion.Accounted(region.Record.Size);
        if (status.Size != (long)region.Record.Size)
        {
            Files.Truncate(fd, (long)region.Record.Size, region.Name);
            MapdMetrics.LengthRepaired("length");
            RegionLog.LengthRepaired(logger, region.Name, status.Size, region.Record.Size, suspects);
        }

        var allocated = Files.Stat(fd, region.Name).AllocatedBytes;
        if (allocated > RoundUp(granted, HugePage))
        {
            Files.PunchFrom(fd, granted, region.Name);
            MapdMetrics.LengthRepaired("allocation");
            RegionLog.AllocationRepaired(logger, region.Name, allocated, granted, suspects);
        }
    }

    private static bool IsAsGranted(ManagedRegion region, FileStatus status) =>
        status.Size == (long)region.Record.Size && status.AllocatedBytes <= RoundUp(ManagedRegion.Accounted(region.Record.Size), HugePage);

    private static string Suspects(ManagedRegion region)
    {
        var writers = region.Mappers.Where(m => m.Value.Writable).Select(m => $"pid {m.Key.Pid} uid {m.Key.Uid} ({m.Key.Id[..Math.Min(8, m.Key.Id.Length)]})").ToList();
        return writers.Count == 0 ? "none (a descriptor kept past its session)" : string.Join(", ", writers);
    }

    private static long RoundUp(long value, long unit) => (value + unit - 1) / unit * unit;
}
