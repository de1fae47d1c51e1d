namespace Mapd.Server.Quotas;

/// <summary>One thing a uid holds under a <see cref="PeerQuota"/>; disposing it gives the room back, once.</summary>
public sealed class QuotaLease : IDisposable
{
    private readonly PeerQuota _quota;
    private int _released;

    internal QuotaLease(PeerQuota quota, uint uid, bool privileged)
    {
        _quota = quota;
        Uid = uid;
        Privileged = privileged;
    }

    /// <summary>The uid that holds it.</summary>
    public uint Uid { get; }

    /// <summary>True for root and the daemon's own uid.</summary>
    public bool Privileged { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _quota.Release(this);
        }
    }
}
