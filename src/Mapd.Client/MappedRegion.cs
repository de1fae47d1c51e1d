using Mapd.Client.Internal;
using Mapd.Client.Internal.Changes;
using Mapd.Client.Internal.Tracking;
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
public sealed partial class MappedRegion : IDisposable, IAsyncDisposable
{
    private readonly IRegionHost _host;
    private readonly FileDescriptor _descriptor;
    private readonly ChangeFeed _changes = new();
    private MappingView _current;
    private int _disposed;

    private MappedRegion(IRegionHost host, RegionInfo info, RegionAccess access, FileDescriptor descriptor, MappingView view, ulong maxSizeHint)
    {
        _host = host;
        Info = info;
        Access = access;
        _descriptor = descriptor;
        _current = view;
        _applied = info.Generation;
        _maxSizeHint = maxSizeHint;
    }

    /// <summary>Raised (on a thread-pool thread, one change at a time, in the order applied) after this process applied a change.</summary>
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
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var region = await _host.ResizeAsync(Name, size, expectedGeneration, cancellationToken);
        var applying = _host.ApplyAsync(Name, region, RegionEvent.Types.Kind.Resized);

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
    public IAsyncEnumerable<RegionChange> ChangesAsync(CancellationToken cancellationToken = default) =>
        _changes.Subscribe(cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        if (!MarkDisposed())
        {
            return;
        }

        _host.Forget(this);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Maps a region the daemon handed over; the new object owns <paramref name="descriptor"/>.</summary>
    internal static MappedRegion Map(IRegionHost host, FileDescriptor descriptor, Region region, RegionAccess access)
    {
        var info = RegionInfo.From(region);
        var length = MappedLength(region);
        var mapping = host.Mapping.Map(descriptor, length, access == RegionAccess.ReadWrite, region.MaxSize, info.Name);
        var view = new MappingView(new MappingOwner(mapping), length, region.Generation);
        return new MappedRegion(host, info, access, descriptor, view, region.MaxSize);
    }

    internal static RegionAccess FromProtocol(Access access) => access == Protocol.V1.Access.ReadOnly ? RegionAccess.ReadOnly : RegionAccess.ReadWrite;

    /// <summary>Tells the listeners of this mapping about a change, after every change raised before it.</summary>
    internal void Raise(RegionChange change)
    {
        var handler = Changed;
        _changes.Publish(change, handler is null ? null : c => handler(this, c));
    }

    /// <summary>Maps the smaller of the committed and pending sizes: a pending shrink's tail is never handed out.</summary>
    private static long MappedLength(Region region) =>
        checked((long)(region.PendingSize != 0 ? Math.Min(region.PendingSize, region.Size) : region.Size));

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

        _changes.Complete();

        // The descriptor goes now; mappings stay valid without it until their last lease ends.
        _descriptor.Dispose();
        return true;
    }
}
