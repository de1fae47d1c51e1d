namespace Mapd.Client.Internal.Tracking;

/// <summary>
/// One queue of work per region name: everything that changes a region's mappings (its watch
/// events, this process's own resizes, catching up after an open, re-attaching after a
/// restart) runs in the order it was queued, one item at a time, so the mappings and their
/// listeners see the region's generations in order. Regions proceed independently: a shrink
/// waiting for this process's leases on one region holds up no other.
/// </summary>
internal sealed class RegionEventQueue
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task> _tails = new(StringComparer.Ordinal);

    /// <summary>Queues <paramref name="work"/> behind the region's earlier work; the task completes when it ran.</summary>
    public Task Enqueue(string name, Func<Task> work)
    {
        Task next;
        lock (_gate)
        {
            var previous = _tails.GetValueOrDefault(name) ?? Task.CompletedTask;
            next = RunAfterAsync(previous, work);
            _tails[name] = next;
        }

        _ = ForgetWhenDoneAsync(name, next);
        return next;
    }

    /// <summary>How many regions have work queued or running (for tests).</summary>
    public int Busy
    {
        get
        {
            lock (_gate)
            {
                return _tails.Count;
            }
        }
    }

    private static async Task RunAfterAsync(Task previous, Func<Task> work)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ForceYielding);
        await work();
    }

    private async Task ForgetWhenDoneAsync(string name, Task tail)
    {
        await tail.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_gate)
        {
            if (_tails.TryGetValue(name, out var current) && current == tail)
            {
                _tails.Remove(name);
            }
        }
    }
}
