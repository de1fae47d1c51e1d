using Mapd.Client.Internal;

namespace Mapd.Client.Tests.Internal;

public sealed class LeaseCounterTests
{
    [Fact]
    public void A_new_counter_is_idle()
    {
        Assert.True(new LeaseCounter().IsIdle());
    }

    [Fact]
    public void Enter_makes_it_busy_and_the_matching_Exit_idle_again()
    {
        var counter = new LeaseCounter();

        var slot = counter.Enter();
        var busy = !counter.IsIdle();
        counter.Exit(slot);

        Assert.True(busy);
        Assert.True(counter.IsIdle());
    }

    [Fact]
    public void It_stays_busy_until_every_lease_has_exited()
    {
        var counter = new LeaseCounter();
        var first = counter.Enter();
        var second = counter.Enter();

        counter.Exit(first);
        var afterOne = counter.IsIdle();
        counter.Exit(second);

        Assert.False(afterOne);
        Assert.True(counter.IsIdle());
    }

    [Fact]
    public async Task A_lease_may_exit_on_another_thread_than_it_entered_on()
    {
        var counter = new LeaseCounter();
        var slot = await Task.Run(counter.Enter);

        await Task.Run(() => counter.Exit(slot));

        Assert.True(counter.IsIdle());
    }

    [Fact]
    public void Leases_held_on_many_threads_keep_it_busy_until_the_last_exits_elsewhere()
    {
        const int Threads = 16;
        var counter = new LeaseCounter();
        var slots = new int[Threads];
        using var entered = new Barrier(Threads + 1);
        var threads = Enumerable.Range(0, Threads).Select(i => new Thread(() =>
        {
            slots[i] = counter.Enter();
            entered.SignalAndWait();
        })).ToList();
        threads.ForEach(t => t.Start());
        entered.SignalAndWait();
        threads.ForEach(t => t.Join());

        var idleAfter = new List<bool>();
        foreach (var slot in slots)
        {
            idleAfter.Add(counter.IsIdle());
            counter.Exit(slot);
        }

        Assert.All(idleAfter, Assert.False);
        Assert.True(counter.IsIdle());
    }

    [Fact]
    public void Many_threads_entering_and_exiting_concurrently_leave_it_idle()
    {
        var counter = new LeaseCounter();
        var threads = Environment.ProcessorCount * 4;

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var slot = counter.Enter();
                if (i % 7 == 0)
                {
                    Thread.Yield();
                }

                counter.Exit(slot);
            }
        });

        Assert.True(counter.IsIdle());
    }
}
