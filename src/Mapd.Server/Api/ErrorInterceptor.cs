using Grpc.Core;
using Grpc.Core.Interceptors;
using Mapd.Native;
using Mapd.Server.Storage;
using Mapd.Server.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Api;

/// <summary>
/// Turns what escapes a call into a precise status: UNAVAILABLE while stopping, and for a
/// failed system call a status that names the call and the errno. The daemon keeps serving.
/// </summary>
public sealed partial class ErrorInterceptor(IHostApplicationLifetime lifetime, ILogger<ErrorInterceptor> logger) : Interceptor
{
    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            MapdMetrics.CallFailed(StatusCode.Unavailable);
            throw RegionErrors.Unavailable("mapd is shutting down; retry against the restarted daemon");
        }

        try
        {
            return await continuation(request, context);
        }
        catch (RpcException e)
        {
            Log.CallFailed(logger, context.Method, e.StatusCode, e.Status.Detail);
            MapdMetrics.CallFailed(e.StatusCode);
            throw;
        }
        catch (SystemCallException e)
        {
            Log.SystemCallFailed(logger, context.Method, e);
            var code = e.Errno is Errnos.ENOSPC or Errnos.ENOMEM ? StatusCode.ResourceExhausted : StatusCode.Internal;
            MapdMetrics.CallFailed(code);
            throw new RpcException(new Status(code, $"mapd could not serve {context.Method}: {e.Message}"));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "{Method} answered {Code}: {Detail}")]
        public static partial void CallFailed(ILogger logger, string method, StatusCode code, string detail);

        [LoggerMessage(2, LogLevel.Error, "{Method} failed in a system call")]
        public static partial void SystemCallFailed(ILogger logger, string method, Exception exception);
    }
}
