using System.Net.Sockets;

namespace Mapd.Native.Tests;

public sealed class ReadinessSetTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();
    private readonly SeqPacketListener _listener;
    private readonly ReadinessSet _set = ReadinessSet.Create();

    public ReadinessSetTests()
    {
        _listener = new SeqPacketListener(_scratch.Join("s.sock"));
    }

    public void Dispose()
    {
        _set.Dispose();
        _listener.Dispose();
        _scratch.Dispose();
    }

    [Fact]
    public void A_socket_with_a_message_is_reported_with_its_token_and_one_without_is_not()
    {
        using var quiet = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var quietPeer = _listener.Accept();
        using var talking = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var talkingPeer = _listener.Accept();
        _set.Add(quietPeer.SafeHandle, 1);
        _set.Add(talkingPeer.SafeHandle, 0xFEDC_BA98_7654_3210);

        UnixSockets.Send(talking, "hi"u8, "test");
        var tokens = new ulong[8];
        var ready = _set.Wait(tokens, TimeSpan.FromSeconds(30));

        Assert.Equal(1, ready);
        Assert.Equal(0xFEDC_BA98_7654_3210UL, tokens[0]);
    }

    [Fact]
    public void A_reported_socket_is_not_reported_again_until_it_is_rearmed()
    {
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var server = _listener.Accept();
        _set.Add(server.SafeHandle, 7);
        UnixSockets.Send(client, "one"u8, "test");
        var tokens = new ulong[8];

        var first = _set.Wait(tokens, TimeSpan.FromSeconds(30));
        var unread = _set.Wait(tokens, TimeSpan.Zero);
        _set.Rearm(server.SafeHandle, 8);
        var again = _set.Wait(tokens, TimeSpan.FromSeconds(30));

        Assert.Equal(1, first);
        Assert.Equal(0, unread);
        Assert.Equal(1, again);
        Assert.Equal(8UL, tokens[0]);
    }

    [Fact]
    public void A_peer_that_hangs_up_is_reported_and_reading_then_says_so()
    {
        using var server = AcceptAfter(out var client);
        _set.Add(server.SafeHandle, 3);
        client.Dispose();
        var tokens = new ulong[8];

        var ready = _set.Wait(tokens, TimeSpan.FromSeconds(30));

        Assert.Equal(1, ready);
        Assert.Equal(0, UnixSockets.Receive(server.SafeHandle, new byte[16], out _, "test", wait: false));
    }

    [Fact]
    public void Removing_stops_reports_and_removing_twice_is_no_error()
    {
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var server = _listener.Accept();
        _set.Add(server.SafeHandle, 5);

        _set.Remove(server.SafeHandle);
        _set.Remove(server.SafeHandle);
        UnixSockets.Send(client, "late"u8, "test");

        Assert.Equal(0, _set.Wait(new ulong[8], TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public async Task Wake_ends_a_wait_with_nothing_ready_and_the_next_wait_waits_again()
    {
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var server = _listener.Accept();
        _set.Add(server.SafeHandle, 4);

        var waiting = Task.Run(() => _set.Wait(new ulong[8], Timeout.InfiniteTimeSpan));
        _set.Wake();
        var woken = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        var after = _set.Wait(new ulong[8], TimeSpan.Zero);

        Assert.Equal(0, woken);
        Assert.Equal(0, after);
    }

    [Fact]
    public void The_wake_up_token_is_not_a_callers_to_take()
    {
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var server = _listener.Accept();

        Assert.Throws<ArgumentOutOfRangeException>(() => _set.Add(server.SafeHandle, ulong.MaxValue));
    }

    [Fact]
    public void Rearming_a_socket_never_added_names_the_call_and_the_errno()
    {
        using var client = UnixSockets.ConnectSeqPacket(_listener.Path);
        using var server = _listener.Accept();

        var e = Assert.Throws<SystemCallException>(() => _set.Rearm(server.SafeHandle, 1));

        Assert.Equal(Errnos.ENOENT, e.Errno);
        Assert.Contains("epoll_ctl(MOD)", e.Message, StringComparison.Ordinal);
    }

    private Socket AcceptAfter(out FileDescriptor client)
    {
        client = UnixSockets.ConnectSeqPacket(_listener.Path);
        return _listener.Accept();
    }
}
