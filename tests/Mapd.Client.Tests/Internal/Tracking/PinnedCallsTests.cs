using Grpc.Core;
using Mapd.Client.Internal.Tracking;
using Mapd.Client.Tests.Fakes;
using Mapd.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace Mapd.Client.Tests.Internal.Tracking;

public sealed class PinnedCallsTests : IDisposable
{
    private readonly FakeDaemon _daemon = new();
    private readonly RecordingLogger _log = new();
    private readonly FakeSession _session = new("s1");
    private readonly FakeSessions _sessions;
    private readonly PinnedCalls _pinned;

    public PinnedCallsTests()
    {
        _sessions = new FakeSessions(_session);
        _pinned = new PinnedCalls(new Regions.RegionsClient(_daemon), _sessions, _log, CancellationToken.None);
    }

    public void Dispose() => _session.Dispose();

    [Fact]
    public async Task A_close_on_the_current_session_is_a_close_frame_naming_the_handoff()
    {
        var sent = _pinned.TryCloseNow(new CloseOrder("a", _sessions.Current, 5));

        Assert.True(sent);
        Assert.Equal(("a", 5UL), await _session.NextCloseAsync());
        Assert.Empty(_daemon.Calls);
    }

    [Fact]
    public async Task A_close_frame_the_socket_cannot_take_now_waits_for_it()
    {
        _session.Full = true;
        var order = new CloseOrder("a", _sessions.Current, 5);

        var sentNow = _pinned.TryCloseNow(order);
        await _pinned.CloseAsync(order);

        Assert.False(sentNow);
        Assert.Equal(("a", 5UL), await _session.NextCloseAsync());
    }

    [Fact]
    public async Task A_close_for_a_session_that_was_replaced_sends_nothing()
    {
        var old = _sessions.Current;
        _sessions.Replace(new FakeSession("s2"));
        var order = new CloseOrder("a", old, 5);

        var done = _pinned.TryCloseNow(order);
        await _pinned.CloseAsync(order);

        Assert.True(done);
        Assert.False(_session.Closes.Reader.TryRead(out _));
        Assert.Empty(_daemon.Calls);
    }

    [Fact]
    public async Task A_close_without_a_session_is_a_close_call_on_the_current_one()
    {
        _daemon.On<CloseRequest>("Close", (_, _) => new CloseResponse());
        var order = new CloseOrder("a", null, 0);

        var sentNow = _pinned.TryCloseNow(order);
        await _pinned.CloseAsync(order);

        Assert.False(sentNow);
        Assert.Equal("s1", Assert.Single(_daemon.Of("Close")).Session);
    }

    [Fact]
    public async Task A_close_that_fails_is_logged_not_thrown()
    {
        _daemon.On<CloseRequest>("Close", (_, _) => throw new RpcException(new Status(StatusCode.NotFound, "session s1 has not opened 'a'")));

        await _pinned.CloseAsync("a");

        var entry = Assert.Single(_log.Entries);
        Assert.Equal("CloseFailed", entry.Event);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.Contains("'a'", entry.Message, StringComparison.Ordinal);
        Assert.Equal("s1", Assert.Single(_daemon.Calls).Session);
    }

    [Fact]
    public async Task A_release_that_fails_is_logged_with_its_generation()
    {
        _daemon.On<ReleaseRequest>("Release", (_, _) => throw new RpcException(new Status(StatusCode.Unavailable, "mapd is shutting down")));

        await _pinned.ReleaseAsync("a", 42);

        var entry = Assert.Single(_log.Entries);
        Assert.Equal("ReleaseFailed", entry.Event);
        Assert.Contains("42", entry.Message, StringComparison.Ordinal);
    }
}
