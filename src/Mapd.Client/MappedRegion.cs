using Mapd.Client.Internal;
using Mapd.Native;
using Mapd.Protocol.V1;

namespace Mapd.Client;

/// <summary>
/// A region mapped into this process (<c>MAP_SHARED|MAP_NORESERVE</c>, 2 MiB-aligned). Read and
/// write it through <see cref="AcquireLease"/>. Disposing tells the daemon this session no
/// longer maps it and unmaps once the last lease ends.
/// </summary>
public sealed class MappedRegion : IDisposable, IAsyncDisposable
{
    private readonly MapdClient _client;
    private readonly FileDescriptor _descriptor;
    private readonly MappingView _current;
    private int _disposed;

    internal MappedRegion(MapdClient client, RegionInfo info, RegionAccess access, FileDescriptor descriptor, MappingView view)
    {
        _client = client;
        Info = info;
        Access = access;
        _descriptor = descriptor;
        _current = view;
    }

    /// <summary>The region name.</summary>
    public string Name => Info.Name;

    /// <summary>What the daemon said about the region when it was opened.</summary>
    public RegionInfo Info { get; }

    /// <summary>How it was opened.</summary>
    public RegionAccess Access { get; }

    /// <summary>Bytes mapped now.</summary>
    public long Size => _current.Length;

    /// <summary>The generation mapped now.</summary>
    public ulong Generation => _current.Generation;

    /// <summary>
    /// The region's file descriptor (O_RDONLY for read-only opens). Owned by this object: do
    /// not close it, and do not use it after disposing the region.
    /// </summary>
    public FileDescriptor Descriptor => _descriptor;

    /// <summary>Takes a lease on the current mapping.</summary>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public RegionLease AcquireLease()
    {
        while (true)
        {
            var view = _current;
            var slot = view.TryEnter();
            if (slot >= 0)
            {
                return new RegionLease(view, slot);
            }

            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _current.Retire();
        _descriptor.Dispose();
        _client.Forget(this);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _current.Retire();
        _descriptor.Dispose();
        await _client.ForgetAsync(this);
    }

    internal static MappingView Map(FileDescriptor descriptor, RegionInfo info, RegionAccess access)
    {
        var mapping = MemoryMapping.MapShared(descriptor, info.Size, access == RegionAccess.ReadWrite, what: $"region '{info.Name}'");
        return new MappingView(mapping, info.Size, info.Generation);
    }

    internal static RegionAccess FromProtocol(Access access) => access == Protocol.V1.Access.ReadOnly ? RegionAccess.ReadOnly : RegionAccess.ReadWrite;
}
