namespace Mapd.Client.Internal;

/// <summary>
/// One published generation of a region's mapping: an address range of a fixed length and the
/// leases on it. Once retired, new leases go to the newer view, and the view is drained by
/// whoever sees it idle last: the retirer or the final lease to end. Draining gives the view's
/// hold on its mapping back (unmapping it if no newer view shares it) and completes
/// <see cref="Drained"/>.
/// </summary>
internal sealed class MappingView
{
    private readonly LeaseCounter _leases = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _retired;
    private int _released;

    public MappingView(MappingOwner owner, long length, ulong generation)
    {
        Owner = owner;
        Length = length;
        Generation = generation;
        owner.AddView();
    }

    public MappingOwner Owner { get; }

    /// <summary>The first byte.</summary>
    public nint Address => Owner.Mapping.Address;

    /// <summary>Bytes a lease may touch: never more than is mapped.</summary>
    public long Length { get; }

    public ulong Generation { get; }

    /// <summary>Completes once retired and no lease is inside any more.</summary>
    public Task Drained => _drained.Task;

    /// <summary>Enters, or returns -1 if the view was retired meanwhile (the caller retries on the newer view).</summary>
    public int TryEnter()
    {
        var slot = _leases.Enter();
        if (!_retired)
        {
            return slot;
        }

        Exit(slot);
        return -1;
    }

    public void Exit(int slot)
    {
        _leases.Exit(slot);
        if (_retired)
        {
            TryDrain();
        }
    }

    /// <summary>Turns new leases away; the view drains as soon as the last lease ends.</summary>
    public void Retire()
    {
        _retired = true;

        // Pairs with the full fence of Enter: either the entrant sees _retired, or we see its count.
        Interlocked.MemoryBarrier();
        TryDrain();
    }

    private void TryDrain()
    {
        if (_leases.IsIdle() && Interlocked.Exchange(ref _released, 1) == 0)
        {
            Owner.ReleaseView();
            _drained.TrySetResult();
        }
    }
}
