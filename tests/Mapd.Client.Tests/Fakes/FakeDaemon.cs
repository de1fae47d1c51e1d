using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Mapd.Client.Internal.Sessions;

namespace Mapd.Client.Tests.Fakes;

/// <summary>
/// The daemon's gRPC side as a <see cref="CallInvoker"/>: each unary call is recorded with the
/// session it named and answered by the handler the test set for its method (an RpcException
/// thrown there fails the call as a real status would).
/// </summary>
internal sealed class FakeDaemon : CallInvoker
{
    private readonly Dictionary<string, Func<IMessage, Metadata, Task<IMessage>>> _handlers = new(StringComparer.Ordinal);

    public List<Call> Calls { get; } = [];

    /// <summary>Server streams opened (Watch), in order; the test writes their events and ends them.</summary>
    public Channel<Channel<IMessage>> Streams { get; } = Channel.CreateUnbounded<Channel<IMessage>>();

    public void On<TRequest>(string method, Func<TRequest, Metadata, IMessage> handler)
        where TRequest : IMessage =>
        _handlers[method] = (request, headers) => Task.FromResult(handler((TRequest)request, headers));

    public void OnAsync<TRequest>(string method, Func<TRequest, Metadata, Task<IMessage>> handler)
        where TRequest : IMessage =>
        _handlers[method] = (request, headers) => handler((TRequest)request, headers);

    /// <summary>The calls of <paramref name="method"/> so far.</summary>
    public List<Call> Of(string method)
    {
        lock (Calls)
        {
            return [.. Calls.Where(c => c.Method == method)];
        }
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var headers = options.Headers ?? [];
        lock (Calls)
        {
            Calls.Add(new Call(method.Name, (IMessage)request, SessionState.IdIn(headers)));
        }

        var response = AnswerAsync<TResponse>(method.Name, (IMessage)request, headers, options.CancellationToken);
        return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException();

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        lock (Calls)
        {
            Calls.Add(new Call(method.Name, (IMessage)request, SessionState.IdIn(options.Headers)));
        }

        var stream = Channel.CreateUnbounded<IMessage>();
        Streams.Writer.TryWrite(stream);
        return new AsyncServerStreamingCall<TResponse>(new StreamReader<TResponse>(stream.Reader, options.CancellationToken), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    /// <summary>Waits (up to a deadline) for the next server stream the client opens.</summary>
    public async Task<Channel<IMessage>> NextStreamAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await Streams.Reader.ReadAsync(deadline.Token);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException();

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException();

    private async Task<TResponse> AnswerAsync<TResponse>(string method, IMessage request, Metadata headers, CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (!_handlers.TryGetValue(method, out var handler))
        {
            throw new RpcException(new Status(StatusCode.Unimplemented, $"the fake daemon does not answer {method}"));
        }

        try
        {
            return (TResponse)await handler(request, headers).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // As Grpc.Net.Client reports a call cancelled on its way.
            throw new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
        }
    }

    public sealed record Call(string Method, IMessage Request, string? Session);

    /// <summary>Reads what the test writes; a stream the test completes with an RpcException fails with it.</summary>
    private sealed class StreamReader<T>(ChannelReader<IMessage> reader, CancellationToken callToken) : IAsyncStreamReader<T>
    {
        public T Current { get; private set; } = default!;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callToken);
            try
            {
                if (!await reader.WaitToReadAsync(linked.Token) || !reader.TryRead(out var message))
                {
                    return false;
                }

                Current = (T)message;
                return true;
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                throw new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
            }
        }
    }
}
