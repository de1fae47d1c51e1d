using Grpc.Core;
using Grpc.Core.Interceptors;
using Mapd.Server.Telemetry;
using Microsoft.Extensions.Hosting;

namespace Mapd.Server.Api;

/// <summary>
/// Ends server-streaming calls (Watch) with UNAVAILABLE when the daemon stops. Kestrel's
/// graceful shutdown waits for every request, and a watch only ends when its client leaves,
/// so without this SIGTERM would wait out the whole shutdown timeout; unary calls still drain.
/// </summary>
public sealed class StreamShutdownInterceptor(IHostApplicationLifetime lifetime) : Interceptor
{
    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await continuation(request, responseStream, new StoppingCallContext(context, stopping.Token));
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            MapdMetrics.CallFailed(StatusCode.Unavailable);
            throw new RpcException(new Status(StatusCode.Unavailable, "mapd is shutting down; watch again once it has restarted"));
        }
    }

    /// <summary>The call's context with a cancellation token that also fires when the daemon stops.</summary>
    private sealed class StoppingCallContext(ServerCallContext inner, CancellationToken cancellationToken) : ServerCallContext
    {
        protected override string MethodCore => inner.Method;

        protected override string HostCore => inner.Host;

        protected override string PeerCore => inner.Peer;

        protected override DateTime DeadlineCore => inner.Deadline;

        protected override Metadata RequestHeadersCore => inner.RequestHeaders;

        protected override CancellationToken CancellationTokenCore => cancellationToken;

        protected override Metadata ResponseTrailersCore => inner.ResponseTrailers;

        protected override Status StatusCore
        {
            get => inner.Status;
            set => inner.Status = value;
        }

        protected override WriteOptions? WriteOptionsCore
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        protected override AuthContext AuthContextCore => inner.AuthContext;

        // GetHttpContext() finds the HttpContext here, so CallerFeature and sessions keep working.
        protected override IDictionary<object, object> UserStateCore => inner.UserState;

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
            inner.CreatePropagationToken(options);

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) =>
            inner.WriteResponseHeadersAsync(responseHeaders);
    }
}
