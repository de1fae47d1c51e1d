using System.Globalization;

namespace Mapd.Native.Tests;

public sealed class ThreadSchedulingTests
{
    private const int SchedOther = 0;
    private const int SchedIdle = 5;

    [Fact]
    public void The_idle_policy_applies_to_the_calling_thread_and_no_other()
    {
        var before = PolicyOfThisThread();
        int? set = null;

        // A thread of its own: without privilege the policy never comes back.
        var thread = new Thread(() =>
        {
            ThreadScheduling.SetIdlePolicyForCurrentThread();
            set = PolicyOfThisThread();
        });
        thread.Start();
        thread.Join();

        Assert.Equal(SchedIdle, set);
        Assert.Equal(SchedOther, before);
        Assert.Equal(before, PolicyOfThisThread());
    }

    /// <summary>Field 41 (policy) of /proc/thread-self/stat, counted after the parenthesised command name.</summary>
    internal static int PolicyOfThisThread()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[38], CultureInfo.InvariantCulture);
    }
}
