using Mapd.Client.Internal.Mapping;
using Mapd.Client.Internal.Sessions;
using Mapd.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace Mapd.Client.Internal.Tracking;

/// <summary>
/// Keeps this process's mappings in step with the daemon: every new state of a region (a watch
/// event, this process's own resize, a catch-up after an open, a re-attach) is applied to all
/// its mappings through the region's <see cref="RegionEventQueue"/>, and a pending shrink is
/// released once all of them reached it. It is what <see cref="MappedRegion"/> talks to.
/// </summary>
internal sealed class RegionSync(RegionTable table, RegionEventQueue queue, PinnedCalls pinned, Regions.RegionsClient calls, MappingPolicy mapping, ILogger logger) : IRegionHost
{
    public MappingPolicy Mapping { get; } = mapping;

    public async Task<Region> ResizeAsync(string name, long size, ulong expectedGeneration, CancellationToken cancellationToken)
    {
        var request = new ResizeRequest { Name = name, Size = (ulong)size, ExpectedGeneration = expectedGeneration };
        return await calls.ResizeAsync(request, cancellationToken: cancellationToken);
    }

    public Task ApplyAsync(string name, Region region, RegionEvent.Types.Kind kind) =>
        queue.Enqueue(name, () => ApplyAndReleaseAsync(name, region, kind));

    public void Forget(MappedRegion region) => table.Forget(region);

    /// <summary>Runs <paramref name="work"/> in order with the region's other changes.</summary>
    public Task Enqueue(string name, Func<Task> work) => queue.Enqueue(name, work);

    /// <summary>Queues an event from the daemon behind the earlier ones of the same region.</summary>
    public void Dispatch(RegionEvent regionEvent)
    {
        var name = regionEvent.Region.Name;
        if (table.Observe(regionEvent.Region, regionEvent.Kind))
        {
            _ = LogFailureAsync(name, ApplyAsync(name, regionEvent.Region, regionEvent.Kind));
        }
    }

    /// <summary>The region is gone for this process (deleted, or replaced while the daemon was down).</summary>
    public void DispatchDeleted(string name) =>
        Dispatch(new RegionEvent { Kind = RegionEvent.Types.Kind.Deleted, Region = new Region { Name = name } });

    /// <summary>
    /// Applies a state to every local mapping of the region, then acknowledges the generation all
    /// of them reached, on <paramref name="state"/> (default: the current session).
    /// </summary>
    public async Task ApplyAndReleaseAsync(string name, Region region, RegionEvent.Types.Kind kind, SessionState? state = null)
    {
        var mappings = table.Snapshot(name);
        if (mappings.Count == 0)
        {
            return;
        }

        await Task.WhenAll(mappings.Select(m => m.ApplyAsync(region, kind)));

        // Only a shrink waits for releases, so a grow costs no call back. A pending shrink needs
        // this session's release even when the state is not news here: after a daemon restart, a
        // re-registered session must release again what it already applied.
        if (region.PendingSize != 0)
        {
            // The session releases what its least advanced mapping has reached.
            var reached = mappings.Where(m => !m.IsDisposed).Select(m => m.AppliedGeneration).DefaultIfEmpty(0UL).Min();
            if (reached != 0)
            {
                await pinned.ReleaseAsync(name, reached, state);
            }
        }
    }

    private async Task LogFailureAsync(string name, Task applying)
    {
        try
        {
            await applying;
        }
        catch (Exception e)
        {
            RegionLog.ApplyFailed(logger, name, e);
        }
    }
}
