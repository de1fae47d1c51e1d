using System.Net;
using System.Net.Sockets;
using Mapd.Server.Errors;
using Mapd.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace Mapd.Server.Tests.Hosting;

/// <summary>Where metrics go: a configured URL as given, the default moved to a free port when taken, port 0 resolved.</summary>
public sealed class MetricsChoiceTests
{
    [Fact]
    public void An_empty_url_turns_metrics_off() =>
        Assert.Null(MetricsChoice.Resolve(Configuration(string.Empty)).Endpoint);

    [Fact]
    public void A_free_configured_port_is_used_as_given()
    {
        var port = FreePort();

        var choice = MetricsChoice.Resolve(Configuration($"http://127.0.0.1:{port}/scrape"));

        Assert.Equal(port, choice.Endpoint!.Port);
        Assert.Equal("/scrape", choice.Endpoint.ScrapePath);
        Assert.Null(choice.TakenDefaultPort);
    }

    [Fact]
    public void Port_0_is_resolved_to_a_real_free_port_before_anything_listens()
    {
        var choice = MetricsChoice.Resolve(Configuration("http://127.0.0.1:0"));

        Assert.NotEqual(0, choice.Endpoint!.Port);
        using var listener = new TcpListener(IPAddress.Loopback, choice.Endpoint.Port);
        listener.Start();
    }

    [Fact]
    public void A_configured_port_another_process_holds_is_refused_as_unavailable()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var error = Assert.Throws<StartupException>(() => MetricsChoice.Resolve(Configuration($"http://127.0.0.1:{port}")));

        Assert.Equal(ExitCode.Unavailable, error.ExitCode);
        Assert.Contains($"port {port} is taken", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mapd:Metrics:Url", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_port_when_taken_moves_to_a_free_one_and_says_which_was_taken()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 9464);
        try
        {
            holder.Start();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            // Someone else holds it: the condition under test holds all the same.
        }

        var choice = MetricsChoice.Resolve(Configuration(null));

        Assert.Equal(9464, choice.TakenDefaultPort);
        Assert.NotEqual(9464, choice.Endpoint!.Port);
        Assert.Equal(IPAddress.Loopback, choice.Endpoint.Address);
    }

    private static IConfiguration Configuration(string? url) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(url is null ? [] : [new KeyValuePair<string, string?>("Mapd:Metrics:Url", url)])
            .Build();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
