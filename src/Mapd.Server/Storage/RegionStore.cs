using Google.Protobuf.WellKnownTypes;
using Mapd.Native;
using Mapd.Protocol.V1;
using Mapd.Server.Grace;
using Mapd.Server.Telemetry;
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
    private readonly RegionEvents _events;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RegionEntry> _regions = new(StringComparer.Ordinal);

    // Files of deleted regions found in trash/ at start-up: a mapper from before the restart may
    // still use one, so each holds its capacity until the recovery window ends.
    private readonly List<RegionEntry> _recoveredTrash = [];
    private readonly Dictionary<IRegionMapper, HashSet<RegionEntry>> _byMapper = new(ReferenceEqualityComparer.Instance);
    private ITimer? _recoveryTimer;
    private long _reserved;

    /// <summary>Creates the store over <paramref name="storage"/>; call <see cref="Recover"/> before use.</summary>
    public RegionStore(StorageRoot storage, RegionPermissions permissions, RegionStoreLimits limits, RegionEvents events, ILogger<RegionStore> logger, TimeProvider time)
    {
        _storage = storage;
        _permissions = permissions;
        _events = events;
        _logger = logger;
        _time = time;
        MaxRegionSize = limits.MaxRegionSize > 0 ? Math.Min(limits.MaxRegionSize, storage.Capacity) : storage.Capacity;
        MaxRegions = limits.MaxRegions;
        GraceTimeout = limits.GraceTimeout;
    }

    /// <summary>How long a shrink waits for its mappers before the daemon punches a hole over the tail.</summary>
    public TimeSpan GraceTimeout { get; }

    /// <summary>Shrinks waiting for their mappers.</summary>
    public int PendingShrinks
    {
        get
        {
            lock (_gate)
            {
                return _regions.Values.Count(e => e.Shrink is not null);
            }
        }
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
    /// longer than its metadata (a grow that never answered) is cut back. Nobody's mappings are
    /// known after a restart, so for <paramref name="recoveryWindow"/> deleted files in
    /// <c>trash/</c> keep counting against capacity and pending shrinks wait, while sessions
    /// come back and re-open what they map.
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
                // Only a regular file with no metadata at all is a create that never answered;
                // anything else (unreadable metadata, a directory) is left for an operator.
                if (!_regions.ContainsKey(fileName)
                    && _storage.Metadata.TryStat(MetadataName(fileName)) is null
                    && _storage.Regions.TryStat(fileName) is { IsRegularFile: true })
                {
                    _storage.Regions.Unlink(fileName);
                    Log.OrphanRemoved(_logger, _storage.Regions.Join(fileName));
                }
            }

            foreach (var fileName in _storage.Trash.ListNames())
            {
                var status = _storage.Trash.TryStat(fileName);
                if (status is not { IsRegularFile: true })
                {
                    continue;
                }

                var record = new RegionRecord(fileName, (ulong)status.Value.Size, 0, 0, 0, 0, 0, _time.GetUtcNow());
                var entry = new RegionEntry(record, fileName) { Deleted = true };
                _recoveredTrash.Add(entry);
                _reserved += entry.AccountedBytes;
            }

            var shrinks = PendingShrinks;
            if (_recoveredTrash.Count > 0 || shrinks > 0)
            {
                _recoveryTimer = _time.CreateTimer(_ => EndRecovery(), null, recoveryWindow, Timeout.InfiniteTimeSpan);
            }

            Log.Recovered(_logger, _regions.Count, _reserved, _storage.Capacity, _recoveredTrash.Count, shrinks);
        }
    }

    /// <summary>Every region, by name.</summary>
    public IReadOnlyList<Region> List() => List(string.Empty, 0, string.Empty).Regions;

    /// <summary>
    /// The regions whose names start with <paramref name="prefix"/>, in name order, after
    /// <paramref name="after"/> (a name, or empty for the first page), at most
    /// <paramref name="pageSize"/> of them (0: all). <c>Next</c> is the name to continue after,
    /// or empty on the last page.
    /// </summary>
    public (IReadOnlyList<Region> Regions, string Next) List(string prefix, int pageSize, string after)
    {
        if (prefix.Length > 0 && RegionName.ValidatePrefix(prefix) is { } badPrefix)
        {
            throw RegionErrors.Invalid(badPrefix);
        }

        if (after.Length > 0 && RegionName.Validate(after) is not null)
        {
            throw RegionErrors.Invalid("page_token is not one this daemon handed out; pass the next_page_token of the previous reply, or none to start over");
        }

        lock (_gate)
        {
            var matching = _regions.Values
                .Where(e => e.Record.Name.StartsWith(prefix, StringComparison.Ordinal) && string.CompareOrdinal(e.Record.Name, after) > 0)
                .OrderBy(e => e.Record.Name, StringComparer.Ordinal);
            var page = (pageSize > 0 ? matching.Take(pageSize + 1) : matching).Select(e => Describe(e, detailed: false)).ToList();
            if (pageSize > 0 && page.Count > pageSize)
            {
                page.RemoveAt(pageSize);
                return (page, page[^1].Name);
            }

            return (page, string.Empty);
        }
    }

    /// <summary>The names of the regions <paramref name="mapper"/> maps.</summary>
    public IReadOnlyList<string> RegionsOf(IRegionMapper mapper)
    {
        lock (_gate)
        {
            return _byMapper.TryGetValue(mapper, out var entries) ? [.. entries.Select(e => e.Record.Name).Order(StringComparer.Ordinal)] : [];
        }
    }

    /// <summary>One region with its mappers and pending grace; NOT_FOUND when absent.</summary>
    public Region Get(string name)
    {
        CheckName(name);
        lock (_gate)
        {
            return Describe(Find(name), detailed: true);
        }
    }

    /// <summary>
    /// Creates a region owned by <paramref name="caller"/>, mapped by <paramref name="mapper"/>,
    /// and returns a read-write descriptor for it. The caller owns the descriptor.
    /// </summary>
    public (Region Region, DescriptorLoan Descriptor) Create(string name, ulong size, uint mode, ulong maxSize, CallerIdentity caller, IRegionMapper mapper)
    {
        CheckName(name);
        CheckSize(size);
        if (mode > 0b111_111_111)
        {
            throw RegionErrors.Invalid($"mode {Convert.ToString(mode, 8)} is not a permission mask; use octal bits up to 0777, e.g. 0640 (0 means 0600)");
        }

        if (maxSize != 0 && maxSize < size)
        {
            throw RegionErrors.Invalid($"max_size {maxSize} is below size {size}; give the largest size the region may grow to, or 0 for no hint");
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

            var record = new RegionRecord(name, size, 1, caller.Uid, caller.Gid, mode == 0 ? 0b110_000_000 : mode, 0, _time.GetUtcNow(), maxSize);
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

            var entry = new RegionEntry(record, name) { ReadWriteDescriptor = fd };
            _regions.Add(name, entry);
            _reserved += accounted;
            AddMapper(entry, mapper);
            Log.Created(_logger, name, size, caller.Uid, caller.Pid, _reserved, _storage.Capacity);
            return (Describe(entry, detailed: false), new DescriptorLoan(fd));
        }
    }

    /// <summary>
    /// Opens a region for <paramref name="mapper"/> if <paramref name="caller"/> has permission,
    /// returning an O_RDONLY or O_RDWR descriptor that the caller owns. While a shrink is
    /// pending the reply carries <c>pending_size</c>, and the opener maps only that much.
    /// </summary>
    public (Region Region, DescriptorLoan Descriptor) Open(string name, bool writable, CallerIdentity caller, IRegionMapper mapper)
    {
        CheckName(name);
        lock (_gate)
        {
            var entry = Find(name);
            if (!_permissions.MayOpen(caller, entry.Record, writable))
            {
                var record = entry.Record;
                throw RegionErrors.Denied(
                    $"uid {caller.Uid} may not open region '{name}' {(writable ? "read-write" : "read-only")}: it belongs to uid {record.OwnerUid} gid {record.Gid} with mode {PermissionMode.Format(record.Mode)}; ask its owner to widen the mode or open it read-only");
            }

            var fd = writable ? WritableDescriptor(entry) : entry.ReadOnlyDescriptor ??= _storage.Regions.OpenFile(entry.FileName, writable: false);
            var loan = new DescriptorLoan(fd);
            AddMapper(entry, mapper);

            // After a restart, a returning session may still map the old tail: it must release too.
            if (entry.Shrink is { Recovering: true } shrink)
            {
                shrink.Waiting.Add(mapper);
            }

            return (Describe(entry, detailed: false), loan);
        }
    }

    /// <summary>
    /// Resizes a region. Resizes of one region apply one at a time in arrival order; one that
    /// arrives while a shrink is pending waits for it (bounded by <paramref name="cancellationToken"/>).
    /// A grow is committed (file extended, metadata persisted, RESIZED sent) before this returns.
    /// A shrink is announced (SHRINK_PENDING, <c>pending_size</c> set) and commits once every
    /// session that mapped the region has released, or ended.
    /// </summary>
    public async Task<Region> ResizeAsync(string name, ulong size, ulong expectedGeneration, CallerIdentity caller, CancellationToken cancellationToken)
    {
        CheckName(name);
        CheckSize(size);
        var requestedAt = _time.GetTimestamp();
        RegionEntry entry;
        lock (_gate)
        {
            entry = Find(name);
            CheckMayResize(caller, entry);
        }

        try
        {
            await entry.ResizeGate.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.DeadlineExceeded,
                $"region '{name}' is still busy with an earlier resize (a shrink waits for its mappers; see 'mapctl stat {name}'); retry with a longer deadline"));
        }

        var holdsGate = true;
        try
        {
            lock (_gate)
            {
                if (entry.Deleted)
                {
                    throw RegionErrors.NotFound(name);
                }

                var record = entry.Record;
                if (expectedGeneration != 0 && expectedGeneration != record.Generation)
                {
                    throw RegionErrors.Precondition($"region '{name}' is at generation {record.Generation}, not {expectedGeneration}; read it again (Get) and retry with the current generation");
                }

                if (size == record.Size)
                {
                    return Describe(entry, detailed: false);
                }

                if (size > record.Size)
                {
                    Grow(entry, size, caller);
                    MapdMetrics.ResizeCommitted("grow", _time.GetElapsedTime(requestedAt));
                }
                else
                {
                    Shrink(entry, size, caller, requestedAt, ref holdsGate);
                }

                return Describe(entry, detailed: false);
            }
        }
        finally
        {
            if (holdsGate)
            {
                entry.ResizeGate.Release();
            }
        }
    }

    /// <summary>
    /// Records that <paramref name="mapper"/> applied <paramref name="generation"/> of region
    /// <paramref name="name"/>: it maps nothing past that generation's size. This is the grace
    /// acknowledgement a pending shrink waits for.
    /// </summary>
    public void Release(string name, ulong generation, IRegionMapper mapper)
    {
        CheckName(name);
        lock (_gate)
        {
            var entry = MappedBy(mapper, name)
                ?? throw RegionErrors.NotOpen(name, "release");
            if (generation > entry.Record.Generation)
            {
                throw RegionErrors.Invalid($"generation {generation} is newer than region '{name}''s generation {entry.Record.Generation}; release a generation you were told about");
            }

            var state = entry.Mappers[mapper];
            state.Generation = Math.Max(state.Generation, generation);
            if (entry.Shrink is { } shrink && generation >= shrink.Generation && shrink.Waiting.Remove(mapper))
            {
                TryCommit(entry);
            }
        }
    }

    /// <summary>
    /// Subscribes a Watch stream and queues a CURRENT event for each watched region, atomically
    /// with the subscription, so the watcher starts in sync. A name that does not exist is
    /// NOT_FOUND: a watch of a typo would otherwise wait forever in silence.
    /// </summary>
    public RegionEvents.Subscription Watch(IRegionMapper? mapper, IReadOnlyCollection<string> names)
    {
        foreach (var name in names)
        {
            CheckName(name);
        }

        lock (_gate)
        {
            if (names.FirstOrDefault(n => !_regions.ContainsKey(n)) is { } missing)
            {
                throw RegionErrors.NotFound(missing);
            }

            var subscription = _events.Subscribe(mapper, names);
            IEnumerable<RegionEntry> current = names.Count > 0
                ? names.Select(n => _regions.GetValueOrDefault(n)).OfType<RegionEntry>()
                : mapper is null ? _regions.Values : _byMapper.GetValueOrDefault(mapper)?.Where(e => !e.Deleted) ?? [];
            foreach (var entry in current)
            {
                subscription.Deliver(new RegionEvent { Region = Describe(entry, detailed: false), Kind = RegionEvent.Types.Kind.Current });
            }

            return subscription;
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
            entry.CloseDescriptors();
            if (entry.Shrink is { } shrink)
            {
                // Nobody can open it any more; its file is freed whole when the last mapper leaves.
                EndShrink(entry, shrink);
            }

            Log.Deleted(_logger, name, caller.Uid, caller.Pid, entry.Mappers.Count);
            _events.Publish(Describe(entry, detailed: false), RegionEvent.Types.Kind.Deleted, entry.Mappers.Keys);
            if (entry.Mappers.Count == 0)
            {
                Purge(entry);
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
            var entry = MappedBy(mapper, name)
                ?? throw RegionErrors.NotOpen(name, "close");
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
            if (MappedBy(mapper, name) is { } entry)
            {
                RemoveMapper(entry, mapper);
                if (created && !entry.Deleted && entry.Mappers.Count == 0)
                {
                    _storage.Metadata.Unlink(MetadataName(name));
                    _storage.Regions.Unlink(entry.FileName);
                    _regions.Remove(name);
                    _reserved -= entry.AccountedBytes;
                    entry.CloseDescriptors();
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _recoveryTimer?.Dispose();
            foreach (var entry in _regions.Values)
            {
                entry.Shrink?.Timer?.Dispose();
                entry.CloseDescriptors();
            }
        }
    }

    private static string MetadataName(string name) => name + ".json";

    private FileDescriptor WritableDescriptor(RegionEntry entry) =>
        entry.ReadWriteDescriptor ??= _storage.Regions.OpenFile(entry.FileName, writable: true);

    private void Grow(RegionEntry entry, ulong size, CallerIdentity caller)
    {
        var record = entry.Record;
        var additional = RegionEntry.Accounted(size) - entry.AccountedBytes;
        CheckCapacity(Math.Max(additional, 0), $"grow region '{record.Name}' to {size} bytes");
        // A crash between here and Persist leaves the file longer than its metadata; Recover cuts it back.
        Files.Truncate(WritableDescriptor(entry), (long)size, _storage.Regions.Join(entry.FileName));

        var grown = record with { Size = size, Generation = record.Generation + 1 };
        Persist(grown);
        entry.Record = grown;
        _reserved += Math.Max(additional, 0);
        Log.Grown(_logger, record.Name, record.Size, size, grown.Generation, caller.Uid, caller.Pid);
        _events.Publish(Describe(entry, detailed: false), RegionEvent.Types.Kind.Resized, entry.Mappers.Keys);
    }

    /// <summary>
    /// Announces a shrink and commits it at once if nobody maps the region. Once announced the
    /// shrink owns the resize gate (<paramref name="holdsGate"/> turns false): its commit lets the next resize in.
    /// </summary>
    private void Shrink(RegionEntry entry, ulong size, CallerIdentity caller, long requestedAt, ref bool holdsGate)
    {
        var record = entry.Record;
        var announced = record with { PendingSize = size, Generation = record.Generation + 1 };
        Persist(announced);
        entry.Record = announced;
        holdsGate = false;
        var shrink = new ShrinkGrace(announced.Generation, size, _time.GetUtcNow(), requestedAt, recovering: false);
        foreach (var mapper in entry.Mappers.Keys)
        {
            shrink.Waiting.Add(mapper);
        }

        entry.Shrink = shrink;
        Log.ShrinkAnnounced(_logger, record.Name, record.Size, size, announced.Generation, shrink.Waiting.Count, caller.Uid, caller.Pid);
        if (shrink.CanCommit)
        {
            TryCommit(entry);
            return;
        }

        StartGrace(shrink);
        AwaitReleases(entry, shrink);
    }

    /// <summary>Tells the mappers to release and arms the grace timeout.</summary>
    private void AwaitReleases(RegionEntry entry, ShrinkGrace shrink)
    {
        _events.Publish(Describe(entry, detailed: false), RegionEvent.Types.Kind.ShrinkPending, entry.Mappers.Keys);
        shrink.Timer = _time.CreateTimer(_ => GraceExpired(entry, shrink), null, GraceTimeout, Timeout.InfiniteTimeSpan);
    }

    private static void StartGrace(ShrinkGrace shrink)
    {
        shrink.GraceCounted = true;
        MapdMetrics.GraceStarted();
    }

    private void EndGrace(ShrinkGrace shrink)
    {
        if (shrink.GraceCounted)
        {
            shrink.GraceCounted = false;
            MapdMetrics.GraceEnded(_time.GetUtcNow() - shrink.Since);
        }
    }

    /// <summary>Truncates once nobody can still map the tail: every waiting session released or ended.</summary>
    private void TryCommit(RegionEntry entry)
    {
        if (entry.Shrink is not { CanCommit: true } shrink || entry.Deleted)
        {
            return;
        }

        var before = entry.AccountedBytes;
        var committed = entry.Record with { Size = shrink.Target, PendingSize = 0 };

        // Metadata first: a crash after it leaves a file longer than its metadata, which Recover cuts back.
        Persist(committed);
        Files.Truncate(WritableDescriptor(entry), (long)shrink.Target, _storage.Regions.Join(entry.FileName));

        entry.Record = committed;
        EndShrink(entry, shrink);
        MapdMetrics.ResizeCommitted("shrink", _time.GetElapsedTime(shrink.RequestedAt));
        _reserved -= before - entry.AccountedBytes;
        Log.ShrinkCommitted(_logger, committed.Name, shrink.Target, committed.Generation, (_time.GetUtcNow() - shrink.Since).TotalMilliseconds, shrink.HolePunched);
        _events.Publish(Describe(entry, detailed: false), RegionEvent.Types.Kind.Resized, entry.Mappers.Keys);
    }

    /// <summary>
    /// A pending shrink is over, committed or its region deleted: stop its timer, uncount it,
    /// and let the next resize of the region in (it waits for this store's lock to act).
    /// </summary>
    private void EndShrink(RegionEntry entry, ShrinkGrace shrink)
    {
        entry.Shrink = null;
        shrink.Timer?.Dispose();
        EndGrace(shrink);
        entry.ResizeGate.Release();
    }

    /// <summary>
    /// Some mapper did not release in time. Truncating now could SIGBUS it, so give the tail's
    /// memory back with a hole instead (the size stays) and name who blocks.
    /// </summary>
    private void GraceExpired(RegionEntry entry, ShrinkGrace shrink)
    {
        lock (_gate)
        {
            if (entry.Shrink != shrink || entry.Deleted)
            {
                return;
            }

            // The file keeps its size until the commit: no resize runs while a shrink is pending.
            var offset = RegionEntry.Accounted(shrink.Target);
            var length = (long)entry.Record.Size - offset;
            if (length > 0)
            {
                Files.PunchHole(WritableDescriptor(entry), offset, length, _storage.Regions.Join(entry.FileName));
            }

            shrink.HolePunched = true;
            var blockers = string.Join(", ", shrink.Waiting.Select(m => $"pid {m.Pid} uid {m.Uid} at generation {entry.Mappers.GetValueOrDefault(m)?.Generation}"));
            Log.GraceExpired(_logger, entry.Record.Name, shrink.Generation, GraceTimeout.TotalSeconds, length, blockers);
        }
    }

    private void EndRecovery()
    {
        lock (_gate)
        {
            // The timer firing is what ends the window; the wall clock may have stepped meanwhile.
            foreach (var entry in _recoveredTrash)
            {
                Purge(entry);
            }

            _recoveredTrash.Clear();

            foreach (var entry in _regions.Values.Where(e => e.Shrink is { Recovering: true }).ToList())
            {
                var shrink = entry.Shrink!;
                shrink.Recovering = false;
                if (shrink.CanCommit)
                {
                    TryCommit(entry);
                }
                else
                {
                    AwaitReleases(entry, shrink);
                }
            }

            Log.RecoveryEnded(_logger);
        }
    }

    private void Persist(RegionRecord record) =>
        _storage.Metadata.WriteFileAtomically(MetadataName(record.Name), record.ToJson(), FileMode);

    private RegionEntry Find(string name) =>
        _regions.TryGetValue(name, out var entry) ? entry : throw RegionErrors.NotFound(name);

    private RegionEntry? MappedBy(IRegionMapper mapper, string name) =>
        _byMapper.TryGetValue(mapper, out var entries)
            ? entries.FirstOrDefault(e => e.Record.Name == name && !e.Deleted) ?? entries.FirstOrDefault(e => e.Record.Name == name)
            : null;

    private void CheckMayResize(CallerIdentity caller, RegionEntry entry)
    {
        if (!_permissions.MayOpen(caller, entry.Record, writable: true))
        {
            throw RegionErrors.Denied($"uid {caller.Uid} may not resize region '{entry.Record.Name}': resizing needs write permission (mode {PermissionMode.Format(entry.Record.Mode)}, owner uid {entry.Record.OwnerUid})");
        }
    }

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
        entry.Mappers.TryAdd(mapper, new MapperState(_time.GetUtcNow(), entry.Record.Generation));
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

        if (entry.Shrink is { } shrink && shrink.Waiting.Remove(mapper))
        {
            TryCommit(entry);
        }

        if (entry.Deleted && entry.Mappers.Count == 0)
        {
            Purge(entry);
        }
    }

    private void Purge(RegionEntry entry)
    {
        _storage.Trash.Unlink(entry.FileName);
        _reserved -= entry.AccountedBytes;
        Log.Purged(_logger, entry.Record.Name, entry.AccountedBytes);
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
            // Longer: a grow crashed between ftruncate and persisting, so nobody was told the new
            // size; or a shrink crashed between persisting and ftruncate, and its metadata already
            // says the new size. Shorter: only tampering does that; growing back avoids SIGBUS.
            using var fd = _storage.Regions.OpenFile(record.Name, writable: true);
            Files.Truncate(fd, (long)record.Size, _storage.Regions.Join(record.Name));
            Log.SizeRepaired(_logger, record.Name, status.Value.Size, record.Size);
        }

        var entry = new RegionEntry(record, record.Name);
        if (record.PendingSize != 0)
        {
            entry.Shrink = new ShrinkGrace(record.Generation, record.PendingSize, _time.GetUtcNow(), _time.GetTimestamp(), recovering: true);
            entry.ResizeGate.Wait(0);
            StartGrace(entry.Shrink);
        }

        _regions.Add(record.Name, entry);
        _reserved += entry.AccountedBytes;
    }

    private static Region Describe(RegionEntry entry, bool detailed)
    {
        var r = entry.Record;
        var region = new Region
        {
            Name = r.Name,
            Size = r.Size,
            Generation = r.Generation,
            OwnerUid = r.OwnerUid,
            Gid = r.Gid,
            Mode = r.Mode,
            PendingSize = r.PendingSize,
            CreatedAt = Timestamp.FromDateTimeOffset(r.CreatedAt),
            Mappers = (uint)entry.Mappers.Count,
            MaxSize = r.MaxSize,
        };
        if (entry.Shrink is { } shrink)
        {
            region.PendingShrink = new Protocol.V1.PendingShrink
            {
                Generation = shrink.Generation,
                Since = Timestamp.FromDateTimeOffset(shrink.Since),
                HolePunched = shrink.HolePunched,
                Recovering = shrink.Recovering,
            };
        }

        if (detailed)
        {
            region.MapperDetails.AddRange(entry.Mappers.Select(m => new Mapper
            {
                Pid = (uint)m.Key.Pid,
                Uid = m.Key.Uid,
                Generation = m.Value.Generation,
                Since = Timestamp.FromDateTimeOffset(m.Value.Since),
                Blocking = entry.Shrink?.Waiting.Contains(m.Key) ?? false,
            }));
        }

        return region;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Recovered {Count} regions taking {Reserved} of {Capacity} bytes; {Trash} deleted files and {Shrinks} pending shrinks wait for the recovery window")]
        public static partial void Recovered(ILogger logger, int count, long reserved, long capacity, int trash, int shrinks);

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

        [LoggerMessage(9, LogLevel.Information, "Grew region {Name} from {From} to {To} bytes (generation {Generation}) for uid {Uid} pid {Pid}")]
        public static partial void Grown(ILogger logger, string name, ulong from, ulong to, ulong generation, uint uid, int pid);

        [LoggerMessage(10, LogLevel.Information, "Shrink of region {Name} from {From} to {To} bytes announced (generation {Generation}); waiting for {Waiting} sessions; for uid {Uid} pid {Pid}")]
        public static partial void ShrinkAnnounced(ILogger logger, string name, ulong from, ulong to, ulong generation, int waiting, uint uid, int pid);

        [LoggerMessage(11, LogLevel.Information, "Shrink of region {Name} to {To} bytes committed (generation {Generation}) after {Milliseconds} ms; hole punched before: {HolePunched}")]
        public static partial void ShrinkCommitted(ILogger logger, string name, ulong to, ulong generation, double milliseconds, bool holePunched);

        [LoggerMessage(12, LogLevel.Warning, "Shrink of region {Name} (generation {Generation}) still waits after {Seconds} s (Mapd:Grace:Timeout); punched a hole over the {Bytes}-byte tail to give its memory back; the truncate waits for: {Blockers}")]
        public static partial void GraceExpired(ILogger logger, string name, ulong generation, double seconds, long bytes, string blockers);

        [LoggerMessage(13, LogLevel.Information, "Recovery window ended; held deletes and shrinks proceed")]
        public static partial void RecoveryEnded(ILogger logger);
    }
}
