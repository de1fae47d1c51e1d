using Grpc.Core;
using Mapd.Client.Tests.Fakes;

namespace Mapd.Client.Tests;

/// <summary>The thin public client as composed: connecting, and ending cleanly whatever the daemon did.</summary>
public sealed class MapdClientTests : IDisposable
{
    private readonly SeqPacketDaemon _daemon = new();

    public void Dispose() => _daemon.Dispose();

    [Fact]
    public async Task Connecting_where_no_daemon_serves_is_UNAVAILABLE_naming_the_socket_and_what_to_do()
    {
        using var empty = new ScratchDirectory();

        var e = await Assert.ThrowsAsync<MapdException>(() => MapdClient.ConnectAsync(new MapdClientOptions { SocketDirectory = empty.Path }));

        Assert.Equal(StatusCode.Unavailable, e.Code);
        Assert.Contains(Path.Join(empty.Path, SocketLocation.SessionSocketName), e.Message, StringComparison.Ordinal);
        Assert.Contains("start the daemon", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_session_the_daemon_welcomed_names_the_clients_calls()
    {
        await using var client = await ConnectAsync();

        Assert.Equal(new string('0', 32), client.SessionId);
        Assert.Equal(client.SessionId, client.SessionHeaders.GetValue("mapd-session"));
    }

    [Fact]
    public async Task Disposing_after_the_daemon_went_away_is_clean_and_later_calls_say_the_client_is_disposed()
    {
        var client = await ConnectAsync();

        _daemon.Stop();
        await client.DisposeAsync();
        client.Dispose();

        var e = await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetAsync("a"));
        Assert.Contains(nameof(MapdClient), e.Message, StringComparison.Ordinal);
    }

    private async Task<MapdClient> ConnectAsync()
    {
        var welcome = _daemon.WelcomeAsync();
        var client = await MapdClient.ConnectAsync(new MapdClientOptions { SocketDirectory = Path.GetDirectoryName(_daemon.Path) });
        await welcome;
        return client;
    }
}
