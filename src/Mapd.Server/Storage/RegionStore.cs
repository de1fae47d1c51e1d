using Mapd.Native;
using Mapd.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Storage;

/// <summary>
/// The regions: their files, their persisted metadata, capacity accounting and who maps them.
/// Every change is made on disk before it is visible, in an order that a crash at any point
/// leaves recoverable (see <see cref="Recover"/>).
/// </summary>
public sealed partial class RegionStore : IDisposable
{
    private const uint FileMode = 0b110_000_000;
    private readonly StorageRoot _storage;
    private readonly RegionPermissions _permissions;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RegionEntry> _regions = new(StringComparer.Ordinal);
    private readonly List<RegionEntry> _retired = [];
    private readonly Dictionary<IRegionMapper, HashSet<RegionEntry>> _byMapper = new(ReferenceEqualityComparer.Instance);
    private ITimer? _holdTimer;
    private long _reserved;

    /// <summary>Creates the store over <paramref name="storage"/>; call <see cref="Recover"/> before use.</summary>
    public RegionStore(StorageRoot storage, RegionPermissions permissions, long maxRegionSize, int maxRegions, ILogger<RegionStore> logger, TimeProvider time)
    {
        _storage = storage;
        _permissions = permissions;
        _logger = logger;
        _time = time;
        MaxRegionSize = maxRegionSize > 0 ? Math.Min(maxRegionSize, storage.Capacity) : storage.Capacity;
        MaxRegions = maxRegions;
    }

    /// <summary>Bytes regions may take in total.</summary>
    public long Capacity => _storage.Capacity;

    /// <summary>The largest region allowed.</summary>
    public long MaxRegionSize { get; }

    /// <summary>The most regions allowed.</summary>
    public int MaxRegions { get; }

    /// <summary>Bytes taken by regions, including deleted ones still mapped.</summary>
    public long ReservedBytes
    {
        get
        {
            lock (_gate)
            {
                return _reserved;
            }
        }
    }

    /// <summary>Number of live regions.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _regions.Count;
            }
        }
    }

    /// <summary>
    /// Loads the regions left by the previous run and repairs what a crash may have left half
    /// done: a region file without metadata (a create that never answered) is removed; a file
    /// longer than its metadata (a grow that never answered) is cut back; deleted files still
    /// in <c>trash/</c> keep counting against capacity for <paramref name="recoveryWindow"/>,
    /// because processes from before the restart may still map them.
    /// </summary>
    public void Recover(TimeSpan recoveryWindow)
    {
        lock (_gate)
        {
            foreach (var metaName in _storage.Metadata.ListNames().Order(StringComparer.Ordinal))
            {
                RecoverMetadata(metaName);
            }

            foreach (var fileName in _storage.Regions.ListNames())
            {
                if (!_regions.ContainsKey(fileName))
                {
                    _storage.Regions.Unlink(fileName);
                    Log.OrphanRemoved(_logger, _storage.Regions.Join(fileName));
                }
            }

            var holdUntil = _time.GetUtcNow() + recoveryWindow;
            foreach (var fileName in _storage.Trash.ListNames())
            {
                var status = _storage.Trash.TryStat(fileName);
                if (status is not { IsRegularFile: true })
                {
                    continue;
                }

                var record = new RegionRecord(fileName, (ulong)status.Value.Size, 0, 0, 0, 0, 0, _time.GetUtcNow());
                var entry = new RegionEntry(record, fileName) { Deleted = true, HoldUntil = holdUntil };
                _retired.Add(entry);
                _reserved += entry.AccountedBytes;
            }

            if (_retired.Count > 0)
            {
                _holdTimer = _time.CreateTimer(_ => ReleaseHeldTrash(), null, recoveryWindow, Timeout.InfiniteTimeSpan);
            }

            Log.Recovered(_logger, _regions.Count, _reserved, _storage.Capacity, _retired.Count);
        }
    }

    /// <summary>Every region, by name.</summary>
    public IReadOnlyList<Region> List()
    {
        lock (_gate)
        {
            return [.. _regions.Values.OrderBy(e => e.Record.Name, StringComparer.Ordinal).Select(Describe)];
        }
    }

    /// <summary>One region; NOT_FOUND when absent.</summary>
    public Region Get(string name)
    {
        lock (_gate)
        {
            return Describe(Find(name));
        }
    }

    /// <summary>
    /// Creates a region owned by <paramref name="caller"/>, mapped by <paramref name="mapper"/>,
    /// and returns a read-write descriptor for it. The caller owns the descriptor.
    /// </summary>
    public (Region Region, FileDescriptor Descriptor) Create(string name, ulong size, uint mode, CallerIdentity caller, IRegionMapper mapper)
    {
        CheckName(name);
        CheckSize(size);
        if (mode > 0b111_111_111)
        {
            throw RegionErrors.Invalid($"mode {Convert.ToString(mode, 8)} is not a permission mask; use octal bits up to 0777, e.g. 0640 (0 means 0600)");
        }

        lock (_gate)
        {
            if (_regions.ContainsKey(name))
            {
                throw RegionErrors.AlreadyExists(name);
            }

            if (_regions.Count >= MaxRegions)
            {
                throw RegionErrors.Exhausted($"the daemon already holds {_regions.Count} regions (Mapd:Limits:MaxRegions = {MaxRegions}); delete unused regions or raise the limit");
            }

            var accounted = RegionEntry.Accounted(size);
            CheckCapacity(accounted, $"create region '{name}' of {size} bytes");

            var record = new RegionRecord(name, size, 1, caller.Uid, caller.Gid, mode == 0 ? 0b110_000_000 : mode, 0, _time.GetUtcNow());
            var fd = _storage.Regions.CreateFile(name, FileMode);
            try
            {
                Files.Truncate(fd, (long)size, _storage.Regions.Join(name));
                Persist(record);
            }
            catch
            {
                fd.Dispose();
                _storage.Regions.Unlink(name);
                throw;
            }

            var entry = new RegionEntry(record, name);
            _regions.Add(name, entry);
            _reserved += accounted;
            AddMapper(entry, mapper);
            Log.Created(_logger, name, size, caller.Uid, caller.Pid, _reserved, _storage.Capacity);
            return (Describe(entry), fd);
        }
    }

    /// <summary>
    /// Opens a region for <paramref name="mapper"/> if <paramref name="caller"/> has permission,
    /// returning an O_RDONLY or O_RDWR descriptor that the caller owns.
    /// </summary>
    public (Region Region, FileDescriptor Descriptor) Open(string name, bool writable, CallerIdentity caller, IRegionMapper mapper)
    {
        CheckName(name);
        lock (_gate)
        {
            var entry = Find(name);
            if (!_permissions.MayOpen(caller, entry.Record, writable))
            {
                var record = entry.Record;
                throw RegionErrors.Denied(
                    $"uid {caller.Uid} may not open region '{name}' {(writable ? "read-write" : "read-only")}: it belongs to uid {record.OwnerUid} gid {record.Gid} with mode {Convert.ToString(record.Mode, 8).PadLeft(4, '0')}; ask its owner to widen the mode or open it read-only");
            }

            var fd = _storage.Regions.OpenFile(entry.FileName, writable);
            AddMapper(entry, mapper);
            return (Describe(entry), fd);
        }
    }

    /// <summary>
    /// Removes the name at once. The file moves to <c>trash/</c> and keeps counting against
    /// capacity until its last mapper closes or dies.
    /// </summary>
    public void Delete(string name, CallerIdentity caller)
    {
        CheckName(name);
        lock (_gate)
        {
            var entry = Find(name);
            if (!_permissions.MayChange(caller, entry.Record))
            {
                throw RegionErrors.Denied($"uid {caller.Uid} may not delete region '{name}': only its owner (uid {entry.Record.OwnerUid}), root or the daemon's user may");
            }

            var status = _storage.Regions.TryStat(entry.FileName);
            var trashName = $"{name}.{status?.Inode ?? 0}";
            _storage.Regions.Rename(entry.FileName, _storage.Trash, trashName);
            _storage.Metadata.Unlink(MetadataName(name));
            _regions.Remove(name);
            entry.FileName = trashName;
            entry.Deleted = true;
            Log.Deleted(_logger, name, caller.Uid, caller.Pid, entry.Mappers.Count);
            if (entry.Mappers.Count == 0)
            {
                Purge(entry);
            }
            else
            {
                _retired.Add(entry);
            }
        }
    }

    /// <summary>
    /// Records that <paramref name="mapper"/> no longer maps region <paramref name="name"/>;
    /// NOT_FOUND when it had not opened it.
    /// </summary>
    public void Close(string name, IRegionMapper mapper)
    {
        CheckName(name);
        lock (_gate)
        {
            var entry = _byMapper.TryGetValue(mapper, out var entries)
                ? entries.FirstOrDefault(e => e.Record.Name == name && !e.Deleted) ?? entries.FirstOrDefault(e => e.Record.Name == name)
                : null;
            if (entry is null)
            {
                throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.NotFound, $"this session does not have region '{name}' open; nothing to close"));
            }

            RemoveMapper(entry, mapper);
        }
    }

    /// <summary>Forgets everything <paramref name="mapper"/> mapped (its session ended).</summary>
    public void RemoveMapper(IRegionMapper mapper)
    {
        lock (_gate)
        {
            if (!_byMapper.TryGetValue(mapper, out var entries))
            {
                return;
            }

            foreach (var entry in entries.ToList())
            {
                RemoveMapper(entry, mapper);
            }
        }
    }

    /// <summary>Undoes the mapping recorded by a Create or Open whose descriptor never reached the client.</summary>
    public void AbandonOpen(string name, IRegionMapper mapper, bool created)
    {
        lock (_gate)
        {
            if (_byMapper.TryGetValue(mapper, out var entries) && entries.FirstOrDefault(e => e.Record.Name == name) is { } entry)
            {
                RemoveMapper(entry, mapper);
                if (created && !entry.Deleted && entry.Mappers.Count == 0)
                {
                    _storage.Metadata.Unlink(MetadataName(name));
                    _storage.Regions.Unlink(entry.FileName);
                    _regions.Remove(name);
                    _reserved -= entry.AccountedBytes;
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _holdTimer?.Dispose();

    private static string MetadataName(string name) => name + ".json";

    private void Persist(RegionRecord record) =>
        _storage.Metadata.WriteFileAtomically(MetadataName(record.Name), record.ToJson(), FileMode);

    private RegionEntry Find(string name) =>
        _regions.TryGetValue(name, out var entry) ? entry : throw RegionErrors.NotFound(name);

    private static void CheckName(string name)
    {
        if (RegionName.Validate(name) is { } problem)
        {
            throw RegionErrors.Invalid(problem);
        }
    }

    private void CheckSize(ulong size)
    {
        if (size == 0)
        {
            throw RegionErrors.Invalid("size is 0; a region needs at least one byte (sizes take suffixes: 4K, 64M, 8G)");
        }

        if (size > (ulong)MaxRegionSize)
        {
            throw RegionErrors.Invalid($"size {size} bytes ({ByteSize.Format(size)}) is above the largest region allowed, {MaxRegionSize} bytes ({ByteSize.Format((ulong)MaxRegionSize)}); ask for less or raise Mapd:Limits:MaxRegionSize / Mapd:Storage:Size");
        }
    }

    private void CheckCapacity(long additional, string what)
    {
        if (_reserved + additional > _storage.Capacity)
        {
            var free = _storage.Capacity - _reserved;
            throw RegionErrors.Exhausted(
                $"cannot {what}: storage capacity is {ByteSize.Format((ulong)_storage.Capacity)} and {ByteSize.Format((ulong)_reserved)} is taken ({ByteSize.Format((ulong)Math.Max(free, 0))} free); delete or shrink regions, or raise Mapd:Storage:Size");
        }
    }

    private void AddMapper(RegionEntry entry, IRegionMapper mapper)
    {
        entry.Mappers.TryAdd(mapper, _time.GetUtcNow());
        if (!_byMapper.TryGetValue(mapper, out var entries))
        {
            _byMapper[mapper] = entries = new HashSet<RegionEntry>(ReferenceEqualityComparer.Instance);
        }

        entries.Add(entry);
    }

    private void RemoveMapper(RegionEntry entry, IRegionMapper mapper)
    {
        entry.Mappers.Remove(mapper);
        if (_byMapper.TryGetValue(mapper, out var entries))
        {
            entries.Remove(entry);
            if (entries.Count == 0)
            {
                _byMapper.Remove(mapper);
            }
        }

        if (entry.Deleted && entry.Mappers.Count == 0 && entry.HoldUntil is null)
        {
            _retired.Remove(entry);
            Purge(entry);
        }
    }

    private void Purge(RegionEntry entry)
    {
        _storage.Trash.Unlink(entry.FileName);
        _reserved -= entry.AccountedBytes;
        Log.Purged(_logger, entry.Record.Name, entry.AccountedBytes);
    }

    private void ReleaseHeldTrash()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            foreach (var entry in _retired.Where(e => e.HoldUntil <= now).ToList())
            {
                entry.HoldUntil = null;
                if (entry.Mappers.Count == 0)
                {
                    _retired.Remove(entry);
                    Purge(entry);
                }
            }
        }
    }

    private void RecoverMetadata(string metaName)
    {
        if (metaName.StartsWith('.'))
        {
            // A metadata write that crashed before its rename: the old file (if any) is intact.
            _storage.Metadata.Unlink(metaName);
            return;
        }

        RegionRecord record;
        try
        {
            record = RegionRecord.FromJson(_storage.Metadata.ReadFile(metaName));
        }
        catch (InvalidDataException e)
        {
            Log.BadMetadata(_logger, _storage.Metadata.Join(metaName), e.Message);
            return;
        }

        if (MetadataName(record.Name) != metaName || RegionName.Validate(record.Name) is not null)
        {
            Log.BadMetadata(_logger, _storage.Metadata.Join(metaName), $"it names region '{record.Name}'");
            return;
        }

        var status = _storage.Regions.TryStat(record.Name);
        if (status is null)
        {
            Log.MissingFile(_logger, record.Name, _storage.Regions.Join(record.Name));
            _storage.Metadata.Unlink(metaName);
            return;
        }

        if (!status.Value.IsRegularFile)
        {
            Log.BadMetadata(_logger, _storage.Regions.Join(record.Name), "it is not a regular file");
            return;
        }

        if (status.Value.Size != (long)record.Size)
        {
            // Longer: a grow crashed between ftruncate and persisting, so nobody was told the new size.
            // Shorter: only tampering does that; growing back is what keeps mappers from SIGBUS.
            using var fd = _storage.Regions.OpenFile(record.Name, writable: true);
            Files.Truncate(fd, (long)record.Size, _storage.Regions.Join(record.Name));
            Log.SizeRepaired(_logger, record.Name, status.Value.Size, record.Size);
        }

        var entry = new RegionEntry(record, record.Name);
        _regions.Add(record.Name, entry);
        _reserved += entry.AccountedBytes;
    }

    private static Region Describe(RegionEntry entry)
    {
        var r = entry.Record;
        return new Region
        {
            Name = r.Name,
            Size = r.Size,
            Generation = r.Generation,
            OwnerUid = r.OwnerUid,
            Gid = r.Gid,
            Mode = r.Mode,
            PendingSize = r.PendingSize,
            CreatedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(r.CreatedAt),
            Mappers = (uint)entry.Mappers.Count,
        };
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Recovered {Count} regions taking {Reserved} of {Capacity} bytes; {Trash} deleted files held for the recovery window")]
        public static partial void Recovered(ILogger logger, int count, long reserved, long capacity, int trash);

        [LoggerMessage(2, LogLevel.Warning, "Removed {Path}: a region file without metadata, left by a create that crashed before it answered")]
        public static partial void OrphanRemoved(ILogger logger, string path);

        [LoggerMessage(3, LogLevel.Error, "Skipped {Path}: {Problem}. Left in place for an operator to inspect")]
        public static partial void BadMetadata(ILogger logger, string path, string problem);

        [LoggerMessage(4, LogLevel.Error, "Region {Name} has metadata but no file at {Path}; dropped it")]
        public static partial void MissingFile(ILogger logger, string name, string path);

        [LoggerMessage(5, LogLevel.Warning, "Region {Name}: file was {Actual} bytes, metadata says {Expected}; set the file to the metadata size")]
        public static partial void SizeRepaired(ILogger logger, string name, long actual, ulong expected);

        [LoggerMessage(6, LogLevel.Information, "Created region {Name} of {Size} bytes for uid {Uid} pid {Pid}; {Reserved} of {Capacity} bytes taken")]
        public static partial void Created(ILogger logger, string name, ulong size, uint uid, int pid, long reserved, long capacity);

        [LoggerMessage(7, LogLevel.Information, "Deleted region {Name} for uid {Uid} pid {Pid}; {Mappers} sessions still map it")]
        public static partial void Deleted(ILogger logger, string name, uint uid, int pid, int mappers);

        [LoggerMessage(8, LogLevel.Information, "Freed the file of deleted region {Name} ({Bytes} bytes)")]
        public static partial void Purged(ILogger logger, string name, long bytes);
    }
}
