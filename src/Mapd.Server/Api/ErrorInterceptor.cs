using Grpc.Core;
using Grpc.Core.Interceptors;
using Mapd.Native;
using Mapd.Server.Api.Wire;
using Mapd.Server.Errors;
using Mapd.Server.Meters;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Api;

/// <summary>
/// The one place where what escapes a call becomes a status, for every call shape: a refusal
/// becomes its status with its message; a failed system call a status that names the call and
/// the errno; a call that arrives while the daemon stops, UNAVAILABLE. Every failure is counted
/// in <c>mapd_errors_total{code}</c>. The daemon keeps serving.
/// </summary>
public sealed partial class ErrorInterceptor(IHostApplicationLifetime lifetime, ILogger<ErrorInterceptor> logger) : Interceptor
{
    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw status;
        }
    }

    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw status;
        }
    }

    /// <inheritdoc />
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw status;
        }
    }

    /// <inheritdoc />
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw status;
        }
    }

    /// <summary>The gRPC status of a refusal.</summary>
    public static StatusCode CodeOf(Refusal reason) => reason switch
    {
        Refusal.InvalidArgument => StatusCode.InvalidArgument,
        Refusal.NotFound => StatusCode.NotFound,
        Refusal.AlreadyExists => StatusCode.AlreadyExists,
        Refusal.PermissionDenied => StatusCode.PermissionDenied,
        Refusal.ResourceExhausted => StatusCode.ResourceExhausted,
        Refusal.FailedPrecondition => StatusCode.FailedPrecondition,
        Refusal.Unavailable => StatusCode.Unavailable,
        Refusal.DeadlineExceeded => StatusCode.DeadlineExceeded,
        _ => StatusCode.Unknown,
    };

    /// <summary>
    /// The status that answers a refusal (its reason and message) or a failed system call (one
    /// that names the call and the errno; running out of descriptors is counted); null for any
    /// other exception. <paramref name="what"/> names what was being served.
    /// </summary>
    public static Status? StatusOf(Exception exception, string what)
    {
        switch (exception)
        {
            case RefusedException refused:
                return new Status(CodeOf(refused.Reason), refused.Message);
            case SystemCallException failed:
                if (OpenFileLimit.IsExhaustion(failed.Errno))
                {
                    MapdMetrics.DescriptorsExhausted("open");
                }

                var code = failed.Errno is Errnos.ENOSPC or Errnos.ENOMEM || OpenFileLimit.IsExhaustion(failed.Errno)
                    ? StatusCode.ResourceExhausted
                    : StatusCode.Internal;
                return new Status(code, $"mapd could not serve {what}: {failed.Message}");
            default:
                return null;
        }
    }

    private void Admit(ServerCallContext context)
    {
        // From here on this interceptor answers for the call's status, count and log line.
        context.GetHttpContext().Features.Set(AdmittedCallFeature.Instance);
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            MapdMetrics.CallFailed(StatusCode.Unavailable);
            throw new RpcException(new Status(StatusCode.Unavailable, "mapd is shutting down; retry against the restarted daemon"));
        }
    }

    /// <summary>The status to answer with, counted and logged; null lets the exception pass as it is (the caller went away).</summary>
    private RpcException? Translate(Exception exception, ServerCallContext context)
    {
        if (StatusOf(exception, context.Method) is { } status)
        {
            if (exception is SystemCallException failed)
            {
                Log.SystemCallFailed(logger, context.Method, failed);
            }

            return Counted(context, status);
        }

        switch (exception)
        {
            case RpcException rpc:
                Log.CallFailed(logger, context.Method, rpc.StatusCode, rpc.Status.Detail);
                MapdMetrics.CallFailed(rpc.StatusCode);
                return null;
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                MapdMetrics.CallFailed(StatusCode.Cancelled);
                return null;
            default:
                return null;
        }
    }

    private RpcException Counted(ServerCallContext context, Status status)
    {
        Log.CallFailed(logger, context.Method, status.StatusCode, status.Detail);
        MapdMetrics.CallFailed(status.StatusCode);
        return new RpcException(status);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 400, EventName = "CallFailed", Level = LogLevel.Debug, Message = "{Method} answered {Code}: {Detail}")]
        public static partial void CallFailed(ILogger logger, string method, StatusCode code, string detail);

        [LoggerMessage(EventId = 401, EventName = "SystemCallFailed", Level = LogLevel.Error, Message = "{Method} failed in a system call")]
        public static partial void SystemCallFailed(ILogger logger, string method, Exception exception);
    }
}
