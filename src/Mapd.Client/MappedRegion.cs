using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Mapd.Client.Internal;
using Mapd.Native;
using Mapd.Protocol.V1;

namespace Mapd.Client;

/// <summary>
/// A region mapped into this process (<c>MAP_SHARED|MAP_NORESERVE</c>, 2 MiB-aligned, inside an
/// address range reserved so it can grow in place). Read and write it through
/// <see cref="AcquireLease"/>. When the region is resized by anyone, the mapping follows:
/// grows in place or remaps elsewhere without copying, and on a shrink stops handing out the
/// tail, waits for older leases, unmaps the tail and releases it to the daemon. Disposing tells
/// the daemon this session no longer maps it and unmaps once the last lease ends.
/// </summary>
public sealed class MappedRegion : IDisposable, IAsyncDisposable
{
    private readonly MapdClient _client;
    private readonly FileDescriptor _descriptor;
    private readonly SemaphoreSlim _applyGate = new(1, 1);
    private readonly Lock _publishGate = new();
    private readonly List<MappingView> _retired = [];
    private readonly List<Channel<RegionChange>> _watchers = [];
    private readonly ulong _maxSizeHint;
    private MappingView _current;
    private ulong _applied;
    private int _disposed;

    private MappedRegion(MapdClient client, RegionInfo info, RegionAccess access, FileDescriptor descriptor, MappingView view, ulong maxSizeHint)
    {
        _client = client;
        Info = info;
        Access = access;
        _descriptor = descriptor;
        _current = view;
        _applied = info.Generation;
        _maxSizeHint = maxSizeHint;
    }

    /// <summary>Raised (on a thread-pool thread) after this process applied a change.</summary>
    public event EventHandler<RegionChange>? Changed;

    /// <summary>The region name.</summary>
    public string Name => Info.Name;

    /// <summary>What the daemon said about the region when it was opened.</summary>
    public RegionInfo Info { get; }

    /// <summary>How it was opened.</summary>
    public RegionAccess Access { get; }

    /// <summary>Bytes new leases may touch now.</summary>
    public long Size => Volatile.Read(ref _current).Length;

    /// <summary>The generation new leases see.</summary>
    public ulong Generation => Volatile.Read(ref _current).Generation;

    /// <summary>Bytes of address space reserved at the current address; the region grows in place up to this.</summary>
    public long ReservedSize => Volatile.Read(ref _current).Owner.Mapping.ReservedLength;

    /// <summary>
    /// The region's file descriptor (O_RDONLY for read-only opens). Owned by this object: do
    /// not close it, and do not use it after disposing the region.
    /// </summary>
    public FileDescriptor Descriptor => _descriptor;

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The newest generation this mapping has fully applied.</summary>
    internal ulong AppliedGeneration => Volatile.Read(ref _applied);

    /// <summary>
    /// Takes a lease on the current mapping. Costs two uncontended interlocked operations on a
    /// per-CPU counter: no cache line is shared by all readers.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public RegionLease AcquireLease()
    {
        while (true)
        {
            var view = Volatile.Read(ref _current);
            var slot = view.TryEnter();
            if (slot >= 0)
            {
                return new RegionLease(view, slot);
            }

            ObjectDisposedException.ThrowIf(IsDisposed, this);
        }
    }

    /// <summary>
    /// Resizes the region. A grow is applied to this mapping before this returns; a shrink
    /// returns once announced, and this mapping stops handing out the tail at once.
    /// </summary>
    /// <param name="size">The new size in bytes.</param>
    /// <param name="expectedGeneration">Compare-and-set: fail unless the region is at this generation; 0 = any.</param>
    /// <param name="cancellationToken">Cancels the wait (a resize waits for an earlier pending shrink).</param>
    public async Task<RegionInfo> ResizeAsync(long size, ulong expectedGeneration = 0, CancellationToken cancellationToken = default)
    {
        var region = await _client.ResizeCoreAsync(Name, size, expectedGeneration, cancellationToken);
        var applying = _client.ApplyAndReleaseAsync(Name, region, RegionEvent.Types.Kind.Resized);

        // A shrink finishes here only once this process's own leases end, which may include the caller's.
        if (region.PendingSize == 0)
        {
            await applying;
        }

        return RegionInfo.From(region);
    }

    /// <summary>
    /// The changes this process applies from this call on (not from the first
    /// <c>MoveNextAsync</c>), until <paramref name="cancellationToken"/> or disposal. Changes
    /// queue up until read: enumerate what you ask for.
    /// </summary>
    public IAsyncEnumerable<RegionChange> ChangesAsync(CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<RegionChange>(new UnboundedChannelOptions { SingleReader = true });
        lock (_watchers)
        {
            if (IsDisposed)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _watchers.Add(channel);
            }
        }

        return ReadChangesAsync(channel, cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!MarkDisposed())
        {
            return;
        }

        _client.Forget(this);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private async IAsyncEnumerable<RegionChange> ReadChangesAsync(Channel<RegionChange> channel, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return change;
            }
        }
        finally
        {
            lock (_watchers)
            {
                _watchers.Remove(channel);
            }
        }
    }

    internal static MappedRegion Map(MapdClient client, FileDescriptor descriptor, Region region, RegionAccess access, MapdClientOptions options)
    {
        var info = RegionInfo.From(region);
        var length = MappedLength(region);
        var mapping = MemoryMapping.MapShared(descriptor, length, access == RegionAccess.ReadWrite, Reservation(length, region.MaxSize, options), $"region '{info.Name}'");
        var view = new MappingView(new MappingOwner(mapping), length, region.Generation);
        return new MappedRegion(client, info, access, descriptor, view, region.MaxSize);
    }

    internal static RegionAccess FromProtocol(Access access) => access == Protocol.V1.Access.ReadOnly ? RegionAccess.ReadOnly : RegionAccess.ReadWrite;

    /// <summary>
    /// Brings the mapping to <paramref name="region"/>'s state if it is newer than what was
    /// applied (<see cref="AppliedGeneration"/> then says so). Calls for one region run one at a
    /// time; the caller sends Release afterwards.
    /// </summary>
    internal async Task ApplyAsync(Region region, RegionEvent.Types.Kind kind)
    {
        await _applyGate.WaitAsync();
        try
        {
            if (IsDisposed)
            {
                return;
            }

            if (kind == RegionEvent.Types.Kind.Deleted)
            {
                Raise(new RegionChange(RegionChangeKind.Deleted, Size, _applied));
                return;
            }

            if (region.Generation > _applied)
            {
                await ApplyNewerAsync(region);
            }
        }
        catch (ObjectDisposedException) when (IsDisposed)
        {
        }
        finally
        {
            _applyGate.Release();
        }
    }

    private async Task ApplyNewerAsync(Region region)
    {
        var current = Volatile.Read(ref _current);
        var target = MappedLength(region);
        if (target > current.Length)
        {
            var moved = Grow(current, target, region.Generation);
            _applied = region.Generation;
            Raise(new RegionChange(RegionChangeKind.Grown, target, region.Generation, moved));
        }
        else if (target < current.Length)
        {
            await ShrinkAsync(current, target, region.Generation);
            _applied = region.Generation;
        }
        else
        {
            _applied = region.Generation;
            Publish(new MappingView(current.Owner, target, region.Generation), current);
        }
    }

    internal void Raise(RegionChange change)
    {
        lock (_watchers)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(change);
            }
        }

        if (Changed is { } handler)
        {
            ThreadPool.QueueUserWorkItem(_ => handler(this, change));
        }
    }

    /// <summary>Maps the smaller of the committed and pending sizes: a pending shrink's tail is never handed out.</summary>
    private static long MappedLength(Region region) =>
        checked((long)(region.PendingSize != 0 ? Math.Min(region.PendingSize, region.Size) : region.Size));

    private static long Reservation(long length, ulong maxSizeHint, MapdClientOptions options) =>
        maxSizeHint > 0
            ? Math.Max(length, (long)maxSizeHint)
            : Math.Max(length * options.ReservationFactor, Math.Max(length, options.MinimumReservation));

    private bool Grow(MappingView current, long target, ulong generation)
    {
        if (current.Owner.Mapping.TryGrowInPlace(_descriptor, target, $"region '{Name}'"))
        {
            Publish(new MappingView(current.Owner, target, generation), current);
            return false;
        }

        // No room at this address: map the file again elsewhere (no byte is copied), fault in what
        // was in use so the first readers there do not pay for it, publish, and let the old
        // mapping go once its last lease ends.
        var writable = Access == RegionAccess.ReadWrite;
        var mapping = MemoryMapping.MapShared(_descriptor, target, writable, Reservation(target, _maxSizeHint, _client.Options), $"region '{Name}'");
        if (_client.Options.PrefaultOnRemap)
        {
            mapping.Populate(current.Length, forWrite: writable);
        }

        Publish(new MappingView(new MappingOwner(mapping), target, generation), current);
        return true;
    }

    private async Task ShrinkAsync(MappingView current, long target, ulong generation)
    {
        Publish(new MappingView(current.Owner, target, generation), current);
        Raise(new RegionChange(RegionChangeKind.ShrinkPending, target, generation));

        // The in-process grace period: every lease on any older view may still touch the tail.
        Task[] draining;
        lock (_publishGate)
        {
            _retired.RemoveAll(v => v.Drained.IsCompleted);
            draining = [.. _retired.Select(v => v.Drained)];
        }

        await Task.WhenAll(draining);
        lock (_publishGate)
        {
            if (!IsDisposed)
            {
                Volatile.Read(ref _current).Owner.Mapping.ShrinkTo(target);
            }
        }

        Raise(new RegionChange(RegionChangeKind.Shrunk, target, generation));
    }

    private void Publish(MappingView next, MappingView previous)
    {
        lock (_publishGate)
        {
            if (IsDisposed)
            {
                next.Retire();
                return;
            }

            Volatile.Write(ref _current, next);
            _retired.Add(previous);
            previous.Retire();
        }
    }

    private bool MarkDisposed()
    {
        lock (_publishGate)
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return false;
            }

            Volatile.Read(ref _current).Retire();
        }

        lock (_watchers)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryComplete();
            }
        }

        // The descriptor goes now; mappings stay valid without it until their last lease ends.
        _descriptor.Dispose();
        return true;
    }
}
