using Mapd.Server.Errors;
using Mapd.Server.Meters;
using Mapd.Server.Quotas;

namespace Mapd.Server.Regions;

/// <summary>
/// Bytes regions take out of the storage: the sum of their grants (accounted sizes,
/// deleted-but-held regions included), never above <see cref="Capacity"/>, each owner within its
/// quota, and never more than the filesystem can still back. That last check is what the kernel
/// says, not what the ledger thinks: the free bytes statfs reports, minus the parts of existing
/// grants not yet filled, must hold the new grant; so metadata, deleted files still held open and
/// anything written outside the grants can never turn an admitted grant into SIGBUS.
/// </summary>
internal sealed class CapacityLedger(long capacity, RegionQuotas quotas, IStorageSpace space)
{
    // A change writes the region's metadata file: a page, and another for the temporary copy
    // written beside it, which the filesystem must hold besides the grant itself.
    internal const long MetadataPages = 2 * 4096;

    private readonly Lock _gate = new();
    private readonly Dictionary<uint, Usage> _owners = [];
    private long _reserved;

    /// <summary>Bytes regions may take in total.</summary>
    public long Capacity { get; } = capacity;

    /// <summary>Bytes granted now.</summary>
    public long Reserved => Volatile.Read(ref _reserved);

    /// <summary>Regions and bytes <paramref name="owner"/> holds now.</summary>
    public (int Regions, long Bytes) UsageOf(uint owner)
    {
        lock (_gate)
        {
            return _owners.TryGetValue(owner, out var usage) ? (usage.Regions, usage.Bytes) : (0, 0);
        }
    }

    /// <summary>
    /// Grants <paramref name="owner"/> <paramref name="regions"/> more regions and
    /// <paramref name="bytes"/> more bytes, or refuses (RESOURCE_EXHAUSTED) naming
    /// <paramref name="what"/> and the limit it met.
    /// </summary>
    public void Reserve(uint owner, int regions, long bytes, string what)
    {
        bytes = Math.Max(bytes, 0);
        lock (_gate)
        {
            var usage = _owners.GetValueOrDefault(owner);
            var quota = quotas.For(owner);
            var key = quotas.KeyFor(owner);
            if (regions > 0 && usage.Regions + regions > quota.Regions)
            {
                MapdMetrics.QuotaRefused("regions", QuotaScope.Uid);
                throw RefusedException.Exhausted(
                    $"cannot {what}: uid {owner} already owns {usage.Regions} regions ({key}Regions = {quota.Regions}); delete some of them, or ask the operator to raise the quota");
            }

            if (bytes > 0 && _reserved + bytes > Capacity)
            {
                MapdMetrics.QuotaRefused("bytes", QuotaScope.Total);
                var free = Math.Max(Capacity - _reserved, 0);
                throw RefusedException.Exhausted(
                    $"cannot {what}: storage capacity is {ByteSize.Format((ulong)Capacity)} and {ByteSize.Format((ulong)_reserved)} is taken ({ByteSize.Format((ulong)free)} free); delete or shrink regions, or raise Mapd:Storage:Size");
            }

            if (bytes > 0 && usage.Bytes + bytes > quota.Bytes)
            {
                MapdMetrics.QuotaRefused("bytes", QuotaScope.Uid);
                throw RefusedException.Exhausted(
                    $"cannot {what}: uid {owner}'s regions already take {ByteSize.Format((ulong)usage.Bytes)} ({key}Bytes = {ByteSize.Format((ulong)quota.Bytes)}); delete or shrink some of them, or ask the operator to raise the quota");
            }

            if (bytes > 0)
            {
                CheckFilesystem(bytes, what);
            }

            _reserved += bytes;
            _owners[owner] = new Usage(usage.Regions + regions, usage.Bytes + bytes);
        }
    }

    /// <summary>Counts what is granted already (found at start-up), even past capacity or quota.</summary>
    public void Restore(uint owner, int regions, long bytes)
    {
        lock (_gate)
        {
            var usage = _owners.GetValueOrDefault(owner);
            _reserved += bytes;
            _owners[owner] = new Usage(usage.Regions + regions, usage.Bytes + bytes);
        }
    }

    /// <summary>Gives back <paramref name="regions"/> regions and <paramref name="bytes"/> bytes of <paramref name="owner"/>'s.</summary>
    public void Release(uint owner, int regions, long bytes)
    {
        bytes = Math.Max(bytes, 0);
        lock (_gate)
        {
            var usage = _owners.GetValueOrDefault(owner);
            _reserved -= bytes;
            var left = new Usage(usage.Regions - regions, usage.Bytes - bytes);
            if (left is { Regions: <= 0, Bytes: <= 0 })
            {
                _owners.Remove(owner);
            }
            else
            {
                _owners[owner] = left;
            }
        }
    }

    /// <summary>
    /// The filesystem must hold the new grant besides the unfilled parts of the others. Cheap when
    /// there is room to spare (nothing filled assumed); exact (every region file's allocation
    /// read) only when it is close.
    /// </summary>
    private void CheckFilesystem(long bytes, string what)
    {
        bytes += MetadataPages;
        var free = space.FreeBytes();
        if (free - _reserved >= bytes)
        {
            return;
        }

        var unfilled = Math.Max(_reserved - space.FilledBytes(), 0);
        if (free - unfilled < bytes)
        {
            throw RefusedException.Exhausted(
                $"cannot {what}: the storage filesystem has {ByteSize.Format((ulong)Math.Max(free, 0))} free and {ByteSize.Format((ulong)unfilled)} of it is promised to regions granted already; files outside the grants (metadata, deleted regions still held open, writes outside mapd) take the rest. Delete or shrink regions, or give the tmpfs more room");
        }
    }

    private readonly record struct Usage(int Regions, long Bytes);
}
