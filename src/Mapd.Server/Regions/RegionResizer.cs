using Mapd.Server.Errors;
using Mapd.Server.Peers;

namespace Mapd.Server.Regions;

/// <summary>
/// Resizes. Resizes of one region apply one at a time in arrival order; one that arrives while
/// a shrink is pending waits for it (bounded by the caller's deadline). A grow is committed (file
/// extended, metadata persisted, RESIZED sent) before it returns. A shrink is announced
/// (SHRINK_PENDING, <c>pending_size</c> set) and commits once every session that mapped the
/// region has released, or ended (<see cref="ShrinkLifecycle"/>).
/// </summary>
public sealed class RegionResizer
{
    private readonly RegionCatalog _catalog;
    private readonly RegionChanges _changes;
    private readonly RegionLifecycle _lifecycle;
    private readonly ShrinkLifecycle _shrinks;
    private readonly RegionPermissions _permissions;
    private readonly long _maxRegionSize;
    private readonly TimeProvider _time;

    internal RegionResizer(RegionCatalog catalog, RegionChanges changes, RegionLifecycle lifecycle, ShrinkLifecycle shrinks, RegionPermissions permissions, long maxRegionSize, TimeProvider time)
    {
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

        try
        {
            await region.ResizeGate.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw RefusedException.DeadlineExceeded(
                $"region '{name}' is still busy with an earlier resize (a shrink waits for its mappers; see 'mapctl stat {name}'); retry with a longer deadline");
        }

        var holdsGate = true;
        try
        {
            return _changes.Run(region, () =>
            {
                if (region.IsDeleted)
                {
                    throw RefusedException.NotFound(name);
                }

                var current = region.Record;
                if (expectedGeneration != 0 && expectedGeneration != current.Generation)
                {
                    throw RefusedException.Precondition($"region '{name}' is at generation {current.Generation}, not {expectedGeneration}; read it again (Get) and retry with the current generation");
                }

                if (size > current.Size)
                {
                    _lifecycle.Grow(region, size, caller, requestedAt);
                }
                else if (size < current.Size)
                {
                    _shrinks.Announce(region, size, caller, requestedAt, () => holdsGate = false);
                }

                return region.Snapshot;
            });
        }
        finally
        {
            if (holdsGate)
            {
                region.ResizeGate.Release();
            }
        }
    }
}
