using Mapd.Native.Internal;

namespace Mapd.Native;

/// <summary>The scheduling policy of the calling thread alone (Linux schedules threads, not processes).</summary>
public static class ThreadScheduling
{
    private const int SchedIdle = 5;

    /// <summary>
    /// Puts the calling thread under <c>SCHED_IDLE</c>: it runs only on CPU time no other thread
    /// wants, and any ordinary thread that wakes up preempts it at once (a low nice value still
    /// lets it finish its slice first). Needs no privilege; leaving the policy again does, so give
    /// it only to a thread that keeps it.
    /// </summary>
    public static unsafe void SetIdlePolicyForCurrentThread()
    {
        var tid = Libc.GetTid();
        var priority = 0;
        if (Libc.SchedSetScheduler(tid, SchedIdle, &priority) != 0)
        {
            throw SystemCallException.FromLastError("sched_setscheduler(SCHED_IDLE)", $"thread {tid}");
        }
    }
}
