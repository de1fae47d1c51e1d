using Mapd.Native;
using Mapd.Server.Errors;
using Mapd.Server.Meters;
using Mapd.Server.Peers;
using Mapd.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Regions;

/// <summary>
/// What a region goes through besides a shrink (<see cref="ShrinkLifecycle"/>): mappers coming
/// and going, growing, deletion, and freeing. Each step touches files, capacity, descriptors and
/// watchers in an order that a crash at any point leaves recoverable (see
/// <see cref="CatalogRecovery"/>): metadata is persisted before a change is visible. Runs under
/// the region's lock.
/// </summary>
internal sealed class RegionLifecycle(
    RegionChanges changes,
    ShrinkLifecycle shrinks,
    RegionCatalog catalog,
    CapacityLedger ledger,
    RegionFiles files,
    DescriptorCache descriptors,
    RegionFileWatch watch,
    CleanupRetries retries,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>
    /// Records that <paramref name="mapper"/> maps the region, as of the open that hands off
    /// <paramref name="handoffId"/>, atomically with the mapper being alive: a session that
    /// ended meanwhile is refused, so it can never be left behind.
    /// </summary>
    public void AddMapper(ManagedRegion region, IRegionMapper mapper, ulong handoffId, bool writable)
    {
        if (region.Mappers.TryGetValue(mapper, out var existing))
        {
            existing.LastHandoff = Math.Max(existing.LastHandoff, handoffId);
            existing.Writable |= writable;
            return;
        }

        if (!mapper.Registrations.TryAdd(region))
        {
            throw RefusedException.Precondition($"session {mapper.Id} ended while this call was on its way; connect a new session and retry");
        }

        region.Mappers.Add(mapper, new MapperState(time.GetUtcNow(), region.Record.Generation) { LastHandoff = handoffId, Writable = writable });

        // After a restart, a returning session may still map the old tail: it must release too.
        if (region.Shrink is { Recovering: true } shrink)
        {
            shrink.Waiting.Add(mapper);
        }

        region.Refresh();
    }

    /// <summary>Forgets <paramref name="mapper"/> (closed, or its session ended): a pending shrink may commit, a deleted region may be freed.</summary>
    public void RemoveMapper(ManagedRegion region, IRegionMapper mapper)
    {
        if (!region.Mappers.Remove(mapper))
        {
            return;
        }

        mapper.Registrations.Remove(region);
        shrinks.Forget(region, mapper);
        if (region.State == RegionState.Deleted && region.Mappers.Count == 0)
        {
            Purge(region);
        }

        region.Refresh();
    }

    /// <summary>Grows the file, persists, and tells the mappers (RESIZED). Nobody has to wait: old mappings stay valid.</summary>
    public void Grow(ManagedRegion region, ulong size, CallerIdentity caller, long requestedAt)
    {
        var record = region.Record;
        var additional = ManagedRegion.Accounted(size) - region.AccountedBytes;
        ledger.Reserve(record.OwnerUid, 0, additional, $"grow region '{record.Name}' to {size} bytes");
        try
        {
            // A crash between here and the metadata leaves the file longer than its metadata; recovery cuts it back.
            using (var loan = changes.Lend(region, writable: true))
            {
                files.SetLength(loan.Descriptor, region.FileName, (long)size);
            }

            files.WriteMetadata(record with { Size = size, Generation = record.Generation + 1 });
        }
        catch
        {
            ledger.Release(record.OwnerUid, 0, additional);
            throw;
        }

        region.Update(record with { Size = size, Generation = record.Generation + 1 });
        RegionLog.Grown(logger, record.Name, record.Size, size, region.Record.Generation, caller.Uid, caller.Pid);
        MapdMetrics.ResizeCommitted("grow", time.GetElapsedTime(requestedAt));
        RegionChanges.Publish(region, RegionUpdateKind.Resized);
    }

    /// <summary>
    /// Removes the name at once: the file moves to <c>trash/</c> and keeps counting against
    /// capacity until its last mapper closes or dies.
    /// </summary>
    public void Delete(ManagedRegion region, CallerIdentity caller)
    {
        var trashName = files.MoveToTrash(region.FileName);
        files.RemoveMetadata(region.Name);
        catalog.Remove(region);
        descriptors.Forget(region);
        if (region.Shrink is not null)
        {
            // Nobody can open it any more; its file is freed whole when the last mapper leaves.
            shrinks.End(region, committed: null);
        }

        region.BecomeDeleted(trashName);
        catalog.Retire(region);
        RegionLog.Deleted(logger, region.Name, caller.Uid, caller.Pid, region.Mappers.Count);
        RegionChanges.Publish(region, RegionUpdateKind.Deleted);
        if (region.Mappers.Count == 0)
        {
            Purge(region);
        }
    }

    /// <summary>
    /// Frees a deleted region's file and its capacity, once nobody holds the file: a process may
    /// keep a descriptor past its session, and its pages live on (and could be filled) as long as
    /// it does. Then the region is orphaned instead: unlinked, still charged, its length guarded,
    /// until <see cref="TryFreeOrphan"/> finds the last holder gone. Out of descriptors, it
    /// stays deleted and charged and is tried again later (<see cref="CleanupRetries"/>).
    /// </summary>
    public void Purge(ManagedRegion region)
    {
        descriptors.Forget(region);
        FileDescriptor held;
        try
        {
            held = files.Open(region.FileName, deleted: true, writable: true);
        }
        catch (SystemCallException e) when (e.Errno == Errnos.ENOENT)
        {
            Free(region);
            return;
        }
        catch (IOException e)
        {
            retries.Schedule(region, "free the file of deleted", e, () =>
            {
                if (region.State == RegionState.Deleted && region.Mappers.Count == 0)
                {
                    Purge(region);
                }
            });
            return;
        }

        bool onlyHolder;
        try
        {
            files.Remove(region.FileName, deleted: true);
            onlyHolder = Files.IsOnlyHolder(held, files.PathOf(region.FileName, deleted: true));
        }
        catch
        {
            held.Dispose();
            throw;
        }

        if (onlyHolder)
        {
            held.Dispose();
            Free(region);
            return;
        }

        region.BecomeOrphaned(held);
        watch.Follow(region);
        MapdMetrics.RegionOrphaned();
        RegionLog.Orphaned(logger, region.Name, region.AccountedBytes);
    }

    /// <summary>Frees an orphaned region if its last outside holder let go; false while someone holds it.</summary>
    public bool TryFreeOrphan(ManagedRegion region)
    {
        if (region.Orphan is not { } held || !Files.IsOnlyHolder(held, region.Name))
        {
            return false;
        }

        watch.Unfollow(region);
        Free(region);
        return true;
    }

    private void Free(ManagedRegion region)
    {
        ledger.Release(region.Record.OwnerUid, 1, region.AccountedBytes);
        catalog.Forget(region);
        region.BecomePurged();
        RegionLog.Purged(logger, region.Name, region.AccountedBytes);
    }

    /// <summary>Removes a region whose creator never got its descriptor, as if it had never been created.</summary>
    public void Undo(ManagedRegion region)
    {
        files.RemoveMetadata(region.Name);
        files.Remove(region.FileName, deleted: false);
        catalog.Remove(region);
        descriptors.Forget(region);
        ledger.Release(region.Record.OwnerUid, 1, region.AccountedBytes);
        region.BecomePurged();
    }
}
