namespace Mapd.Server.Api.Wire;

/// <summary>
/// Lets a peer (a uid and pid) be logged at most once per <see cref="Interval"/>, and counts what
/// it held back so the next line can say so. A client that sends garbage in a loop costs one log
/// line a second, not one per call. The table is bounded: a flood of pids shares one entry
/// (<see cref="Crowd"/>) once it is full of recent peers.
/// </summary>
internal sealed class PeerLogLimiter(TimeProvider time, int capacity = PeerLogLimiter.DefaultCapacity)
{
    /// <summary>How many peers are tracked one by one.</summary>
    public const int DefaultCapacity = 1024;

    /// <summary>The shared entry of peers beyond the capacity.</summary>
    public static readonly (uint Uid, int Pid) Crowd = (uint.MaxValue, -1);

    private readonly Dictionary<(uint Uid, int Pid), Entry> _peers = [];
    private long _lastSweep = long.MinValue;

    /// <summary>The shortest time between two lines about one peer.</summary>
    public static TimeSpan Interval { get; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// True when a line about <paramref name="peer"/> may be written now; then
    /// <paramref name="heldBack"/> is how many were held back since its last line.
    /// </summary>
    public bool TryLog((uint Uid, int Pid) peer, out int heldBack)
    {
        var now = time.GetTimestamp();
        lock (_peers)
        {
            if (!_peers.TryGetValue(peer, out var entry))
            {
                if (_peers.Count >= capacity && !Sweep(now))
                {
                    peer = Crowd;
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
