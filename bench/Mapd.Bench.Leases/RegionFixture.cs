using Mapd.Client;

namespace Mapd.Bench.Leases;

/// <summary>
/// A real daemon (the Release build, on private directories), a
/// client connected to it and one small region mapped through the public API: the leases
/// benchmarked are exactly what an application gets.
/// </summary>
internal sealed class RegionFixture : IDisposable
{
    private const long RegionSize = 2L << 20;

    private readonly MapdDaemon _daemon;
    private readonly MapdClient _client;

    private RegionFixture(MapdDaemon daemon, MapdClient client, MappedRegion region)
    {
        _daemon = daemon;
        _client = client;
        Region = region;
    }

    public MappedRegion Region { get; }

    /// <summary>Starts the daemon and maps a 2 MiB region (blocking: called from a BenchmarkDotNet setup).</summary>
    public static RegionFixture Start()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var options = new MapdDaemonOptions
        {
            DaemonDll = TestEnvironment.ReleaseDaemonDll,
            StorageSize = null,
            MountStorage = false,
            RootPrefix = "mapd-bench-",
            StopGracefully = true,
            KeptLines = 40,
        };
        var daemon = MapdDaemon.StartAsync(options, timeout.Token).GetAwaiter().GetResult();
        try
        {
            var client = MapdClient.ConnectAsync(new MapdClientOptions { SocketDirectory = daemon.SocketDirectory }, timeout.Token).GetAwaiter().GetResult();
            try
            {
                var region = client.CreateAsync("lease-bench", RegionSize, cancellationToken: timeout.Token).GetAwaiter().GetResult();
                return new RegionFixture(daemon, client, region);
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Region.Dispose();
        _client.Dispose();
        _daemon.Dispose();
    }
}
