namespace Mapd.Server.Peers;

/// <summary>
/// Lets a line about a peer (a uid, or a uid and pid) through at most once per
/// <see cref="Interval"/> (a second), counting what it held back so the next line can say so: a client that
/// floods the daemon with bad requests or refused connections costs one line a second, and
/// another peer's line is never held back by it. The table is bounded: once it is full of peers
/// seen within the interval, newcomers share one entry, <paramref name="crowd"/>.
/// </summary>
/// <typeparam name="TPeer">What tells peers apart.</typeparam>
public sealed class PeerLogThrottle<TPeer>(TimeProvider time, TPeer crowd, int capacity = PeerLogThrottle<TPeer>.DefaultCapacity)
    where TPeer : notnull
{
    /// <summary>How many peers are tracked one by one.</summary>
    public const int DefaultCapacity = 1024;

    private readonly Dictionary<TPeer, Entry> _peers = [];
    private long _lastSweep = long.MinValue;

    /// <summary>The shortest time between two lines about one peer.</summary>
    public TimeSpan Interval { get; } = TimeSpan.FromSeconds(1);

    /// <summary>How many peers the throttle remembers now.</summary>
    internal int Tracked
    {
        get
        {
            lock (_peers)
            {
                return _peers.Count;
            }
        }
    }

    /// <summary>
    /// True when a line about <paramref name="peer"/> may be written now; then
    /// <paramref name="heldBack"/> is how many were held back since its last line.
    /// </summary>
    public bool TryLog(TPeer peer, out int heldBack)
    {
        var now = time.GetTimestamp();
        lock (_peers)
        {
            if (!_peers.TryGetValue(peer, out var entry))
            {
                if (_peers.Count >= capacity && !Sweep(now))
                {
                    peer = crowd;
                    _peers.TryGetValue(peer, out entry);
                }

                entry ??= new Entry { Last = long.MinValue };
                _peers[peer] = entry;
            }

            if (entry.Last != long.MinValue && time.GetElapsedTime(entry.Last, now) < Interval)
            {
                entry.HeldBack++;
                heldBack = 0;
                return false;
            }

            heldBack = entry.HeldBack;
            entry.HeldBack = 0;
            entry.Last = now;
            return true;
        }
    }

    /// <summary>Forgets peers not logged within the interval, at most once per interval; true when there is room.</summary>
    private bool Sweep(long now)
    {
        if (_lastSweep != long.MinValue && time.GetElapsedTime(_lastSweep, now) < Interval)
        {
            return false;
        }

        _lastSweep = now;
        foreach (var (peer, entry) in _peers.Where(p => time.GetElapsedTime(p.Value.Last, now) >= Interval).ToList())
        {
            _peers.Remove(peer);
        }

        return _peers.Count < capacity;
    }

    private sealed class Entry
    {
        public long Last { get; set; }

        public int HeldBack { get; set; }
    }
}
