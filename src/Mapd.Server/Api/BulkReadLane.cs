using System.Collections.Concurrent;
using Mapd.Native;

namespace Mapd.Server.Api;

/// <summary>
/// One thread under <c>SCHED_IDLE</c> for replies whose cost grows with the number of regions
/// (a List of everything, from a catalog larger than a page). The reply is built there, and so is its serialisation: the call's
/// continuation runs on the thread that completes it. Opens, resizes and closes on ordinary
/// threads preempt it the moment they wake, so a loop of large Lists takes only the CPU they
/// leave instead of delaying them by a scheduler slice (nice 19 still let it finish its slice);
/// with nothing else to do, it runs at full speed.
/// </summary>
public sealed class BulkReadLane : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread _thread;

    /// <summary>Starts the lane's thread.</summary>
    public BulkReadLane()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "mapd bulk reads" };
        _thread.Start();
    }

    /// <summary>
    /// Runs <paramref name="read"/> on the lane. The task completes on the lane's thread, so what
    /// awaits it (the reply's serialisation) runs there too.
    /// </summary>
    public Task<T> RunAsync<T>(Func<T> read, CancellationToken cancellationToken)
    {
        // Continuations run inline on purpose: see the summary.
        var result = new TaskCompletionSource<T>(TaskCreationOptions.None);
        void Work()
        {
            if (cancellationToken.IsCancellationRequested)
            {
                result.TrySetCanceled(cancellationToken);
                return;
            }

            T value;
            try
            {
                value = read();
            }
            catch (Exception e)
            {
                result.TrySetException(e);
                return;
            }

            result.TrySetResult(value);
        }

        try
        {
            _work.Add(Work, CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // Disposed: the daemon is stopping; read on the caller's thread rather than fail.
            return Task.FromResult(read());
        }

        return result.Task;
    }

    /// <inheritdoc />
    public void Dispose() => _work.CompleteAdding();

    private void Run()
    {
        try
        {
            ThreadScheduling.SetIdlePolicyForCurrentThread();
        }
        catch (SystemCallException)
        {
            // A sandbox that forbids sched_setscheduler leaves the lane an ordinary thread: slower opens beside Lists, nothing worse.
        }

        foreach (var work in _work.GetConsumingEnumerable())
        {
            work();
        }
    }
}
