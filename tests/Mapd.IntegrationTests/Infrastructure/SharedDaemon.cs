namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>One daemon shared by the tests of a class that do not restart it.</summary>
public sealed class SharedDaemon : IAsyncLifetime
{
    private MapdDaemon? _daemon;

    /// <summary>The running daemon.</summary>
    public MapdDaemon Daemon => _daemon ?? throw new InvalidOperationException("not started");

    /// <inheritdoc />
    public async Task InitializeAsync() => _daemon = await MapdDaemon.StartAsync(
        "256M",
        new Dictionary<string, string>
        {
            ["Mapd:SocketMode"] = "0666",
            ["Mapd:Limits:MaxRegionSize"] = "128M",
            ["Mapd:Limits:MaxUnreadFds"] = "4",
        });

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
        }
    }
}
