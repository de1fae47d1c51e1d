using Mapd.Testing;

namespace Mapd.Native.Tests;

public sealed class ThreadSchedulingTests
{
    [Fact]
    public void The_idle_policy_applies_to_the_calling_thread_and_no_other()
    {
        var before = SchedulingPolicy.OfCurrentThread();
        int? set = null;

        // A thread of its own: without privilege the policy never comes back.
        var thread = new Thread(() =>
        {
            ThreadScheduling.SetIdlePolicyForCurrentThread();
            set = SchedulingPolicy.OfCurrentThread();
        });
        thread.Start();
        thread.Join();

        Assert.Equal(SchedulingPolicy.Idle, set);
        Assert.Equal(SchedulingPolicy.Other, before);
        Assert.Equal(before, SchedulingPolicy.OfCurrentThread());
    }
}
