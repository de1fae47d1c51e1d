using Mapd.Native;
using Mapd.Server.Meters;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Regions;

/// <summary>
/// Clean-up a region still owes after it failed for want of descriptors, memory or space:
/// freeing a deleted region's file, cutting a shrink nobody holds up any more, punching a
/// laggard's hole. Whoever set it off (a CLOSE, a session's end, a Release, a timer) is not
/// failed for it: that would end a session, leave its other regions mapped forever, or kill the
/// daemon from a timer. The work runs again under the region's lock, after 1 s and then backing
/// off to 30 s, until it no longer fails or is no longer owed. A region has at most one retry
/// due; a newer one replaces it, since it is what the region owes now.
/// </summary>
internal sealed class CleanupRetries(RegionChanges changes, TimeProvider time, ILogger logger) : IDisposable
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(30);
    private readonly Dictionary<ManagedRegion, Retry> _due = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>Regions with a retry due.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _due.Count;
            }
        }
    }

    /// <summary>
    /// Under <paramref name="region"/>'s lock, after <paramref name="what"/> failed with
    /// <paramref name="cause"/>: runs <paramref name="work"/> again later. The work checks
    /// again that it is still owed, and calls this again if it fails again.
    /// </summary>
    public void Schedule(ManagedRegion region, string what, IOException cause, Action work)
    {
        if (cause is SystemCallException { Errno: var errno } && OpenFileLimit.IsExhaustion(errno))
        {
            MapdMetrics.DescriptorsExhausted("cleanup");
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var attempt = 1;
            if (_due.Remove(region, out var earlier))
            {
                attempt = earlier.Attempt + 1;
                earlier.Timer.Dispose();
            }

            var delay = TimeSpan.FromTicks(Math.Min(First.Ticks << Math.Min(attempt - 1, 5), Longest.Ticks));
            var retry = new Retry(attempt);
            retry.Timer = time.CreateTimer(_ => Run(region, retry, work), null, delay, Timeout.InfiniteTimeSpan);
            _due[region] = retry;
            RegionLog.CleanupDeferred(logger, what, region.Name, cause.Message, delay.TotalSeconds);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var retry in _due.Values)
            {
                retry.Timer.Dispose();
            }

            _due.Clear();
        }
    }

    private void Run(ManagedRegion region, Retry retry, Action work)
    {
        try
        {
            changes.Run(region, () =>
            {
                lock (_gate)
                {
                    if (_disposed || !_due.TryGetValue(region, out var due) || due != retry)
                    {
                        return;
                    }
                }

                try
                {
                    work();
                }
                finally
                {
                    Forget(region, retry);
                }
            });
        }
        catch (Exception e)
        {
            // A timer's exception would end the process; this clean-up is lost instead, and said so.
            RegionLog.CleanupFailed(logger, region.Name, e);
        }
    }

    /// <summary>Drops <paramref name="retry"/> unless the work asked for a newer one: it succeeded, was no longer owed, or threw.</summary>
    private void Forget(ManagedRegion region, Retry retry)
    {
        lock (_gate)
        {
            if (_due.TryGetValue(region, out var due) && due == retry)
            {
                _due.Remove(region);
                retry.Timer.Dispose();
            }
        }
    }

    private sealed class Retry(int attempt)
    {
        public int Attempt { get; } = attempt;

        public ITimer Timer { get; set; } = null!;
    }
}
