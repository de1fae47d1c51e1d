using System.Net.Sockets;
using Grpc.Net.Client;

namespace Mapd.Client;

/// <summary>
/// A gRPC channel (HTTP/2 without TLS) to the daemon's <c>mapd.sock</c>, for tools that make
/// calls <see cref="MapdClient"/> does not wrap and need no session (List, Get, Status, Delete,
/// Watch). It connects on the first call, and waits while the daemon's queue of connections is
/// full.
/// </summary>
public static class MapdChannel
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(100);

    /// <summary>The channel to the gRPC socket at <paramref name="socketPath"/>; a connect that takes longer than <paramref name="connectTimeout"/> fails.</summary>
    public static GrpcChannel Create(string socketPath, TimeSpan connectTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = connectTimeout,
            ConnectCallback = (_, ct) => ConnectAsync(socketPath, ct),
        };
        return GrpcChannel.ForAddress("http://mapd", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    /// <summary>
    /// Connects, waiting while the daemon's queue of connections is full: a non-blocking connect
    /// to a Unix socket fails at once with EAGAIN then (where a blocking one would wait), and
    /// another process flooding the socket can keep the queue full for a while. The connect
    /// timeout (<paramref name="cancellationToken"/>) bounds the wait.
    /// </summary>
    private static async ValueTask<Stream> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        var pause = FirstPause;
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.TryAgain)
            {
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            await Task.Delay(pause, cancellationToken);
            pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
        }
    }
}
