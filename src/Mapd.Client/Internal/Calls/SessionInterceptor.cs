using Grpc.Core;
using Grpc.Core.Interceptors;
using Mapd.Client.Internal.Sessions;

namespace Mapd.Client.Internal.Calls;

/// <summary>
/// Runs the client's calls on this process's session. A call whose headers already name a
/// session is pinned to it and passes untouched (Close, Release and a session's Watch speak for
/// that session only). Any other call gets the current session's <c>mapd-session</c> header,
/// written into the headers it was given so the caller can tell which session answered (an
/// Open's descriptor arrives on that session's socket); a unary call that fails because the
/// session was lost is sent once more on the next session when <see cref="CallPolicy"/> allows,
/// and failures reach the caller as <see cref="MapdException"/>.
/// </summary>
internal sealed class SessionInterceptor(ISessionSource sessions) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        if (SessionState.IdIn(context.Options.Headers) is not null)
        {
            return continuation(request, context);
        }

        var call = new SessionCall<TRequest, TResponse>(request, context, continuation, sessions);
        return new AsyncUnaryCall<TResponse>(call.RunAsync(), call.ResponseHeadersAsync(), call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, OnCurrentSession(context));

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, OnCurrentSession(context));

    /// <summary>Names <paramref name="sessionId"/> in <paramref name="headers"/>, replacing any session named before.</summary>
    internal static void Name(Metadata headers, string sessionId)
    {
        while (headers.Get(SessionState.HeaderName) is { } stale)
        {
            headers.Remove(stale);
        }

        headers.Add(SessionState.HeaderName, sessionId);
    }

    /// <summary>Streams and blocking calls are not retried: they get the current session's header if they name none.</summary>
    private ClientInterceptorContext<TRequest, TResponse> OnCurrentSession<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class
    {
        if (SessionState.IdIn(context.Options.Headers) is not null)
        {
            return context;
        }

        var headers = context.Options.Headers ?? [];
        Name(headers, sessions.Current.Id);
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
    }
}
