using Mapd.Server.Api;
using Mapd.Testing;

namespace Mapd.Server.Tests.Api;

public sealed class BulkReadLaneTests : IDisposable
{
    private readonly BulkReadLane _lane = new();

    public void Dispose() => _lane.Dispose();

    [Fact]
    public async Task A_read_runs_on_the_lanes_thread_under_SCHED_IDLE()
    {
        var (thread, policy) = await _lane.RunAsync(() => (Thread.CurrentThread.Name, SchedulingPolicy.OfCurrentThread()), CancellationToken.None);

        Assert.Equal("mapd bulk reads", thread);
        Assert.Equal(SchedulingPolicy.Idle, policy);
    }

    [Fact]
    public async Task What_awaits_the_read_continues_on_the_lane_so_the_reply_is_serialised_there_too()
    {
        // The read waits until the continuation is attached, so it cannot find the task already complete.
        using var attached = new ManualResetEventSlim();
        var read = _lane.RunAsync(() => attached.Wait(TimeSpan.FromMinutes(1)), CancellationToken.None);
        var continuation = read.ContinueWith(_ => Thread.CurrentThread.Name, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        attached.Set();
        var continuedOn = await continuation;

        Assert.Equal("mapd bulk reads", continuedOn);
    }

    [Fact]
    public async Task A_failed_read_fails_its_task_and_the_lane_serves_on()
    {
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => _lane.RunAsync<int>(() => throw new InvalidOperationException("no"), CancellationToken.None));

        Assert.Equal("no", failed.Message);
        Assert.Equal(7, await _lane.RunAsync(() => 7, CancellationToken.None));
    }

    [Fact]
    public async Task A_call_cancelled_before_its_turn_is_not_read()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var read = false;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _lane.RunAsync(() => read = true, cancelled.Token));

        Assert.False(read);
    }

    [Fact]
    public async Task Reads_run_one_at_a_time_in_the_order_they_came()
    {
        var order = new List<int>();
        var reads = Enumerable.Range(0, 50).Select(i => _lane.RunAsync(() =>
        {
            order.Add(i);
            return i;
        }, CancellationToken.None)).ToArray();

        await Task.WhenAll(reads);

        Assert.Equal(Enumerable.Range(0, 50), order);
    }

    [Fact]
    public async Task After_dispose_a_read_runs_on_the_callers_thread()
    {
        _lane.Dispose();

        var thread = await _lane.RunAsync(() => Environment.CurrentManagedThreadId, CancellationToken.None);

        Assert.Equal(Environment.CurrentManagedThreadId, thread);
    }
}
