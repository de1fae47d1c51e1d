namespace Mapd.Server.Peers;

/// <summary>
/// Lets a warning about a peer through at most once per interval per uid, counting what it held
/// back, so a flood of refused connections from one uid costs the log one line a second rather
/// than one per attempt, and another uid's line is never held back by it.
/// </summary>
public sealed class PeerLogThrottle(TimeProvider time, TimeSpan interval)
{
    // Forgetting quiet uids keeps the table small however many uids come and go.
    private const int Prune = 1024;
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, (long Last, int Held)> _byUid = [];

    /// <summary>How many uids the throttle remembers now.</summary>
    internal int Tracked
    {
        get
        {
            lock (_gate)
            {
                return _byUid.Count;
            }
        }
    }

    /// <summary>
    /// True when a line about <paramref name="uid"/> may be written now; then
    /// <paramref name="heldBack"/> is how many were held back since the last one.
    /// </summary>
    public bool ShouldLog(uint uid, out int heldBack)
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            if (_byUid.TryGetValue(uid, out var entry) && time.GetElapsedTime(entry.Last, now) < interval)
            {
                _byUid[uid] = (entry.Last, entry.Held + 1);
                heldBack = 0;
                return false;
            }

            if (_byUid.Count >= Prune)
            {
                foreach (var quiet in _byUid.Where(e => time.GetElapsedTime(e.Value.Last, now) >= interval).Select(e => e.Key).ToList())
                {
                    _byUid.Remove(quiet);
                }

                if (_byUid.Count >= Prune)
                {
                    // That many uids at once: forgetting costs a few extra lines, never memory.
                    _byUid.Clear();
                }
            }

            heldBack = entry.Held;
            _byUid[uid] = (now, 0);
            return true;
        }
    }
}
