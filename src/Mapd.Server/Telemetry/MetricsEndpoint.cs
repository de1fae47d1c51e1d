using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Mapd.Server.Errors;

namespace Mapd.Server.Telemetry;

/// <summary>
/// Where Prometheus scrapes the daemon: <c>Mapd:Metrics:Url</c>, a plain-HTTP loopback URL.
/// The scrape path is the URL's path, or <c>/metrics</c> when it has none; <c>/healthz</c> is
/// served beside it.
/// </summary>
/// <param name="Address">The loopback address to listen on; null for <c>localhost</c> (both 127.0.0.1 and ::1).</param>
/// <param name="Port">The TCP port.</param>
/// <param name="ScrapePath">The path of the Prometheus text.</param>
public sealed record MetricsEndpoint(IPAddress? Address, int Port, string ScrapePath)
{
    /// <summary>The default scrape path.</summary>
    public const string DefaultScrapePath = "/metrics";

    /// <summary>The health path on the same listener.</summary>
    public const string HealthPath = "/healthz";

    /// <summary>
    /// Parses <c>Mapd:Metrics:Url</c>; null when it is empty (metrics off). Throws
    /// <see cref="StartupException"/> for anything but http:// on a loopback address, because
    /// the endpoint has no authentication and must not be reachable from the network.
    /// </summary>
    public static MetricsEndpoint? Parse(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new StartupException($"Mapd:Metrics:Url '{url}' is not an http:// URL such as http://127.0.0.1:9464; leave it empty to turn metrics off");
        }

        IPAddress? address = null;
        if (!string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            && (!IPAddress.TryParse(uri.Host, out address) || !IPAddress.IsLoopback(address)))
        {
            throw new StartupException($"Mapd:Metrics:Url '{url}' is not a loopback address; metrics and /healthz are unauthenticated, so mapd serves them on 127.0.0.1, [::1] or localhost only (scrape through a local agent or proxy)");
        }

        var path = uri.AbsolutePath.TrimEnd('/');
        return new MetricsEndpoint(address, uri.Port, path.Length == 0 ? DefaultScrapePath : path);
    }

    /// <summary>The URL of <paramref name="path"/> on this endpoint.</summary>
    public Uri UrlFor(string path)
    {
        var host = Address switch
        {
            null => "localhost",
            { AddressFamily: AddressFamily.InterNetworkV6 } => $"[{Address}]",
            _ => Address.ToString(),
        };
        return new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{host}:{Port}{path}"));
    }

    /// <inheritdoc />
    public override string ToString() => UrlFor(ScrapePath).ToString();
}
