using Grpc.Core;
using Mapd.Client.Internal.Tracking;
using Mapd.Client.Tests.Fakes;
using Mapd.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace Mapd.Client.Tests.Internal.Tracking;

public sealed class PinnedCallsTests
{
    private readonly FakeDaemon _daemon = new();
    private readonly RecordingLogger _log = new();
    private readonly PinnedCalls _pinned;

    public PinnedCallsTests() =>
        _pinned = new PinnedCalls(new Regions.RegionsClient(_daemon), new FakeSessions(new FakeSession("s1")), _log, CancellationToken.None);

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
