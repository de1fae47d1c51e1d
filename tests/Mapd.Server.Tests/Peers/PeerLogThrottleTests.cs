using Mapd.Server.Peers;

namespace Mapd.Server.Tests.Peers;

public sealed class PeerLogThrottleTests
{
    private static readonly (uint, int) Crowd = (uint.MaxValue, -1);
    private readonly CountingTimeProvider _time = new();

    [Fact]
    public void A_peer_gets_one_line_a_second_and_learns_what_was_held_back()
    {
        var throttle = new PeerLogThrottle<(uint, int)>(_time, Crowd);

        Assert.True(throttle.TryLog((1000, 42), out var heldBack));
        Assert.Equal(0, heldBack);
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(150));
            Assert.False(throttle.TryLog((1000, 42), out _));
        }

        _time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.True(throttle.TryLog((1000, 42), out heldBack));
        Assert.Equal(5, heldBack);
    }

    [Fact]
    public void Peers_are_limited_apart_by_uid_and_pid()
    {
        var throttle = new PeerLogThrottle<(uint, int)>(_time, Crowd);

        Assert.True(throttle.TryLog((1000, 42), out _));
        Assert.True(throttle.TryLog((1000, 43), out _));
        Assert.True(throttle.TryLog((1001, 42), out _));
        Assert.False(throttle.TryLog((1000, 42), out _));
    }

    [Fact]
    public void One_line_per_uid_per_interval_and_the_next_counts_what_was_held_back()
    {
        var throttle = new PeerLogThrottle<uint>(_time, uint.MaxValue);

        var first = throttle.TryLog(1000, out var none);
        var held = Enumerable.Range(0, 5).Count(_ => throttle.TryLog(1000, out _));
        var other = throttle.TryLog(1001, out _);
        _time.Advance(TimeSpan.FromSeconds(1));
        var next = throttle.TryLog(1000, out var heldBack);

        Assert.True(first);
        Assert.Equal(0, none);
        Assert.Equal(0, held);
        Assert.True(other);
        Assert.True(next);
        Assert.Equal(5, heldBack);
    }

    [Fact]
    public void A_flood_of_pids_shares_one_line_a_second_once_the_table_is_full()
    {
        var throttle = new PeerLogThrottle<(uint, int)>(_time, Crowd, capacity: 4);
        for (var pid = 1; pid <= 4; pid++)
        {
            Assert.True(throttle.TryLog((1000, pid), out _));
        }

        // Full of recent peers: newcomers share the crowd's entry.
        Assert.True(throttle.TryLog((1000, 5), out _));
        Assert.False(throttle.TryLog((1000, 6), out _));
        Assert.False(throttle.TryLog((1000, 7), out _));

        // A second later the old peers are forgotten and newcomers get entries of their own again.
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(throttle.TryLog((1000, 8), out _));
        Assert.True(throttle.TryLog((1000, 9), out _));
    }

    [Fact]
    public void Thousands_of_uids_neither_grow_the_table_past_its_capacity_nor_the_log_past_a_line_a_second_each()
    {
        var throttle = new PeerLogThrottle<uint>(_time, uint.MaxValue);
        for (uint uid = 0; uid < 1024; uid++)
        {
            throttle.TryLog(uid, out _);
        }

        _time.Advance(TimeSpan.FromSeconds(2));

        // Quiet uids are forgotten once the table is full; beyond a full table of new ones, the rest share a line.
        var logged = Enumerable.Range(5000, 3000).Count(uid => throttle.TryLog((uint)uid, out _));

        Assert.Equal(1025, logged);
        Assert.InRange(throttle.Tracked, 1, 1025);
    }
}
