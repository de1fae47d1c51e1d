using Mapd.Server.Errors;
using Microsoft.Extensions.Configuration;

namespace Mapd.Server.Telemetry;

/// <summary>
/// <c>mapd healthcheck</c>: asks a running daemon's <c>/healthz</c> and exits 0 when it is
/// healthy. Container images lack curl, and <c>/healthz</c> listens on loopback only, so
/// Docker's HEALTHCHECK and Kubernetes exec probes run this inside the daemon's network namespace.
/// It reads <c>Mapd:Metrics:Url</c> from the same environment and arguments as the daemon.
/// </summary>
public static class HealthProbe
{
    /// <summary>The verb that selects the probe.</summary>
    public const string Verb = "healthcheck";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Probes once; prints one line; returns 0 when healthy, 1 otherwise.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
        var options = configuration.GetSection(MapdOptions.Section).Get<MapdOptions>() ?? new MapdOptions();
        MetricsEndpoint? endpoint;
        try
        {
            endpoint = MetricsEndpoint.Parse(options.Metrics.Url);
        }
        catch (StartupException e)
        {
            await Console.Error.WriteLineAsync($"mapd healthcheck: {e.Message}");
            return 1;
        }

        if (endpoint is null)
        {
            await Console.Error.WriteLineAsync("mapd healthcheck: Mapd:Metrics:Url is empty, so there is no /healthz to ask; probe with `mapctl ls` instead");
            return 1;
        }

        var url = endpoint.UrlFor(MetricsEndpoint.HealthPath);
        using var http = new HttpClient { Timeout = Timeout };
        try
        {
            using var response = await http.GetAsync(url);
            var body = (await response.Content.ReadAsStringAsync()).Trim();
            Console.WriteLine($"{url}: {(int)response.StatusCode} {body}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"mapd healthcheck: {url}: {e.Message}");
            return 1;
        }
    }
}
