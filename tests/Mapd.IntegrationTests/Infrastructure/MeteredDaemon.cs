namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>One daemon with its Prometheus endpoint, shared by the tests of a class.</summary>
public sealed class MeteredDaemon : IAsyncLifetime
{
    private MapdDaemon? _daemon;

    /// <summary>The running daemon.</summary>
    public MapdDaemon Daemon => _daemon ?? throw new InvalidOperationException("not started");

    /// <summary>Its <c>/metrics</c> URL.</summary>
    public Uri Metrics { get; private set; } = null!;

    /// <summary>The value of <c>mapd_errors_total{code}</c> now.</summary>
    public async Task<double> ErrorsAsync(string code) =>
        PrometheusText.Value(await PrometheusText.ScrapeAsync(Metrics), "mapd_errors_total", $"code=\"{code}\"") ?? 0;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var (daemon, baseUrl) = await MetricsDaemon.StartAsync(new Dictionary<string, string> { ["Mapd:SocketMode"] = "0666" });
        _daemon = daemon;
        Metrics = new Uri(baseUrl, "/metrics");
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
        }
    }
}
