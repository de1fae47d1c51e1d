using Mapd.Server.Errors;
using Mapd.Server.Peers;
using Mapd.Server.Storage;

namespace Mapd.Server.Regions;

/// <summary>
/// Who maps which region: a session opens a region (and gets its descriptor), releases the tail
/// of a shrink, closes it, or ends. A mapper is registered atomically with its session being
/// alive (see <see cref="MapperRegistrations"/>), so none is ever left behind.
/// </summary>
public sealed class RegionMappings
{
    private readonly RegionCatalog _catalog;
    private readonly RegionChanges _changes;
    private readonly RegionLifecycle _lifecycle;
    private readonly ShrinkLifecycle _shrinks;
    private readonly LengthGuard _guard;
    private readonly RegionPermissions _permissions;

    internal RegionMappings(RegionCatalog catalog, RegionChanges changes, RegionLifecycle lifecycle, ShrinkLifecycle shrinks, LengthGuard guard, RegionPermissions permissions)
    {
        _guard = guard;
        _catalog = catalog;
        _changes = changes;
        _lifecycle = lifecycle;
        _shrinks = shrinks;
        _permissions = permissions;
    }

    /// <summary>
    /// Opens a region for <paramref name="mapper"/> if <paramref name="caller"/> has permission,
    /// lending an O_RDONLY or O_RDWR descriptor. While a shrink is pending the snapshot carries
    /// <c>pending_size</c>, and the opener maps only that much.
    /// </summary>
    public (RegionSnapshot Region, DescriptorLoan Descriptor) Open(string name, bool writable, CallerIdentity caller, IRegionMapper mapper, ulong handoffId = 0)
    {
        RegionRules.CheckName(name);
        var region = _catalog.Visible(name) ?? throw RefusedException.NotFound(name);
        return _changes.Run(region, () =>
        {
            RegionCatalog.RequireVisible(region);
            var record = region.Record;
            if (!_permissions.MayOpen(caller, record, writable))
            {
                throw RefusedException.Denied(
                    $"uid {caller.Uid} may not open region '{name}' {(writable ? "read-write" : "read-only")}: it belongs to uid {record.OwnerUid} gid {record.Gid} with mode {PermissionMode.Format(record.Mode)}; ask its owner to widen the mode or open it read-only");
            }

            var loan = _changes.Lend(region, writable);
            try
            {
                // Nobody gets a descriptor of a file whose length someone else has just changed.
                _guard.Check(region, loan.Descriptor);
                _lifecycle.AddMapper(region, mapper, handoffId, writable);
            }
            catch
            {
                loan.Dispose();
                throw;
            }

            return (region.Snapshot, loan);
        });
    }

    /// <summary>
    /// Records that <paramref name="mapper"/> applied <paramref name="generation"/> of region
    /// <paramref name="name"/>: it maps nothing past that generation's size. This is the grace
    /// acknowledgement a pending shrink waits for.
    /// </summary>
    public void Release(string name, ulong generation, IRegionMapper mapper)
    {
        RegionRules.CheckName(name);
        var region = MappedBy(mapper, name) ?? throw RefusedException.NotOpen(name, "release");
        _changes.Run(region, () =>
        {
            if (!region.Mappers.ContainsKey(mapper))
            {
                throw RefusedException.NotOpen(name, "release");
            }

            if (generation > region.Record.Generation)
            {
                throw RefusedException.Invalid($"generation {generation} is newer than region '{name}''s generation {region.Record.Generation}; release a generation you were told about");
            }

            _shrinks.Release(region, mapper, generation);
        });
    }

    /// <summary>Records that <paramref name="mapper"/> no longer maps region <paramref name="name"/>; NOT_FOUND when it had not opened it.</summary>
    public void Close(string name, IRegionMapper mapper)
    {
        RegionRules.CheckName(name);
        var region = MappedBy(mapper, name) ?? throw RefusedException.NotOpen(name, "close");
        _changes.Run(region, () =>
        {
            if (!region.Mappers.ContainsKey(mapper))
            {
                throw RefusedException.NotOpen(name, "close");
            }

            _lifecycle.RemoveMapper(region, mapper);
        });
    }

    /// <summary>
    /// A CLOSE from the session socket: like <see cref="Close"/>, unless the session opened the
    /// region again after the open whose descriptor <paramref name="handoffId"/> named (that open
    /// overtook this CLOSE on the other socket and stands). Returns whether it closed.
    /// </summary>
    public bool CloseUnlessReopened(string name, ulong handoffId, IRegionMapper mapper)
    {
        RegionRules.CheckName(name);
        var region = MappedBy(mapper, name) ?? throw RefusedException.NotOpen(name, "close");
        return _changes.Run(region, () =>
        {
            if (!region.Mappers.TryGetValue(mapper, out var state))
            {
                throw RefusedException.NotOpen(name, "close");
            }

            if (state.LastHandoff > handoffId)
            {
                return false;
            }

            _lifecycle.RemoveMapper(region, mapper);
            return true;
        });
    }

    /// <summary>Forgets everything <paramref name="mapper"/> mapped (its session ended); it can register nothing from now on.</summary>
    public void RemoveMapper(IRegionMapper mapper)
    {
        foreach (var region in mapper.Registrations.End<ManagedRegion>())
        {
            _changes.Run(region, () => _lifecycle.RemoveMapper(region, mapper));
        }
    }

    /// <summary>Undoes the mapping recorded by a Create or Open whose descriptor never reached the client.</summary>
    public void AbandonOpen(string name, IRegionMapper mapper, bool created)
    {
        if (MappedBy(mapper, name) is not { } region)
        {
            return;
        }

        _changes.Run(region, () =>
        {
            _lifecycle.RemoveMapper(region, mapper);
            if (created && region.State == RegionState.Live && region.Mappers.Count == 0)
            {
                _lifecycle.Undo(region);
            }
        });
    }

    /// <summary>The names of the regions <paramref name="mapper"/> maps (deleted ones included until it lets go).</summary>
    public IReadOnlyList<string> RegionsOf(IRegionMapper mapper) =>
        [.. mapper.Registrations.Snapshot<ManagedRegion>().Select(r => r.Name).Order(StringComparer.Ordinal)];

    /// <summary>The region named <paramref name="name"/> that <paramref name="mapper"/> maps: the live one first, else a deleted one it still holds.</summary>
    private ManagedRegion? MappedBy(IRegionMapper mapper, string name) =>
        _catalog.Find(name) is { } named && mapper.Registrations.Contains(named)
            ? named
            : mapper.Registrations.Snapshot<ManagedRegion>().FirstOrDefault(r => r.Name == name);
}
