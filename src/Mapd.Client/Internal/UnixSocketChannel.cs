using System.Net.Sockets;
using Grpc.Net.Client;

namespace Mapd.Client.Internal;

/// <summary>A gRPC channel (HTTP/2 without TLS) whose connections go to a Unix stream socket.</summary>
internal static class UnixSocketChannel
{
    public static GrpcChannel Create(string socketPath, TimeSpan connectTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = connectTimeout,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
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
