using System.Globalization;

namespace Mapd.Testing;

/// <summary>What the kernel says about the calling thread's scheduling, read from <c>/proc</c> rather than through the code under test.</summary>
public static class SchedulingPolicy
{
    /// <summary>SCHED_OTHER, the default policy.</summary>
    public const int Other = 0;

    /// <summary>SCHED_IDLE: runs only when nothing else wants the CPU.</summary>
    public const int Idle = 5;

    /// <summary>Field 41 (policy) of <c>/proc/thread-self/stat</c>, counted after the parenthesised command name.</summary>
    public static int OfCurrentThread()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[38], CultureInfo.InvariantCulture);
    }
}
