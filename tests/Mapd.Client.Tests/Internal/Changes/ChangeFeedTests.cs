using Mapd.Client.Internal.Changes;

namespace Mapd.Client.Tests.Internal.Changes;

public sealed class ChangeFeedTests
{
    private readonly ChangeFeed _feed = new();

    [Fact]
    public async Task Handlers_see_changes_one_at_a_time_in_the_order_published()
    {
        const int Count = 2000;
        var seen = new List<ulong>();
        var inside = 0;
        var overlapped = false;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(RegionChange change)
        {
            overlapped |= Interlocked.Increment(ref inside) > 1;
            seen.Add(change.Generation);
            Interlocked.Decrement(ref inside);
            if (change.Generation == Count)
            {
                done.SetResult();
            }
        }

        for (var generation = 1UL; generation <= Count; generation++)
        {
            _feed.Publish(new RegionChange(RegionChangeKind.Grown, 4096, generation), Handler);
        }

        await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(overlapped);
        Assert.Equal(Enumerable.Range(1, Count).Select(g => (ulong)g), seen);
    }

    [Fact]
    public async Task A_change_published_while_a_handler_runs_waits_for_it()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstFinished = false;

        _feed.Publish(new RegionChange(RegionChangeKind.ShrinkPending, 1024, 2), _ =>
        {
            entered.SetResult();
            release.Task.Wait();
            firstFinished = true;
        });
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _feed.Publish(new RegionChange(RegionChangeKind.Shrunk, 1024, 2), _ => second.SetResult(firstFinished));
        var secondRanEarly = second.Task.IsCompleted;
        release.SetResult();

        Assert.False(secondRanEarly);
        Assert.True(await second.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Readers_get_every_change_from_when_they_subscribed_in_order_and_end_on_completion()
    {
        _feed.Publish(new RegionChange(RegionChangeKind.Grown, 1, 1), null);
        var reader = _feed.Subscribe(CancellationToken.None);
        _feed.Publish(new RegionChange(RegionChangeKind.Grown, 2, 2), null);
        _feed.Publish(new RegionChange(RegionChangeKind.ShrinkPending, 1, 3), null);
        _feed.Complete();
        _feed.Publish(new RegionChange(RegionChangeKind.Shrunk, 1, 3), null);

        var read = new List<ulong>();
        await foreach (var change in reader)
        {
            read.Add(change.Generation);
        }

        Assert.Equal([2UL, 3UL], read);
        Assert.Empty(await _feed.Subscribe(CancellationToken.None).ToListAsync());
    }
}
