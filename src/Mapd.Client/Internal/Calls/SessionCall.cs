using Grpc.Core;
using Grpc.Core.Interceptors;
using Mapd.Client.Internal.Sessions;

namespace Mapd.Client.Internal.Calls;

/// <summary>One unary call as <see cref="SessionInterceptor"/> runs it: one attempt, and at most one more on the next session.</summary>
internal sealed class SessionCall<TRequest, TResponse>(
    TRequest request,
    ClientInterceptorContext<TRequest, TResponse> context,
    Interceptor.AsyncUnaryCallContinuation<TRequest, TResponse> continuation,
    ISessionSource sessions)
    where TRequest : class
    where TResponse : class
{
    private readonly Metadata _headers = context.Options.Headers ?? [];
    private readonly TaskCompletionSource _attempted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile AsyncUnaryCall<TResponse>? _attempt;

    public async Task<TResponse> RunAsync()
    {
        try
        {
            var cancellationToken = context.Options.CancellationToken;
            var rule = CallPolicy.RuleOf(context.Method.ServiceName, context.Method.Name);
            var state = await sessions.CurrentAsync(cancellationToken);
            try
            {
                return await AttemptAsync(state);
            }
            catch (RpcException e) when (CallPolicy.MayRetry(rule, e, state.Session.IsClosed))
            {
                state = await sessions.NextAsync(state, cancellationToken);
                try
                {
                    return await AttemptAsync(state);
                }
                catch (RpcException again)
                {
                    throw MapdException.From(again);
                }
            }
            catch (RpcException e)
            {
                throw CallPolicy.Translate(e);
            }
        }
        finally
        {
            _attempted.TrySetResult();
        }
    }

    public async Task<Metadata> ResponseHeadersAsync()
    {
        await _attempted.Task;
        return _attempt is { } attempt ? await attempt.ResponseHeadersAsync : [];
    }

    public Status GetStatus() => Attempt.GetStatus();

    public Metadata GetTrailers() => Attempt.GetTrailers();

    public void Dispose() => _attempt?.Dispose();

    private AsyncUnaryCall<TResponse> Attempt => _attempt ?? throw new InvalidOperationException("the call has not been sent");

    private Task<TResponse> AttemptAsync(SessionState state)
    {
        SessionInterceptor.Name(_headers, state.Id);
        var previous = _attempt;
        _attempt = continuation(request, new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(_headers)));
        previous?.Dispose();
        return _attempt.ResponseAsync;
    }
}
