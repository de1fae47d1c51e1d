using Mapd.Server.Errors;
using Mapd.Server.Peers;

namespace Mapd.Server.Regions;

/// <summary>
/// Resizes. Resizes of one region apply one at a time in arrival order; one that arrives while
/// a shrink is pending waits for it (bounded by the caller's deadline), but never longer than
/// the shrink's grace period: past it, the resize supersedes the shrink rather than wait on a
/// laggard (<see cref="ShrinkLifecycle.Supersede"/>). A grow is committed (file extended,
/// metadata persisted, RESIZED sent) before it returns. A shrink is announced (SHRINK_PENDING,
/// <c>pending_size</c> set) and commits once every session that mapped the region has
/// released, or ended (<see cref="ShrinkLifecycle"/>).
/// </summary>
public sealed class RegionResizer
{
    private readonly RegionCatalog _catalog;
    private readonly RegionChanges _changes;
    private readonly RegionLifecycle _lifecycle;
    private readonly ShrinkLifecycle _shrinks;
    private readonly LengthGuard _guard;
    private readonly RegionPermissions _permissions;
    private readonly long _maxRegionSize;
    private readonly TimeProvider _time;

    internal RegionResizer(RegionCatalog catalog, RegionChanges changes, RegionLifecycle lifecycle, ShrinkLifecycle shrinks, LengthGuard guard, RegionPermissions permissions, long maxRegionSize, TimeProvider time)
    {
        _guard = guard;
        _catalog = catalog;
        _changes = changes;
        _lifecycle = lifecycle;
        _shrinks = shrinks;
        _permissions = permissions;
        _maxRegionSize = maxRegionSize;
        _time = time;
    }

    /// <summary>Resizes region <paramref name="name"/> to <paramref name="size"/>, if it is at <paramref name="expectedGeneration"/> (0: any).</summary>
    public async Task<RegionSnapshot> ResizeAsync(string name, ulong size, ulong expectedGeneration, CallerIdentity caller, CancellationToken cancellationToken)
    {
        RegionRules.CheckName(name);
        RegionRules.CheckSize(size, _maxRegionSize);
        var requestedAt = _time.GetTimestamp();
        var region = _catalog.Visible(name) ?? throw RefusedException.NotFound(name);
        var record = region.Snapshot;
        if (!_permissions.MayOpen(caller, record.OwnerUid, record.Gid, record.Mode, writable: true))
        {
            throw RefusedException.Denied($"uid {caller.Uid} may not resize region '{name}': resizing needs write permission (mode {PermissionMode.Format(record.Mode)}, owner uid {record.OwnerUid})");
        }

        await WaitAsync(region.ResizeGate.WaitAsync(cancellationToken), name);
        try
        {
            while (true)
            {
                Task? settling = null;
                var resized = _changes.Run(region, () =>
                {
                    if (region.IsDeleted)
                    {
                        throw RefusedException.NotFound(name);
                    }

                    // A pending shrink still in its grace period is waited for; one past it is superseded.
                    if (region.Shrink is { Settled.Task.IsCompleted: false } shrink)
                    {
                        settling = shrink.Settled.Task;
                        return null;
                    }

                    _guard.Check(region);
                    var current = region.Record;
                    if (expectedGeneration != 0 && expectedGeneration != current.Generation)
                    {
                        throw RefusedException.Precondition($"region '{name}' is at generation {current.Generation}, not {expectedGeneration}; read it again (Get) and retry with the current generation");
                    }

                    if (region.Shrink is not null)
                    {
                        _shrinks.Supersede(region, size, caller, requestedAt);
                    }
                    else if (size > current.Size)
                    {
                        _lifecycle.Grow(region, size, caller, requestedAt);
                    }
                    else if (size < current.Size)
                    {
                        _shrinks.Announce(region, size, caller, requestedAt);
                    }

                    return region.Snapshot;
                });
                if (resized is not null)
                {
                    return resized;
                }

                await WaitAsync(settling!.WaitAsync(cancellationToken), name);
            }
        }
        finally
        {
            region.ResizeGate.Release();
        }
    }

    /// <summary>Waits for this region's turn; the caller's deadline passing is DEADLINE_EXCEEDED with what it waited for.</summary>
    private static async Task WaitAsync(Task turn, string name)
    {
        try
        {
            await turn;
        }
        catch (OperationCanceledException)
        {
            throw RefusedException.DeadlineExceeded(
                $"region '{name}' is still busy with an earlier resize (a shrink waits for its mappers, at most Mapd:Grace:Timeout; see 'mapctl stat {name}'); retry with a longer deadline");
        }
    }
}
