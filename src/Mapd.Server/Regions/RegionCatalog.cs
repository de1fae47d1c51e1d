using System.Collections.Concurrent;
using Mapd.Server.Errors;
using Mapd.Server.Meters;
using Mapd.Server.Quotas;

namespace Mapd.Server.Regions;

/// <summary>
/// The region names: which region each names, in name order. Lookups and listings take no
/// lock; taking or freeing a name does, briefly (no I/O under it), so two creates of one name
/// cannot both win and the count never passes <see cref="MaxRegions"/>.
/// </summary>
internal sealed class RegionCatalog(int maxRegions)
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, ManagedRegion> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ManagedRegion, byte> _retired = new(ReferenceEqualityComparer.Instance);
    private string[] _sortedNames = [];

    /// <summary>The most names at once.</summary>
    public int MaxRegions { get; } = maxRegions;

    /// <summary>Names taken now (regions being created included).</summary>
    public int Count => _byName.Count;

    /// <summary>Every region with a name, in no order.</summary>
    public ICollection<ManagedRegion> All => _byName.Values;

    /// <summary>Regions whose name is gone but whose file is still held (deleted, or orphaned), in no order.</summary>
    public ICollection<ManagedRegion> Retired => _retired.Keys;

    /// <summary>Notes a region that lost its name but still holds capacity, until <see cref="Forget"/>.</summary>
    public void Retire(ManagedRegion region) => _retired.TryAdd(region, 0);

    /// <summary>Forgets a retired region whose file is gone.</summary>
    public void Forget(ManagedRegion region) => _retired.TryRemove(region, out _);

    /// <summary>The region named <paramref name="name"/>, in whatever state; null when none.</summary>
    public ManagedRegion? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The region named <paramref name="name"/> if others may see it (live, or shrinking); null otherwise.</summary>
    public ManagedRegion? Visible(string name) => Find(name) is { } region && IsVisible(region) ? region : null;

    /// <summary>True while others may see <paramref name="region"/>, by its latest snapshot (no lock).</summary>
    public static bool IsVisible(ManagedRegion region) => region.HasSnapshot && region.Snapshot.IsVisible;

    /// <summary>NOT_FOUND unless <paramref name="region"/> is live or shrinking (under its lock).</summary>
    public static void RequireVisible(ManagedRegion region)
    {
        if (region.State is not (RegionState.Live or RegionState.ShrinkPending))
        {
            throw RefusedException.NotFound(region.Name);
        }
    }

    /// <summary>
    /// Takes <paramref name="name"/> for a new region (state Creating); ALREADY_EXISTS when taken,
    /// RESOURCE_EXHAUSTED past <see cref="MaxRegions"/>.
    /// </summary>
    public ManagedRegion Take(string name)
    {
        lock (_gate)
        {
            if (_byName.ContainsKey(name))
            {
                throw RefusedException.AlreadyExists(name);
            }

            if (_byName.Count >= MaxRegions)
            {
                MapdMetrics.QuotaRefused("regions", QuotaScope.Total);
                throw RefusedException.Exhausted($"the daemon already holds {_byName.Count} regions (Mapd:Limits:MaxRegions = {MaxRegions}); delete unused regions or raise the limit");
            }

            var region = new ManagedRegion(name);
            Add(region);
            return region;
        }
    }

    /// <summary>Enters a region found at start-up.</summary>
    public void Restore(ManagedRegion region)
    {
        lock (_gate)
        {
            Add(region);
        }
    }

    /// <summary>Frees <paramref name="region"/>'s name (deleted, or its create undone); a newer region of the name is left alone.</summary>
    public void Remove(ManagedRegion region)
    {
        lock (_gate)
        {
            if (_byName.TryRemove(new KeyValuePair<string, ManagedRegion>(region.Name, region)))
            {
                var names = _sortedNames;
                var at = Array.BinarySearch(names, region.Name, StringComparer.Ordinal);
                Volatile.Write(ref _sortedNames, [.. names.AsSpan(0, at), .. names.AsSpan(at + 1)]);
            }
        }
    }

    /// <summary>
    /// The regions whose names start with <paramref name="prefix"/> and sort after
    /// <paramref name="after"/> (empty: from the first), in name order, that <paramref name="visible"/>
    /// accepts: at most <paramref name="pageSize"/> (0: all), and the name to continue after (empty
    /// when this is the last page).
    /// </summary>
    public (List<ManagedRegion> Page, string Next) Page(string prefix, int pageSize, string after, Func<ManagedRegion, bool> visible)
    {
        var names = Volatile.Read(ref _sortedNames);
        var start = after.CompareTo(prefix, StringComparison.Ordinal) >= 0 ? UpperBound(names, after) : LowerBound(names, prefix);
        var page = new List<ManagedRegion>(pageSize > 0 ? Math.Min(pageSize, 1024) : 16);
        for (var i = start; i < names.Length && names[i].StartsWith(prefix, StringComparison.Ordinal); i++)
        {
            if (_byName.TryGetValue(names[i], out var region) && visible(region))
            {
                if (pageSize > 0 && page.Count == pageSize)
                {
                    return (page, page[^1].Name);
                }

                page.Add(region);
            }
        }

        return (page, string.Empty);
    }

    private void Add(ManagedRegion region)
    {
        _byName[region.Name] = region;
        var names = _sortedNames;
        var at = ~Array.BinarySearch(names, region.Name, StringComparer.Ordinal);
        Volatile.Write(ref _sortedNames, [.. names.AsSpan(0, at), region.Name, .. names.AsSpan(at)]);
    }

    private static int LowerBound(string[] names, string value)
    {
        var at = Array.BinarySearch(names, value, StringComparer.Ordinal);
        return at >= 0 ? at : ~at;
    }

    private static int UpperBound(string[] names, string value)
    {
        var at = Array.BinarySearch(names, value, StringComparer.Ordinal);
        return at >= 0 ? at + 1 : ~at;
    }
}
