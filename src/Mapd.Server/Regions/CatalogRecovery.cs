using Mapd.Native;
using Mapd.Server.Grace;
using Mapd.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Regions;

/// <summary>
/// Loads the regions the previous run left and repairs what a crash may have left half done: a
/// region file without metadata (a create that never answered) is removed; a file whose length
/// differs from its metadata (a grow or a shrink cut short) is set to the metadata's size.
/// What mapd never writes (a file that is not a regular file, oversized metadata, a size no
/// region can have) goes to <c>quarantine/</c> (see <see cref="RecoveryQuarantine"/>), and
/// start-up goes on. Nobody's mappings are known after a restart, so for the recovery window
/// deleted files in <c>trash/</c> keep counting against capacity and no shrink of a recovered
/// region cuts its file, whether it was pending at the crash or asked for since, while sessions
/// come back and re-open what they map.
/// </summary>
internal sealed class CatalogRecovery(
    RegionCatalog catalog,
    CapacityLedger ledger,
    RegionFiles files,
    RegionChanges changes,
    RegionLifecycle lifecycle,
    ShrinkLifecycle shrinks,
    TimeProvider time,
    ILogger logger) : IDisposable
{
    private readonly List<ManagedRegion> _heldTrash = [];
    private readonly List<ManagedRegion> _recovered = [];
    private readonly RecoveryQuarantine _quarantine = new(files, logger);
    private ITimer? _window;

    /// <summary>Recovers the storage; call once, before serving.</summary>
    public void Recover(TimeSpan recoveryWindow)
    {
        // tmpfs files may be sparse, but no region mapd admitted is larger than the filesystem.
        var largest = files.Storage.FileSystem().TotalBytes;
        foreach (var metaName in files.MetadataNames().Order(StringComparer.Ordinal))
        {
            RecoverMetadata(metaName, largest);
        }

        foreach (var fileName in files.RegionNames())
        {
            // A regular file with no metadata at all is a create that never answered; one whose
            // metadata is unreadable is left for an operator; anything else is set aside.
            if (catalog.Find(fileName) is not null || files.Stat(fileName, deleted: false) is not { } status)
            {
                continue;
            }

            if (!status.IsRegularFile)
            {
                _quarantine.NotRegular(fileName, deleted: false, status);
            }
            else if (files.StatMetadata(fileName) is null)
            {
                files.Remove(fileName, deleted: false);
                RegionLog.OrphanRemoved(logger, files.PathOf(fileName, deleted: false));
            }
        }

        foreach (var fileName in files.TrashNames())
        {
            if (files.Stat(fileName, deleted: true) is not { } status)
            {
                continue;
            }

            if (!status.IsRegularFile)
            {
                _quarantine.NotRegular(fileName, deleted: true, status);
                continue;
            }

            var region = new ManagedRegion(fileName);
            region.BecomeRecoveredTrash(new RegionRecord(fileName, (ulong)status.Size, 0, 0, 0, 0, 0, time.GetUtcNow()), fileName);
            _heldTrash.Add(region);
            catalog.Retire(region);
            ledger.Restore(region.Record.OwnerUid, 1, region.AccountedBytes);
        }

        var shrinks = PendingShrinks();
        if (_heldTrash.Count > 0 || _recovered.Count > 0)
        {
            _window = time.CreateTimer(_ => EndRecovery(), null, recoveryWindow, Timeout.InfiniteTimeSpan);
        }

        RegionLog.Recovered(logger, catalog.Count, ledger.Reserved, ledger.Capacity, _heldTrash.Count, shrinks);
    }

    /// <inheritdoc />
    public void Dispose() => _window?.Dispose();

    private int PendingShrinks() => catalog.All.Count(r => r.Shrink is not null);

    private void EndRecovery()
    {
        // The timer firing is what ends the window; the wall clock may have stepped meanwhile.
        foreach (var region in _heldTrash)
        {
            Settle(region, () => lifecycle.Purge(region));
        }

        _heldTrash.Clear();

        // Checked under each region's lock, not filtered before: a shrink may be announced meanwhile.
        foreach (var region in _recovered)
        {
            Settle(region, () =>
            {
                region.AwaitsReturningMappers = false;
                if (region.Shrink is not { Recovering: true } shrink)
                {
                    return;
                }

                shrink.Recovering = false;
                if (shrink.CanCommit)
                {
                    shrinks.TryCommit(region);
                    return;
                }

                region.Refresh();
                if (shrink.Timer is null)
                {
                    // Pending at the crash: its mappers hear of it, and its grace period starts, only now.
                    shrinks.AwaitReleases(region, shrink);
                }
            });
        }

        _recovered.Clear();
        _window?.Dispose();
        RegionLog.RecoveryEnded(logger);
    }

    /// <summary>Runs the end of the window for one region; a timer's exception would end the daemon, so one region's failure is logged and the others go on.</summary>
    private void Settle(ManagedRegion region, Action work)
    {
        try
        {
            changes.Run(region, work);
        }
        catch (Exception e)
        {
            RegionLog.CleanupFailed(logger, region.Name, e);
        }
    }

    private void RecoverMetadata(string metaName, long largest)
    {
        if (files.StatMetadataFile(metaName) is not { } metaStatus)
        {
            return;
        }

        if (!metaStatus.IsRegularFile)
        {
            _quarantine.Metadata(metaName, $"it is {UnexpectedFileException.KindOf(metaStatus)}, not a regular file");
            return;
        }

        if (metaName.StartsWith('.'))
        {
            // A metadata write that crashed before its rename: the old file (if any) is intact.
            files.RemoveMetadataFile(metaName);
            return;
        }

        RegionRecord record;
        string? impossible;
        try
        {
            record = RegionRecord.FromJson(files.ReadMetadata(metaName, RecoveryQuarantine.MaxMetadataBytes), out impossible);
        }
        catch (UnexpectedFileException e)
        {
            // Oversized, or swapped for another kind of file since the stat above.
            _quarantine.Metadata(metaName, e.Problem);
            return;
        }
        catch (InvalidDataException e)
        {
            RegionLog.BadMetadata(logger, files.MetadataPath(metaName), e.Message);
            return;
        }

        if (RegionFiles.MetadataName(record.Name) != metaName || RegionName.Validate(record.Name) is not null)
        {
            RegionLog.BadMetadata(logger, files.MetadataPath(metaName), $"it names region '{record.Name}'");
            return;
        }

        if (impossible is not null)
        {
            _quarantine.Metadata(metaName, impossible);
            return;
        }

        if (record.Size > (ulong)largest)
        {
            _quarantine.Metadata(metaName, $"it gives region '{record.Name}' {record.Size} bytes, more than the whole {largest}-byte storage filesystem");
            return;
        }

        var status = files.Stat(record.Name, deleted: false);
        if (status is null)
        {
            RegionLog.MissingFile(logger, record.Name, files.PathOf(record.Name, deleted: false));
            files.RemoveMetadataFile(metaName);
            return;
        }

        if (!status.Value.IsRegularFile)
        {
            _quarantine.Metadata(metaName, $"its region file is {UnexpectedFileException.KindOf(status.Value)}, not a regular file");
            return;
        }

        if (status.Value.Size != (long)record.Size)
        {
            // Longer: a grow crashed between ftruncate and persisting, so nobody was told the new
            // size; or a shrink crashed between persisting and ftruncate, and its metadata already
            // says the new size. Shorter: only tampering does that; growing back avoids SIGBUS.
            using var fd = files.Open(record.Name, deleted: false, writable: true);
            files.SetLength(fd, record.Name, (long)record.Size);
            RegionLog.SizeRepaired(logger, record.Name, status.Value.Size, record.Size);
        }

        var region = new ManagedRegion(record.Name) { AwaitsReturningMappers = true };
        region.BecomeLive(record);
        if (record.PendingSize != 0)
        {
            var shrink = new ShrinkGrace(record.Generation, record.PendingSize, time.GetUtcNow(), time.GetTimestamp(), recovering: true);
            region.BeginShrink(record, shrink);
            ShrinkLifecycle.StartGrace(shrink);
        }

        catalog.Restore(region);
        _recovered.Add(region);
        ledger.Restore(record.OwnerUid, 1, region.AccountedBytes);
    }
}
