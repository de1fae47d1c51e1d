namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>Starts the real daemon with its Prometheus endpoint on a free loopback port.</summary>
public static class MetricsDaemon
{
    /// <summary>Starts a daemon whose <c>Mapd:Metrics:Url</c> is <c>http://127.0.0.1:PORT</c>; returns it and that base URL.</summary>
    public static async Task<(MapdDaemon Daemon, Uri BaseUrl)> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = TestTools.FreePort();
        var all = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["Mapd:Metrics:Url"] = $"http://127.0.0.1:{port}",
        };
        return (await MapdDaemon.StartAsync("64M", all), new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>Starts a daemon as <paramref name="options"/> say, with its Prometheus endpoint on a free loopback port.</summary>
    public static async Task<(MapdDaemon Daemon, Uri BaseUrl)> StartAsync(MapdDaemonOptions options)
    {
        var port = TestTools.FreePort();
        var settings = new Dictionary<string, string>(options.Settings)
        {
            ["Mapd:Metrics:Url"] = $"http://127.0.0.1:{port}",
        };
        return (await MapdDaemon.StartAsync(options with { Settings = settings }), new Uri($"http://127.0.0.1:{port}"));
    }
}
