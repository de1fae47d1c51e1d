using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Mapd.Server.Api;

/// <summary>
/// Ends server-streaming calls (Watch) when the daemon stops. Kestrel's graceful shutdown
/// waits for every request, and a watch only ends when its client leaves, so without this
/// SIGTERM would wait out the whole shutdown timeout; unary calls still drain. The stream is
/// reset, which cancels the call; clients watch again once the daemon is back.
/// </summary>
public sealed class StreamShutdownInterceptor(IHostApplicationLifetime lifetime) : Interceptor
{
    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        // grpc-dotnet offers no way to hand the method a different cancellation token (its
        // context cannot be wrapped), so the request itself is aborted.
        using var stopping = lifetime.ApplicationStopping.Register(static http => ((HttpContext)http!).Abort(), context.GetHttpContext());
        await continuation(request, responseStream, context);
    }
}
