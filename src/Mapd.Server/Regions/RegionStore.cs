using Mapd.Server.Errors;
using Mapd.Server.Peers;
using Mapd.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Regions;

/// <summary>
/// The regions, as requests see them. This type takes names (create, delete), describes and
/// lists; <see cref="Mappings"/> serves sessions (open, release, close, their end) and
/// <see cref="Resizer"/> resizes. Each request is checked (<see cref="RegionRules"/>, then
/// permissions), then applied to one region under that region's lock; reads take the regions'
/// snapshots and no lock.
/// </summary>
public sealed class RegionStore : IDisposable
{
    private readonly RegionCatalog _catalog;
    private readonly CapacityLedger _ledger;
    private readonly RegionFiles _files;
    private readonly DescriptorCache _descriptors;
    private readonly RegionPermissions _permissions;
    private readonly RegionChanges _changes;
    private readonly RegionLifecycle _lifecycle;
    private readonly ShrinkLifecycle _shrinks;
    private readonly CatalogRecovery _recovery;
    private readonly CleanupRetries _retries;
    private readonly RegionFileWatch _watch;
    private readonly LengthGuard _guard;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the store over <paramref name="storage"/>; call <see cref="Recover"/> before use.</summary>
    public RegionStore(StorageRoot storage, RegionPermissions permissions, RegionLimits limits, DescriptorCache descriptors, IRegionUpdateSink updates, ILogger<RegionStore> logger, TimeProvider time, RegionQuotas? quotas = null)
    {
        _catalog = new RegionCatalog(limits.MaxRegions);
        _files = new RegionFiles(storage);
        Space = new StorageSpace(storage, _catalog, _files);
        _ledger = new CapacityLedger(storage.Capacity, quotas ?? RegionQuotas.Unlimited, Space);
        _descriptors = descriptors;
        _permissions = permissions;
        _time = time;
        _logger = logger;
        _changes = new RegionChanges(_files, descriptors, updates);
        _watch = new RegionFileWatch(storage, logger);
        _guard = new LengthGuard(_changes, logger);
        _retries = new CleanupRetries(_changes, time, logger);
        _shrinks = new ShrinkLifecycle(_changes, _files, _ledger, _retries, limits.GraceTimeout, time, logger);
        _lifecycle = new RegionLifecycle(_changes, _shrinks, _catalog, _ledger, _files, descriptors, _watch, _retries, time, logger);
        _recovery = new CatalogRecovery(_catalog, _ledger, _files, _changes, _lifecycle, _shrinks, time, logger);
        MaxRegionSize = limits.MaxRegionSize > 0 ? Math.Min(limits.MaxRegionSize, storage.Capacity) : storage.Capacity;
        Mappings = new RegionMappings(_catalog, _changes, _lifecycle, _shrinks, _guard, permissions);
        Resizer = new RegionResizer(_catalog, _changes, _lifecycle, _shrinks, _guard, permissions, MaxRegionSize, time);
        _watch.FileChanged = (fileName, deleted) => Guard(deleted ? _catalog.Retired.FirstOrDefault(r => r.FileName == fileName) : _catalog.Find(fileName));
        _watch.OrphanChanged = Guard;
        _watch.Sweep = Sweep;
    }

    /// <summary>What the storage filesystem really holds, and how much of it is outside the grants.</summary>
    public StorageSpace Space { get; }

    /// <summary>Opens, releases and closes for sessions, and forgets a session that ended.</summary>
    public RegionMappings Mappings { get; }

    /// <summary>Grows and shrinks regions.</summary>
    public RegionResizer Resizer { get; }

    /// <summary>How long a shrink waits for its mappers before the daemon punches a hole over the tail.</summary>
    public TimeSpan GraceTimeout => _shrinks.GraceTimeout;

    /// <summary>Shrinks waiting for their mappers.</summary>
    public int PendingShrinks => _catalog.All.Count(r => r.HasSnapshot && r.Snapshot.PendingShrink is not null);

    /// <summary>Bytes regions may take in total.</summary>
    public long Capacity => _ledger.Capacity;

    /// <summary>The largest region allowed.</summary>
    public long MaxRegionSize { get; }

    /// <summary>The most regions allowed.</summary>
    public int MaxRegions => _catalog.MaxRegions;

    /// <summary>Bytes taken by regions, including deleted ones still mapped.</summary>
    public long ReservedBytes => _ledger.Reserved;

    /// <summary>Number of regions with a name.</summary>
    public int Count => _catalog.Count;

    /// <summary>Region descriptors held open for later opens.</summary>
    public int CachedDescriptors => _descriptors.Count;

    /// <summary>The names and their regions, for tests that take a region's lock themselves.</summary>
    internal RegionCatalog Catalog => _catalog;

    /// <summary>
    /// Loads and repairs what the previous run left (see <see cref="CatalogRecovery"/>), then
    /// starts guarding the region files' lengths (see <see cref="LengthGuard"/>).
    /// </summary>
    public void Recover(TimeSpan recoveryWindow)
    {
        _recovery.Recover(recoveryWindow);
        _watch.Start();
    }

    /// <summary>One region, with its mappers and pending grace; NOT_FOUND when absent. Everything, for the daemon itself.</summary>
    public RegionSnapshot Get(string name)
    {
        RegionRules.CheckName(name);
        return Visible(name)?.Snapshot ?? throw RefusedException.NotFound(name);
    }

    /// <summary>
    /// One region as <paramref name="caller"/> may see it: PERMISSION_DENIED unless it may open
    /// it; who maps it only for its owner and the superusers.
    /// </summary>
    public RegionSnapshot Get(string name, CallerIdentity caller)
    {
        var region = Get(name);
        if (!_permissions.MaySee(caller, region))
        {
            throw RefusedException.Denied($"uid {caller.Uid} may not see region '{name}': describing a region needs read permission, as opening it does; ask its owner to widen the mode");
        }

        return _permissions.MaySeeMappers(caller, region) ? region : region.WithoutMapperDetails();
    }

    /// <summary>Every region, by name.</summary>
    public IReadOnlyList<RegionSnapshot> List() => List(string.Empty, 0, string.Empty).Regions;

    /// <summary>
    /// The regions whose names start with <paramref name="prefix"/>, in name order, after
    /// <paramref name="after"/> (a name, or empty for the first page), at most
    /// <paramref name="pageSize"/> of them (0: all). <c>Next</c> is the name to continue after,
    /// or empty on the last page.
    /// </summary>
    public (IReadOnlyList<RegionSnapshot> Regions, string Next) List(string prefix, int pageSize, string after) =>
        List(prefix, pageSize, after, null);

    /// <summary>Like <see cref="List(string, int, string)"/>, of the regions <paramref name="caller"/> may see (may open); null lists all.</summary>
    public (IReadOnlyList<RegionSnapshot> Regions, string Next) List(string prefix, int pageSize, string after, CallerIdentity? caller)
    {
        RegionRules.CheckPrefix(prefix);
        RegionRules.CheckPageToken(after);
        var (page, next) = _catalog.Page(prefix, pageSize, after, r => IsVisible(r) && (caller is null || _permissions.MaySee(caller, r.Snapshot)));
        return ([.. page.Select(r => r.Snapshot)], next);
    }

    /// <summary>True when <paramref name="caller"/> may see <paramref name="region"/> (for watchers).</summary>
    public bool MaySee(CallerIdentity caller, RegionSnapshot region) => _permissions.MaySee(caller, region);

    /// <summary>
    /// Creates a region owned by <paramref name="caller"/>, mapped by <paramref name="mapper"/>,
    /// and lends its read-write descriptor. The caller ends the loan.
    /// </summary>
    public (RegionSnapshot Region, DescriptorLoan Descriptor) Create(string name, ulong size, uint mode, ulong maxSize, CallerIdentity caller, IRegionMapper mapper, ulong handoffId = 0)
    {
        RegionRules.CheckName(name);
        RegionRules.CheckSize(size, MaxRegionSize);
        var effectiveMode = RegionRules.CheckMode(mode);
        RegionRules.CheckMaxSize(maxSize, size);

        var region = _catalog.Take(name);
        var accounted = ManagedRegion.Accounted(size);
        try
        {
            _ledger.Reserve(caller.Uid, 1, accounted, $"create region '{name}' of {size} bytes");
        }
        catch
        {
            _catalog.Remove(region);
            throw;
        }

        return _changes.Run(region, () =>
        {
            var record = new RegionRecord(name, size, 1, caller.Uid, caller.Gid, effectiveMode, 0, _time.GetUtcNow(), maxSize);
            try
            {
                var fd = _files.Create(name);
                try
                {
                    _files.SetLength(fd, name, (long)size);
                    _files.WriteMetadata(record);
                }
                catch
                {
                    fd.Dispose();
                    _files.Remove(name, deleted: false);
                    throw;
                }

                region.BecomeLive(record);
                _descriptors.Keep(region, writable: true, fd);
            }
            catch
            {
                _ledger.Release(caller.Uid, 1, accounted);
                _catalog.Remove(region);
                throw;
            }

            var loan = _changes.Lend(region, writable: true);
            try
            {
                _lifecycle.AddMapper(region, mapper, handoffId, writable: true);
            }
            catch
            {
                loan.Dispose();
                _lifecycle.Undo(region);
                throw;
            }

            RegionLog.Created(_logger, name, size, caller.Uid, caller.Pid, _ledger.Reserved, _ledger.Capacity);
            return (region.Snapshot, loan);
        });
    }

    /// <summary>
    /// Removes the name at once. The file moves to <c>trash/</c> and keeps counting against
    /// capacity until its last mapper closes or dies.
    /// </summary>
    public void Delete(string name, CallerIdentity caller)
    {
        RegionRules.CheckName(name);
        var region = Visible(name) ?? throw RefusedException.NotFound(name);
        _changes.Run(region, () =>
        {
            RequireVisible(region);
            if (!_permissions.MayChange(caller, region.Record))
            {
                throw RefusedException.Denied($"uid {caller.Uid} may not delete region '{name}': only its owner (uid {region.Record.OwnerUid}), root or the daemon's user may");
            }

            _lifecycle.Delete(region, caller);
        });
    }

    /// <summary>
    /// NOT_FOUND unless every one of <paramref name="names"/> names a region, PERMISSION_DENIED
    /// unless <paramref name="caller"/> may see each (INVALID_ARGUMENT for a bad name).
    /// </summary>
    public void CheckExist(IReadOnlyCollection<string> names, CallerIdentity? caller = null)
    {
        foreach (var name in names)
        {
            RegionRules.CheckName(name);
        }

        foreach (var name in names)
        {
            var region = Visible(name) ?? throw RefusedException.NotFound(name);
            if (caller is not null && !_permissions.MaySee(caller, region.Snapshot))
            {
                throw RefusedException.Denied($"uid {caller.Uid} may not watch region '{name}': watching needs read permission, as opening does; ask its owner to widen the mode");
            }
        }
    }

    /// <summary>
    /// Queues a CURRENT update for <paramref name="target"/> of each watched region, in order with
    /// that region's other updates: <paramref name="names"/>, else every region
    /// <paramref name="mapper"/> maps, else every region.
    /// </summary>
    public void SendCurrent(IRegionUpdateTarget target, IRegionMapper? mapper, IReadOnlyCollection<string> names, CallerIdentity? caller = null)
    {
        IEnumerable<ManagedRegion> watched = names.Count > 0
            ? names.Select(Visible).OfType<ManagedRegion>()
            : mapper is null ? _catalog.All.Where(r => IsVisible(r) && (caller is null || _permissions.MaySee(caller, r.Snapshot))) : mapper.Registrations.Snapshot<ManagedRegion>();
        foreach (var region in watched)
        {
            _changes.Run(region, () =>
            {
                if (region.State is RegionState.Live or RegionState.ShrinkPending)
                {
                    region.Outbox.AddFor(target, new RegionUpdate(RegionUpdateKind.Current, region.Snapshot));
                }
            });
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _watch.Dispose();
        _recovery.Dispose();
        _retries.Dispose();
        foreach (var region in _catalog.All)
        {
            lock (region.Gate)
            {
                region.Shrink?.Timer?.Dispose();
            }
        }
    }

    /// <summary>Checks one region's file after a change was heard of.</summary>
    private void Guard(ManagedRegion? region)
    {
        if (region is not null)
        {
            _changes.Run(region, () => _guard.Check(region));
        }
    }

    /// <summary>Every region's file, after events were lost; and each orphan, whose last holder may have let go.</summary>
    private void Sweep()
    {
        foreach (var region in _catalog.Retired.Where(r => r.State == RegionState.Orphaned))
        {
            _changes.Run(region, () =>
            {
                if (!_lifecycle.TryFreeOrphan(region))
                {
                    _guard.Check(region);
                }
            });
        }
    }

    private static bool IsVisible(ManagedRegion region) => RegionCatalog.IsVisible(region);

    private static void RequireVisible(ManagedRegion region) => RegionCatalog.RequireVisible(region);

    private ManagedRegion? Visible(string name) => _catalog.Visible(name);
}
