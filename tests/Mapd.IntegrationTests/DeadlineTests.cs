using System.Diagnostics;
using System.Net.Sockets;
using Mapd.IntegrationTests.Infrastructure;

namespace Mapd.IntegrationTests;

/// <summary>
/// Issue 9, item 1: a connection that says nothing is closed after a short deadline, the HTTP/2
/// preface on mapd.sock and HELLO on mapd-fd.sock, and counted; a client that talks is not.
/// </summary>
public sealed class DeadlineTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Silent_and_slow_connections_are_closed_at_their_deadline_and_counted()
    {
        var (daemon, metrics) = await MetricsDaemon.StartAsync(new Dictionary<string, string>
        {
            ["Mapd:Limits:PrefaceTimeout"] = "00:00:01",
            ["Mapd:Limits:HelloTimeout"] = "00:00:01",
        });
        await using var _ = daemon;
        var grpc = Path.Join(daemon.SocketDirectory, "mapd.sock");
        var session = Path.Join(daemon.SocketDirectory, "mapd-fd.sock");

        var silentGrpc = ClosedAfterAsync(grpc, SocketType.Stream, []);
        var slowGrpc = ClosedAfterAsync(grpc, SocketType.Stream, "PRI * HTTP/2"u8.ToArray());
        var silentSession = ClosedAfterAsync(session, SocketType.Seqpacket, []);
        var took = await Task.WhenAll(silentGrpc, slowGrpc, silentSession);

        // A client that speaks at once is served as ever, the deadline notwithstanding.
        await using (var client = await daemon.ConnectAsync())
        {
            await client.ListAsync();
        }

        var scrape = await PrometheusText.ScrapeAsync(new Uri(metrics, "/metrics"));
        Assert.All(took, t => Assert.InRange(t, Deadline * 0.9, TimeSpan.FromSeconds(30)));
        Assert.Equal(2, PrometheusText.Value(scrape, "mapd_handshake_timeouts_total", "socket=\"mapd.sock\""));
        Assert.Equal(1, PrometheusText.Value(scrape, "mapd_handshake_timeouts_total", "socket=\"mapd-fd.sock\""));
        await daemon.WaitForLogAsync("no HTTP/2 preface within 1 s (Mapd:Limits:PrefaceTimeout)");
        await daemon.WaitForLogAsync("no HELLO within 1 s (Mapd:Limits:HelloTimeout)");
    }

    /// <summary>Connects, sends <paramref name="greeting"/>, and returns how long the daemon took to close the connection.</summary>
    private static async Task<TimeSpan> ClosedAfterAsync(string path, SocketType type, byte[] greeting)
    {
        using var socket = new Socket(AddressFamily.Unix, type, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        var since = Stopwatch.StartNew();
        if (greeting.Length > 0)
        {
            await socket.SendAsync(greeting);
        }

        var buffer = new byte[4096];
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            // Whatever the daemon sends first (Kestrel's SETTINGS) is read past; the end is a 0-byte read.
            while (await socket.ReceiveAsync(buffer, limit.Token) > 0)
            {
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }

        return since.Elapsed;
    }
}
