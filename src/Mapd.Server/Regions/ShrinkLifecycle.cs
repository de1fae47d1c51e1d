using Mapd.Server.Grace;
using Mapd.Server.Meters;
using Mapd.Server.Peers;
using Mapd.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Regions;

/// <summary>
/// A shrink in two phases: announce it (SHRINK_PENDING, <c>pending_size</c>), wait for every
/// session that mapped the region to release the tail (or end), then cut the file. A session
/// stuck past the grace timeout gets a hole punched over the tail: the memory comes back and its
/// mapping stays valid; the cut waits on. Never truncate under a live mapper: that is a SIGBUS
/// in someone else's process. After a restart the daemon cannot know who mapped a region before
/// the crash, so until the recovery window ends no shrink of a region found at start-up cuts
/// (<see cref="ManagedRegion.AwaitsReturningMappers"/>). Runs under the region's lock, but for
/// the timer's callback.
/// </summary>
internal sealed class ShrinkLifecycle(
    RegionChanges changes,
    RegionFiles files,
    CapacityLedger ledger,
    CleanupRetries retries,
    TimeSpan graceTimeout,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>How long a shrink waits for its mappers before the tail's memory is given back.</summary>
    public TimeSpan GraceTimeout => graceTimeout;

    /// <summary>Announces a shrink and commits it at once if nobody maps the region.</summary>
    public void Announce(ManagedRegion region, ulong size, CallerIdentity caller, long requestedAt)
    {
        var record = region.Record;
        var pending = record with { PendingSize = size, Generation = record.Generation + 1 };
        files.WriteMetadata(pending);
        var shrink = new ShrinkGrace(pending.Generation, size, time.GetUtcNow(), requestedAt, recovering: region.AwaitsReturningMappers);
        foreach (var mapper in region.Mappers.Keys)
        {
            shrink.Waiting.Add(mapper);
        }

        region.BeginShrink(pending, shrink);
        RegionLog.ShrinkAnnounced(logger, record.Name, record.Size, size, pending.Generation, shrink.Waiting.Count, caller.Uid, caller.Pid);
        Await(region, shrink);
    }

    /// <summary>
    /// A resize that met a pending shrink whose grace period passed: it does not wait on the
    /// laggards. A size at least the file's ends the shrink (a grow: the laggards map no more
    /// than the old length); a smaller one retargets it, and only the laggards still hold the cut
    /// up when the new target is larger, everyone who may touch more than it when smaller. Bytes
    /// past the old target read as zeros, as after a cut and a grow, since the hole punched over
    /// them is punched again.
    /// </summary>
    public void Supersede(ManagedRegion region, ulong size, CallerIdentity caller, long requestedAt)
    {
        var record = region.Record;
        var old = region.Shrink!;
        if (size == old.Target)
        {
            return;
        }

        ZeroPast(region, old.Target);
        if (size >= record.Size)
        {
            var additional = ManagedRegion.Accounted(size) - region.AccountedBytes;
            ledger.Reserve(record.OwnerUid, 0, additional, $"grow region '{record.Name}' to {size} bytes");
            var grown = record with { Size = size, PendingSize = 0, Generation = record.Generation + 1 };
            try
            {
                using (var loan = changes.Lend(region, writable: true))
                {
                    files.SetLength(loan.Descriptor, region.FileName, (long)size);
                }

                files.WriteMetadata(grown);
            }
            catch
            {
                ledger.Release(record.OwnerUid, 0, additional);
                throw;
            }

            End(region, grown);
            RegionLog.ShrinkSuperseded(logger, record.Name, old.Target, size, grown.Generation, old.Waiting.Count, caller.Uid, caller.Pid);
            MapdMetrics.ResizeCommitted("grow", time.GetElapsedTime(requestedAt));
            RegionChanges.Publish(region, RegionUpdateKind.Resized);
            return;
        }

        var retargeted = record with { PendingSize = size, Generation = record.Generation + 1 };
        files.WriteMetadata(retargeted);
        var shrink = new ShrinkGrace(retargeted.Generation, size, time.GetUtcNow(), requestedAt, recovering: region.AwaitsReturningMappers);
        if (size > old.Target)
        {
            // Those who released the old target map less than the new one; the laggards still map it all.
            shrink.Waiting.UnionWith(old.Waiting);
            shrink.HolePunched = true;
        }
        else
        {
            shrink.Waiting.UnionWith(region.Mappers.Keys);
        }

        Finish(region.Retarget(retargeted, shrink));
        RegionLog.ShrinkSuperseded(logger, record.Name, old.Target, size, retargeted.Generation, old.Waiting.Count, caller.Uid, caller.Pid);
        if (shrink.HolePunched)
        {
            // The laggards already outlasted a grace period: nobody waits for them again.
            StartGrace(shrink);
            shrink.Settled.TrySetResult();
            RegionChanges.Publish(region, RegionUpdateKind.ShrinkPending);
        }
        else
        {
            Await(region, shrink);
        }
    }

    /// <summary>Records a Release: <paramref name="mapper"/> maps nothing past <paramref name="generation"/>'s size.</summary>
    public void Release(ManagedRegion region, IRegionMapper mapper, ulong generation)
    {
        var state = region.Mappers[mapper];
        state.Generation = Math.Max(state.Generation, generation);
        if (region.Shrink is { } shrink && generation >= shrink.Generation && shrink.Waiting.Remove(mapper))
        {
            TryCommit(region);
        }

        region.Refresh();
    }

    /// <summary>A mapper is gone (closed or ended): it no longer holds the shrink up.</summary>
    public void Forget(ManagedRegion region, IRegionMapper mapper)
    {
        if (region.Shrink is { } shrink && shrink.Waiting.Remove(mapper))
        {
            TryCommit(region);
        }
    }

    /// <summary>Tells the mappers to release and arms the grace timeout.</summary>
    public void AwaitReleases(ManagedRegion region, ShrinkGrace shrink)
    {
        RegionChanges.Publish(region, RegionUpdateKind.ShrinkPending);
        shrink.Timer = time.CreateTimer(_ => GraceExpired(region, shrink), null, graceTimeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Counts a shrink in <c>mapd_grace_pending</c>, once.</summary>
    public static void StartGrace(ShrinkGrace shrink)
    {
        shrink.GraceCounted = true;
        MapdMetrics.GraceStarted();
    }

    /// <summary>
    /// Truncates once nobody can still map the tail: every waiting session released or ended.
    /// A cut that fails (out of descriptors, say) is retried later, not thrown at whoever let it go.
    /// </summary>
    /// <returns>True when it committed.</returns>
    public bool TryCommit(ManagedRegion region)
    {
        if (region.Shrink is not { CanCommit: true } shrink || region.IsDeleted)
        {
            return false;
        }

        var before = region.AccountedBytes;
        var committed = region.Record with { Size = shrink.Target, PendingSize = 0 };
        try
        {
            // Metadata first: a crash after it leaves a file longer than its metadata, which recovery cuts back.
            files.WriteMetadata(committed);
            using var loan = changes.Lend(region, writable: true);
            files.SetLength(loan.Descriptor, region.FileName, (long)shrink.Target);
        }
        catch (IOException e)
        {
            // Nobody maps past the target any more, so the cut may come later; the metadata may already say it.
            retries.Schedule(region, "cut the file of shrunk", e, () => TryCommit(region));
            return false;
        }

        End(region, committed);
        MapdMetrics.ResizeCommitted("shrink", time.GetElapsedTime(shrink.RequestedAt));
        ledger.Release(committed.OwnerUid, 0, before - region.AccountedBytes);
        var waited = time.GetUtcNow() - shrink.Since;
        RegionLog.ShrinkCommitted(logger, committed.Name, shrink.Target, committed.Generation, waited.TotalMilliseconds, shrink.HolePunched);
        RegionChanges.Publish(region, RegionUpdateKind.Resized);
        return true;
    }

    /// <summary>
    /// A pending shrink is over, committed (<paramref name="committed"/>) or its region deleted
    /// (null): stop its timer, uncount it, and let a resize waiting for it go on.
    /// </summary>
    public void End(ManagedRegion region, RegionRecord? committed) => Finish(region.EndShrink(committed));

    /// <summary>Stops a shrink that is over or replaced: its timer, its count, and whoever waits for it.</summary>
    private void Finish(ShrinkGrace shrink)
    {
        shrink.Timer?.Dispose();
        if (shrink.GraceCounted)
        {
            shrink.GraceCounted = false;
            MapdMetrics.GraceEnded(time.GetUtcNow() - shrink.Since);
        }

        shrink.Settled.TrySetResult();
    }

    /// <summary>Commits a shrink nobody holds up, or tells its mappers and arms its grace timeout.</summary>
    private void Await(ManagedRegion region, ShrinkGrace shrink)
    {
        // A cut that failed is retried, and the grace timeout gives it one more chance.
        if (shrink.CanCommit && TryCommit(region))
        {
            return;
        }

        StartGrace(shrink);
        AwaitReleases(region, shrink);
    }

    /// <summary>Gives back the memory past <paramref name="target"/> (up to the file's length), so those bytes read as zeros.</summary>
    private void ZeroPast(ManagedRegion region, ulong target)
    {
        var offset = ManagedRegion.Accounted(target);
        var length = (long)region.Record.Size - offset;
        if (length > 0)
        {
            using var loan = changes.Lend(region, writable: true);
            files.PunchHole(loan.Descriptor, region.FileName, offset, length);
        }
    }

    /// <summary>
    /// Some mapper did not release in time. Truncating now could SIGBUS it, so give the tail's
    /// memory back with a hole instead (the length stays) and name who blocks.
    /// </summary>
    private void GraceExpired(ManagedRegion region, ShrinkGrace shrink)
    {
        try
        {
            changes.Run(region, () => Expire(region, shrink));
        }
        catch (Exception e)
        {
            // A timer's exception would end the daemon; a restart repairs what this left.
            RegionLog.CleanupFailed(logger, region.Name, e);
        }
    }

    private void Expire(ManagedRegion region, ShrinkGrace shrink)
    {
        if (region.Shrink != shrink || region.IsDeleted)
        {
            return;
        }

        if (shrink.CanCommit)
        {
            // Nobody blocks it: an earlier cut failed; this is its second chance.
            TryCommit(region);
            return;
        }

        try
        {
            ZeroPast(region, shrink.Target);
        }
        catch (IOException e)
        {
            // The grace timer fires once: without a retry the tail's memory would stay taken.
            retries.Schedule(region, "give back the tail's memory (grace timeout) of", e, () => Expire(region, shrink));
            return;
        }

        // The file keeps its length until the commit; a resize waiting for this shrink may now go on.
        shrink.HolePunched = true;
        shrink.Settled.TrySetResult();
        region.Refresh();
        if (logger.IsEnabled(LogLevel.Warning))
        {
            var blockers = string.Join(", ", shrink.Waiting.Select(m => $"pid {m.Pid} uid {m.Uid} at generation {region.Mappers.GetValueOrDefault(m)?.Generation}"));
            var length = (long)region.Record.Size - ManagedRegion.Accounted(shrink.Target);
            RegionLog.GraceExpired(logger, region.Name, shrink.Generation, graceTimeout.TotalSeconds, length, blockers);
        }
    }
}
