using Mapd.Client.Internal.Tracking;

namespace Mapd.Client.Tests.Internal.Tracking;

public sealed class RegionEventQueueTests
{
    private readonly RegionEventQueue _queue = new();

    [Fact]
    public async Task Work_on_one_region_runs_in_order_one_item_at_a_time()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var order = new List<int>();
        var firstDoneWhenSecondStarted = false;
        var firstDone = false;

        var first = _queue.Enqueue("a", async () =>
        {
            await gate.Task;
            order.Add(1);
            firstDone = true;
        });
        var second = _queue.Enqueue("a", () =>
        {
            firstDoneWhenSecondStarted = firstDone;
            order.Add(2);
            return Task.CompletedTask;
        });
        var secondRanEarly = second.IsCompleted;
        gate.SetResult();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(secondRanEarly);
        Assert.True(firstDoneWhenSecondStarted);
        Assert.Equal([1, 2], order);
    }

    [Fact]
    public async Task A_region_waiting_on_its_work_holds_up_no_other()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocked = _queue.Enqueue("a", () => gate.Task);

        await _queue.Enqueue("b", () => Task.CompletedTask).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(blocked.IsCompleted);
        gate.SetResult();
        await blocked.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_failed_item_does_not_stop_the_ones_behind_it_and_its_caller_sees_the_failure()
    {
        var failing = _queue.Enqueue("a", () => throw new InvalidOperationException("apply failed"));
        var next = _queue.Enqueue("a", () => Task.CompletedTask);

        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        await next.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Work_on_an_idle_region_starts_before_Enqueue_returns()
    {
        var started = false;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var running = _queue.Enqueue("a", async () =>
        {
            started = true;
            await gate.Task;
        });

        Assert.True(started);
        Assert.False(running.IsCompleted);
        gate.SetResult();
    }

    [Fact]
    public async Task A_region_with_no_work_left_is_forgotten()
    {
        await _queue.Enqueue("a", () => Task.CompletedTask);

        for (var i = 0; _queue.Busy != 0 && i < 3000; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(0, _queue.Busy);
    }
}
