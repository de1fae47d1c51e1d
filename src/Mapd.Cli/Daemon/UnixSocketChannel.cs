using System.Net.Sockets;
using Grpc.Net.Client;

namespace Mapd.Cli.Daemon;

/// <summary>A gRPC channel (HTTP/2 without TLS) whose one connection goes to the daemon's <c>mapd.sock</c>.</summary>
internal static class UnixSocketChannel
{
    /// <summary>The channel; it connects on the first call.</summary>
    public static GrpcChannel Create(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return GrpcChannel.ForAddress("http://mapd", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }
}
