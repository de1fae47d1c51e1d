using Mapd.Server.Errors;
using Mapd.Server.Regions;
using Mapd.Server.Tests.Regions;
using Mapd.Server.Watches;

namespace Mapd.Server.Tests.Watches;

public sealed class WatchHubTests
{
    private static readonly RegionSnapshot A = new("a", RegionState.Live, 4096, 2, 0, 0, 0b110_000_000, 0, DateTimeOffset.UnixEpoch, 0, [], null);
    private readonly WatchHub _hub = new();
    private readonly TestMapper _mapsA = new("maps-a");
    private readonly TestMapper _mapsNothing = new("maps-nothing");

    [Fact]
    public void An_update_reaches_watchers_of_its_name_of_its_mappers_and_of_everything_only()
    {
        using var byName = _hub.Subscribe(null, ["a"], 1000);
        using var otherName = _hub.Subscribe(null, ["b"], 1000);
        using var bySession = _hub.Subscribe(_mapsA, [], 1000);
        using var otherSession = _hub.Subscribe(_mapsNothing, [], 1000);
        using var everything = _hub.Subscribe(null, [], 1000);

        _hub.Publish(new RegionUpdate(RegionUpdateKind.Resized, A), [_mapsA]);

        Assert.Equal(1, byName.Updates.Count);
        Assert.Equal(0, otherName.Updates.Count);
        Assert.Equal(1, bySession.Updates.Count);
        Assert.Equal(0, otherSession.Updates.Count);
        Assert.Equal(1, everything.Updates.Count);
        Assert.Equal(5, _hub.Count);
    }

    [Fact]
    public void A_disposed_subscription_gets_nothing_more_and_is_uncounted_once()
    {
        var subscription = _hub.Subscribe(null, ["a"], 1000);

        subscription.Dispose();
        subscription.Dispose();
        _hub.Publish(new RegionUpdate(RegionUpdateKind.Resized, A), []);

        Assert.Equal(0, subscription.Updates.Count);
        Assert.Equal(0, _hub.Count);
    }

    [Fact]
    public async Task A_watcher_that_falls_a_backlog_behind_is_ended_with_RESOURCE_EXHAUSTED_and_holds_nobody_up()
    {
        using var slow = _hub.Subscribe(null, ["a"], 1000);

        for (var i = 0; i <= WatchSubscription.Backlog; i++)
        {
            _hub.Publish(new RegionUpdate(RegionUpdateKind.Resized, A), []);
        }

        var drained = 0;
        var error = await Assert.ThrowsAsync<RefusedException>(async () =>
        {
            await foreach (var update in slow.Updates.ReadAllAsync())
            {
                drained++;
            }
        });
        Assert.Equal(WatchSubscription.Backlog, drained);
        Assert.Equal(Refusal.ResourceExhausted, error.Reason);
    }
}
