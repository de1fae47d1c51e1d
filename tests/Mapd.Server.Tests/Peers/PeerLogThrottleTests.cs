using Mapd.Server.Peers;

namespace Mapd.Server.Tests.Peers;

public sealed class PeerLogThrottleTests
{
    private readonly CountingTimeProvider _time = new();

    [Fact]
    public void One_line_per_uid_per_interval_and_the_next_counts_what_was_held_back()
    {
        var throttle = new PeerLogThrottle(_time, TimeSpan.FromSeconds(1));

        var first = throttle.ShouldLog(1000, out var none);
        var held = Enumerable.Range(0, 5).Count(_ => throttle.ShouldLog(1000, out _));
        var other = throttle.ShouldLog(1001, out _);
        _time.Advance(TimeSpan.FromSeconds(1));
        var next = throttle.ShouldLog(1000, out var heldBack);

        Assert.True(first);
        Assert.Equal(0, none);
        Assert.Equal(0, held);
        Assert.True(other);
        Assert.True(next);
        Assert.Equal(5, heldBack);
    }

    [Fact]
    public void Thousands_of_uids_do_not_grow_the_table_without_bound()
    {
        var throttle = new PeerLogThrottle(_time, TimeSpan.FromSeconds(1));
        for (uint uid = 0; uid < 1024; uid++)
        {
            throttle.ShouldLog(uid, out _);
        }

        _time.Advance(TimeSpan.FromSeconds(2));

        // Quiet uids are forgotten once the table is full; every new uid still gets its first line.
        var allLogged = Enumerable.Range(5000, 3000).All(uid => throttle.ShouldLog((uint)uid, out _));

        Assert.True(allLogged);
        Assert.InRange(throttle.Tracked, 1, 1024);
    }
}
