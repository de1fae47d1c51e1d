using Mapd.Native;
using Mapd.Server.Errors;
using Mapd.Server.Meters;

namespace Mapd.Server.Storage;

/// <summary>
/// Open region descriptors kept for the next open, at most <see cref="Capacity"/> of them
/// (least recently used goes first), so the daemon's descriptors stay within its budget however
/// many regions it serves. A miss reopens the file through its directory. Lent descriptors hold
/// a reference: evicting one only closes it once the loan ends.
/// </summary>
/// <remarks>Callers serialise per owner (the region's lock), so one owner is never opened twice at once.</remarks>
public sealed class DescriptorCache(int capacity) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(object Owner, bool Writable), LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = new();
    private bool _disposed;

    /// <summary>The most descriptors kept open.</summary>
    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "at least one descriptor");

    /// <summary>Descriptors kept open now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Lends <paramref name="owner"/>'s descriptor, opening it with <paramref name="open"/> on a
    /// miss. When the process is out of descriptors, closes the least recently used ones and
    /// tries once more; if that fails too, refuses this one request (RESOURCE_EXHAUSTED).
    /// </summary>
    public DescriptorLoan Lend(object owner, bool writable, Func<FileDescriptor> open)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue((owner, writable), out var hit))
            {
                _recency.Remove(hit);
                _recency.AddFirst(hit);
                return new DescriptorLoan(hit.Value.Descriptor);
            }
        }

        var opened = OpenOrShed(open);
        var loan = new DescriptorLoan(opened);
        Keep(owner, writable, opened);
        return loan;
    }

    /// <summary>Keeps a descriptor the caller opened (a created region's) for later loans; the cache owns it now.</summary>
    public void Keep(object owner, bool writable, FileDescriptor descriptor)
    {
        List<FileDescriptor> evicted = [];
        lock (_gate)
        {
            if (_disposed)
            {
                evicted.Add(descriptor);
            }
            else
            {
                if (_entries.Remove((owner, writable), out var previous))
                {
                    _recency.Remove(previous);
                    evicted.Add(previous.Value.Descriptor);
                }

                _entries[(owner, writable)] = _recency.AddFirst(new Entry(owner, writable, descriptor));
                while (_entries.Count > Capacity)
                {
                    evicted.Add(RemoveOldest());
                }
            }
        }

        Close(evicted);
    }

    /// <summary>Closes <paramref name="owner"/>'s descriptors (its region was deleted or undone); loans in flight keep theirs alive.</summary>
    public void Forget(object owner)
    {
        List<FileDescriptor> evicted = [];
        lock (_gate)
        {
            foreach (var writable in (ReadOnlySpan<bool>)[false, true])
            {
                if (_entries.Remove((owner, writable), out var node))
                {
                    _recency.Remove(node);
                    evicted.Add(node.Value.Descriptor);
                }
            }
        }

        Close(evicted);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        List<FileDescriptor> all;
        lock (_gate)
        {
            _disposed = true;
            all = [.. _recency.Select(e => e.Descriptor)];
            _entries.Clear();
            _recency.Clear();
        }

        Close(all);
    }

    private FileDescriptor OpenOrShed(Func<FileDescriptor> open)
    {
        try
        {
            return open();
        }
        catch (SystemCallException e) when (OpenFileLimit.IsExhaustion(e.Errno))
        {
            MapdMetrics.DescriptorsExhausted("open");
            Shed();
            try
            {
                return open();
            }
            catch (SystemCallException again) when (OpenFileLimit.IsExhaustion(again.Errno))
            {
                throw RefusedException.Exhausted(
                    $"mapd is out of file descriptors ({again.ErrnoName}) and could not open the region's file; retry shortly, and ask the operator to raise the daemon's LimitNOFILE or lower Mapd:Limits:MaxSessions / MaxConnections / MaxCachedDescriptors");
            }
        }
    }

    /// <summary>Closes the older half of the kept descriptors, to make room for the one being opened.</summary>
    private void Shed()
    {
        List<FileDescriptor> evicted = [];
        lock (_gate)
        {
            var keep = _entries.Count / 2;
            while (_entries.Count > keep)
            {
                evicted.Add(RemoveOldest());
            }
        }

        Close(evicted);
    }

    private FileDescriptor RemoveOldest()
    {
        var oldest = _recency.Last!;
        _recency.RemoveLast();
        _entries.Remove((oldest.Value.Owner, oldest.Value.Writable));
        return oldest.Value.Descriptor;
    }

    private static void Close(List<FileDescriptor> descriptors)
    {
        foreach (var descriptor in descriptors)
        {
            descriptor.Dispose();
        }
    }

    private sealed record Entry(object Owner, bool Writable, FileDescriptor Descriptor);
}
