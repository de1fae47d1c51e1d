namespace Mapd.Client.Internal.Tracking;

/// <summary>
/// One queue of work per region name: everything that changes a region's mappings (its watch
/// events, this process's own resizes, catching up after an open, re-attaching after a
/// restart) runs in the order it was queued, one item at a time, so the mappings and their
/// listeners see the region's generations in order. Regions proceed independently: a shrink
/// waiting for this process's leases on one region holds up no other. Work queued on an idle
/// region starts at once on the caller's thread, so a resize this process made is published
/// to new leases before its call returns.
/// </summary>
internal sealed class RegionEventQueue
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task> _tails = new(StringComparer.Ordinal);

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

    /// <summary>Queues <paramref name="work"/> behind the region's earlier work; the task completes when it ran.</summary>
    public Task Enqueue(string name, Func<Task> work)
    {
        // The tail is a placeholder that never faults, set under the lock so the order is the
        // order of calls; the work itself starts outside the lock.
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (_gate)
        {
            previous = _tails.GetValueOrDefault(name) ?? Task.CompletedTask;
            _tails[name] = done.Task;
        }

        var running = RunAfterAsync(previous, work);
        _ = FinishAsync(name, running, done);
        return running;
    }

    private static async Task RunAfterAsync(Task previous, Func<Task> work)
    {
        if (!previous.IsCompleted)
        {
            await previous;
        }

        await work();
    }

    private async Task FinishAsync(string name, Task running, TaskCompletionSource done)
    {
        await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_gate)
        {
            if (_tails.TryGetValue(name, out var tail) && tail == done.Task)
            {
                _tails.Remove(name);
            }
        }

        done.SetResult();
    }
}
