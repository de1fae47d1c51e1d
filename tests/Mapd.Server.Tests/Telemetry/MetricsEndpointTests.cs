using System.Net;
using Mapd.Server.Errors;
using Mapd.Server.Telemetry;

namespace Mapd.Server.Tests.Telemetry;

/// <summary>Mapd:Metrics:Url: loopback http only, /metrics unless the URL names a path, empty = off.</summary>
public sealed class MetricsEndpointTests
{
    [Theory]
    [InlineData("http://127.0.0.1:9464", "127.0.0.1", 9464, "/metrics")]
    [InlineData("http://127.0.0.2:9500/", "127.0.0.2", 9500, "/metrics")]
    [InlineData("http://[::1]:9464/custom/path", "::1", 9464, "/custom/path")]
    [InlineData("http://localhost:9464", null, 9464, "/metrics")]
    public void Loopback_urls_are_accepted(string url, string? address, int port, string path)
    {
        var endpoint = MetricsEndpoint.Parse(url)!;
        Assert.Equal(address is null ? null : IPAddress.Parse(address), endpoint.Address);
        Assert.Equal((port, path), (endpoint.Port, endpoint.ScrapePath));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Empty_turns_metrics_off(string? url) => Assert.Null(MetricsEndpoint.Parse(url));

    [Theory]
    [InlineData("http://0.0.0.0:9464", "not a loopback address")]
    [InlineData("http://[::]:9464", "not a loopback address")]
    [InlineData("http://192.168.1.5:9464", "not a loopback address")]
    [InlineData("http://metrics.example:9464", "not a loopback address")]
    [InlineData("https://127.0.0.1:9464", "not an http:// URL")]
    [InlineData("127.0.0.1:9464", "not an http:// URL")]
    public void Anything_reachable_from_the_network_is_refused(string url, string reason)
    {
        var refused = Assert.Throws<StartupException>(() => MetricsEndpoint.Parse(url));
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Fact]
    public void Urls_for_the_health_path_keep_the_address_form()
    {
        Assert.Equal("http://[::1]:9464/healthz", MetricsEndpoint.Parse("http://[::1]:9464")!.UrlFor(MetricsEndpoint.HealthPath).ToString());
        Assert.Equal("http://localhost:1/metrics", MetricsEndpoint.Parse("http://localhost:1")!.ToString());
    }
}
