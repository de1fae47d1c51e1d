using Mapd.Server.Grace;
using Mapd.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Regions;

/// <summary>
/// Loads the regions the previous run left and repairs what a crash may have left half done: a
/// region file without metadata (a create that never answered) is removed; a file whose length
/// differs from its metadata (a grow or a shrink cut short) is set to the metadata's size.
/// Nobody's mappings are known after a restart, so for the recovery window deleted files in
/// <c>trash/</c> keep counting against capacity and pending shrinks wait, while sessions come
/// back and re-open what they map.
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
    private ITimer? _window;

    /// <summary>Recovers the storage; call once, before serving.</summary>
    public void Recover(TimeSpan recoveryWindow)
    {
        foreach (var metaName in files.MetadataNames().Order(StringComparer.Ordinal))
        {
            RecoverMetadata(metaName);
        }

        foreach (var fileName in files.RegionNames())
        {
            // Only a regular file with no metadata at all is a create that never answered;
            // anything else (unreadable metadata, a directory) is left for an operator.
            if (catalog.Find(fileName) is null
                && files.StatMetadata(fileName) is null
                && files.Stat(fileName, deleted: false) is { IsRegularFile: true })
            {
                files.Remove(fileName, deleted: false);
                RegionLog.OrphanRemoved(logger, files.PathOf(fileName, deleted: false));
            }
        }

        foreach (var fileName in files.TrashNames())
        {
            if (files.Stat(fileName, deleted: true) is not { IsRegularFile: true } status)
            {
                continue;
            }

            var region = new ManagedRegion(fileName);
            region.BecomeRecoveredTrash(new RegionRecord(fileName, (ulong)status.Size, 0, 0, 0, 0, 0, time.GetUtcNow()), fileName);
            _heldTrash.Add(region);
            catalog.Retire(region);
            ledger.Restore(region.Record.OwnerUid, 1, region.AccountedBytes);
        }

        var shrinks = PendingShrinks();
        if (_heldTrash.Count > 0 || shrinks > 0)
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
            changes.Run(region, () => lifecycle.Purge(region));
        }

        _heldTrash.Clear();
        foreach (var region in catalog.All.Where(r => r.Shrink is { Recovering: true }).ToList())
        {
            changes.Run(region, () =>
            {
                if (region.Shrink is not { Recovering: true } shrink)
                {
                    return;
                }

                shrink.Recovering = false;
                if (shrink.CanCommit)
                {
                    shrinks.TryCommit(region);
                }
                else
                {
                    region.Refresh();
                    shrinks.AwaitReleases(region, shrink);
                }
            });
        }

        RegionLog.RecoveryEnded(logger);
    }

    private void RecoverMetadata(string metaName)
    {
        if (metaName.StartsWith('.'))
        {
            // A metadata write that crashed before its rename: the old file (if any) is intact.
            files.RemoveMetadataFile(metaName);
            return;
        }

        RegionRecord record;
        try
        {
            record = RegionRecord.FromJson(files.ReadMetadata(metaName));
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

        var status = files.Stat(record.Name, deleted: false);
        if (status is null)
        {
            RegionLog.MissingFile(logger, record.Name, files.PathOf(record.Name, deleted: false));
            files.RemoveMetadataFile(metaName);
            return;
        }

        if (!status.Value.IsRegularFile)
        {
            RegionLog.BadMetadata(logger, files.PathOf(record.Name, deleted: false), "it is not a regular file");
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

        var region = new ManagedRegion(record.Name);
        region.BecomeLive(record);
        if (record.PendingSize != 0)
        {
            var shrink = new ShrinkGrace(record.Generation, record.PendingSize, time.GetUtcNow(), time.GetTimestamp(), recovering: true);
            region.BeginShrink(record, shrink);
            ShrinkLifecycle.StartGrace(shrink);
        }

        catalog.Restore(region);
        ledger.Restore(record.OwnerUid, 1, region.AccountedBytes);
    }
}
