using Mapd.Native;

namespace Mapd.Client.Internal;

/// <summary>
/// One published mapping of a region and the leases on it. Once retired, new leases go
/// elsewhere and the mapping is unmapped by whoever sees it idle last: the retirer, or the
/// final lease to end. Exactly one of them wins <see cref="_released"/>.
/// </summary>
internal sealed class MappingView(MemoryMapping mapping, long length, ulong generation)
{
    private readonly LeaseCounter _leases = new();
    private volatile bool _retired;
    private int _released;

    public MemoryMapping Mapping { get; } = mapping;

    /// <summary>Bytes a lease may touch: never more than is mapped.</summary>
    public long Length { get; } = length;

    public ulong Generation { get; } = generation;

    public bool IsRetired => _retired;

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
            TryRelease();
        }
    }

    /// <summary>Turns new leases away; the mapping is unmapped as soon as the last lease ends.</summary>
    public void Retire()
    {
        _retired = true;
        Interlocked.MemoryBarrier();
        TryRelease();
    }

    private void TryRelease()
    {
        if (_leases.IsIdle() && Interlocked.Exchange(ref _released, 1) == 0)
        {
            Mapping.Dispose();
        }
    }
}
