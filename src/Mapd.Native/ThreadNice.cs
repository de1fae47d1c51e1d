using Mapd.Native.Internal;

namespace Mapd.Native;

/// <summary>
/// The nice value of the calling thread alone (Linux schedules threads, so
/// <c>setpriority(PRIO_PROCESS, gettid())</c> touches no other thread of the process).
/// </summary>
public static class ThreadNice
{
    private const int PrioProcess = 0;

    /// <summary>
    /// Sets the calling thread's nice value to <paramref name="nice"/> (0 to 19). Raising it needs no
    /// privilege; lowering it again does, so give it only to a thread that keeps it.
    /// </summary>
    public static void SetForCurrentThread(int nice)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nice);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nice, 19);
        var tid = Libc.GetTid();
        if (Libc.SetPriority(PrioProcess, (uint)tid, nice) != 0)
        {
            throw SystemCallException.FromLastError("setpriority(PRIO_PROCESS)", $"thread {tid}, nice {nice}");
        }
    }
}
