using Mapd.Server.Api.Wire;

namespace Mapd.Server.Tests.Api;

public sealed class PeerLogLimiterTests
{
    private readonly CountingTimeProvider _time = new();

    [Fact]
    public void A_peer_gets_one_line_a_second_and_learns_what_was_held_back()
    {
        var limiter = new PeerLogLimiter(_time);

        Assert.True(limiter.TryLog((1000, 42), out var heldBack));
        Assert.Equal(0, heldBack);
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(150));
            Assert.False(limiter.TryLog((1000, 42), out _));
        }

        _time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.True(limiter.TryLog((1000, 42), out heldBack));
        Assert.Equal(5, heldBack);
    }

    [Fact]
    public void Peers_are_limited_apart_by_uid_and_pid()
    {
        var limiter = new PeerLogLimiter(_time);

        Assert.True(limiter.TryLog((1000, 42), out _));
        Assert.True(limiter.TryLog((1000, 43), out _));
        Assert.True(limiter.TryLog((1001, 42), out _));
        Assert.False(limiter.TryLog((1000, 42), out _));
    }

    [Fact]
    public void A_flood_of_pids_shares_one_line_a_second_once_the_table_is_full()
    {
        var limiter = new PeerLogLimiter(_time, capacity: 4);
        for (var pid = 1; pid <= 4; pid++)
        {
            Assert.True(limiter.TryLog((1000, pid), out _));
        }

        // Full of recent peers: newcomers share the crowd's entry.
        Assert.True(limiter.TryLog((1000, 5), out _));
        Assert.False(limiter.TryLog((1000, 6), out _));
        Assert.False(limiter.TryLog((1000, 7), out _));

        // A second later the old peers are forgotten and newcomers get entries of their own again.
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryLog((1000, 8), out _));
        Assert.True(limiter.TryLog((1000, 9), out _));
    }
}
