using System.Net.Sockets;
using Grpc.Net.Client;

namespace Mapd.IntegrationTests.Infrastructure;

/// <summary>A plain gRPC channel to a daemon's <c>mapd.sock</c>, as grpcurl or any other gRPC client would use it.</summary>
public static class UnixGrpc
{
    /// <summary>A channel over HTTP/2 without TLS to the socket at <paramref name="path"/>.</summary>
    public static GrpcChannel Channel(string path) =>
        GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = Handler(path) });

    /// <summary>An HTTP handler whose every connection goes to the socket at <paramref name="path"/>, once, with no retry.</summary>
    public static SocketsHttpHandler Handler(string path) => new()
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
