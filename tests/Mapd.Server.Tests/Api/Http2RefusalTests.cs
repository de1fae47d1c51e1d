using System.IO.Pipelines;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Mapd.Protocol.V1;
using Mapd.Server.Api;

namespace Mapd.Server.Tests.Api;

/// <summary>The refusal speaks enough HTTP/2 for a real gRPC client (grpc-dotnet over SocketsHttpHandler) to read a status.</summary>
public sealed class Http2RefusalTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();
    private readonly Socket _listener;
    private readonly string _path;

    public Http2RefusalTests()
    {
        _path = _scratch.Join("mapd.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(_path));
        _listener.Listen(4);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _scratch.Dispose();
    }

    [Theory]
    [InlineData("uid 1000 already holds 2 connections to mapd.sock, its quota (Mapd:Quota:Connections = 2)")]
    [InlineData("100% of a quota, and a long reason that needs a multi-byte HPACK length: ünïcode, tabs\tand 200 more characters .......................................................................................................")]
    public async Task Every_call_on_a_refused_connection_ends_with_the_status_and_the_message(string message)
    {
        var served = ServeOneAsync(message);
        using var channel = Channel();
        var client = new Protocol.V1.Regions.RegionsClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.PingAsync(new PingRequest(), deadline: DateTime.UtcNow.AddMinutes(1)).ResponseAsync);

        Assert.True(error.StatusCode == StatusCode.ResourceExhausted, error.ToString() + error.Status.DebugException);
        Assert.Equal(message, error.Status.Detail);
        Assert.True(await served);
    }

    [Fact]
    public async Task A_connection_that_sends_nothing_gets_no_answer_and_the_deadline_ends_it()
    {
        var served = ServeOneAsync("never read", TimeSpan.FromMilliseconds(200));
        using var silent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await silent.ConnectAsync(new UnixDomainSocketEndPoint(_path));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => served);
    }

    [Fact]
    public async Task A_peer_that_does_not_speak_HTTP2_is_not_answered()
    {
        var served = ServeOneAsync("never read");
        using var http1 = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await http1.ConnectAsync(new UnixDomainSocketEndPoint(_path));
        await http1.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());

        Assert.False(await served);
    }

    [Fact]
    public void Messages_are_percent_encoded_as_gRPC_requires()
    {
        Assert.Equal("50%25 done: %C3%BC%0A"u8.ToArray(), Http2Refusal.PercentEncode("50% done: ü\n"));
    }

    private async Task<bool> ServeOneAsync(string message, TimeSpan? deadline = null)
    {
        using var connection = await _listener.AcceptAsync();
        await using var stream = new NetworkStream(connection, ownsSocket: false);
        var pipe = new StreamPipe(PipeReader.Create(stream), PipeWriter.Create(stream));
        using var timeout = new CancellationTokenSource(deadline ?? TimeSpan.FromMinutes(1));
        return await Http2Refusal.AnswerAsync(pipe, StatusCode.ResourceExhausted, message, timeout.Token);
    }

    private GrpcChannel Channel() => GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(_path), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        },
    });

    private sealed record StreamPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
