using System.Net;
using System.Net.Sockets;
using Mapd.Server.Errors;
using Mapd.Server.Telemetry;
using Microsoft.Extensions.Configuration;

namespace Mapd.Server.Hosting;

/// <summary>
/// Where this daemon serves metrics. A URL someone configured is used as given: a port another
/// process holds stops the daemon, before it listens anywhere, with a line that says so. The built-in default is different:
/// a second user running mapd with no configuration, beside another user's daemon on
/// 127.0.0.1:9464, should get a working daemon whose metrics are on a free port it names,
/// not a crash. Port 0 always means "any free port", named the same way.
/// </summary>
/// <param name="Endpoint">Where metrics are served; null when they are off.</param>
/// <param name="TakenDefaultPort">The default port that was taken when the daemon moved off it; null otherwise.</param>
public sealed record MetricsChoice(MetricsEndpoint? Endpoint, int? TakenDefaultPort = null)
{
    private const string Key = MapdOptions.Section + ":Metrics:Url";

    /// <summary>
    /// Decides from <c>Mapd:Metrics:Url</c>. Throws <see cref="StartupException"/> for a URL
    /// that is not plain http on loopback, or whose port another process holds.
    /// </summary>
    public static MetricsChoice Resolve(IConfiguration configuration)
    {
        var configured = configuration[Key];
        var endpoint = MetricsEndpoint.Parse(configured ?? new MetricsOptions().Url);
        if (endpoint is null)
        {
            return new MetricsChoice(Endpoint: null);
        }

        if (endpoint.Port == 0)
        {
            return new MetricsChoice(endpoint with { Port = FreePort(endpoint) });
        }

        if (!IsTaken(endpoint))
        {
            return new MetricsChoice(endpoint);
        }

        return configured is null
            ? new MetricsChoice(endpoint with { Port = FreePort(endpoint) }, endpoint.Port)
            : throw new StartupException(
                $"Mapd:Metrics:Url {endpoint}: port {endpoint.Port} is taken by another process (another mapd?); set Mapd:Metrics:Url to a free loopback port (port 0 picks one), or to empty to turn metrics off",
                ExitCode.Unavailable);
    }

    private static IPAddress ProbeAddress(MetricsEndpoint endpoint) => endpoint.Address ?? IPAddress.Loopback;

    private static bool IsTaken(MetricsEndpoint endpoint)
    {
        var address = ProbeAddress(endpoint);
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);

        // As Kestrel binds: a port whose last connections linger in TIME_WAIT is free.
        probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            probe.Bind(new IPEndPoint(address, endpoint.Port));
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return true;
        }
    }

    private static int FreePort(MetricsEndpoint endpoint)
    {
        // The kernel's pick stays free for the moment until Kestrel binds it; should another
        // process win that race, the bind fails with a line naming the port.
        var address = ProbeAddress(endpoint);
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
