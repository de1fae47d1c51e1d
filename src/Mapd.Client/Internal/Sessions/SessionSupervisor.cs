using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Mapd.Client.Internal.Sessions;

/// <summary>
/// Keeps this process's session with the daemon. While a session lives it runs the
/// <see cref="ISessionHooks.ServeAsync"/> hook; when the daemon closes it, it dials again with
/// <see cref="Backoff"/> until a new session is up and attached, then replaces the old one, so
/// callers waiting in <see cref="NextAsync"/> carry on with the new session. A session that was
/// dialled but could not be attached is disposed at once, so no half-made session outlives its
/// attempt.
/// </summary>
internal sealed class SessionSupervisor : ISessionSource, ISessionLookup, IDisposable
{
    private static readonly TimeSpan LossNoticeWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(5);
    private readonly ISessionDialer _dialer;
    private readonly Backoff _backoff;
    private readonly TimeSpan _reconnectTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _life = new();
    private readonly Lock _gate = new();
    private volatile SessionState _current;
    private SessionState? _lost;
    private Task _loop = Task.CompletedTask;
    private bool _disposed;

    public SessionSupervisor(ISessionDialer dialer, ISession first, Backoff backoff, TimeSpan reconnectTimeout, TimeProvider time, ILogger logger)
    {
        _dialer = dialer;
        _backoff = backoff;
        _reconnectTimeout = reconnectTimeout;
        _time = time;
        _logger = logger;
        _current = new SessionState(first);
    }

    /// <summary>The session calls use now (it may have just been lost).</summary>
    public SessionState Current => _current;

    /// <summary>Starts supervising with <paramref name="hooks"/>.</summary>
    public void Start(ISessionHooks hooks) => _loop = Task.Run(() => SuperviseAsync(hooks));

    /// <summary>The current session, or its replacement if it is already lost.</summary>
    public async Task<SessionState> CurrentAsync(CancellationToken cancellationToken)
    {
        if (_life.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(MapdClient), "the client was disposed");
        }

        var state = _current;
        return state.Session.IsClosed ? await NextAsync(state, cancellationToken) : state;
    }

    /// <summary>
    /// The session that replaces <paramref name="lost"/> once the daemon is back, within the
    /// reconnect timeout; UNAVAILABLE if the daemon refused a call but the session is still open.
    /// </summary>
    public async Task<SessionState> NextAsync(SessionState lost, CancellationToken cancellationToken)
    {
        // A refused call may come a moment before the session socket reports the daemon's death.
        await lost.Session.Closed.WaitAsync(LossNoticeWait, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
        if (!lost.Session.IsClosed)
        {
            throw new MapdException(StatusCode.Unavailable, "mapd refused the call but the session is still open; retry later");
        }

        try
        {
            return await lost.Replaced.Task.WaitAsync(_reconnectTimeout, _time, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new MapdException(StatusCode.Unavailable, $"mapd has been unreachable at {_dialer.Path} for {_reconnectTimeout.TotalSeconds} s; mappings stay valid, calls resume once it is back", e);
        }
    }

    /// <summary>The session named <paramref name="id"/>: the current one or the one it replaced.</summary>
    public SessionState? Find(string? id)
    {
        lock (_gate)
        {
            return _current.Id == id ? _current : _lost?.Id == id ? _lost : null;
        }
    }

    /// <summary>
    /// Ends supervision and the session. Calls waiting for a new session fail at once; the
    /// supervising loop is given a few seconds to finish (a hook may wait on leases the
    /// application still holds).
    /// </summary>
    public void Dispose()
    {
        SessionState current;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            current = _current;
        }

        _life.Cancel();
        current.Session.Dispose();
        current.Replaced.TrySetException(new ObjectDisposedException(nameof(MapdClient), "the client was disposed while this call waited for the daemon"));
        if (Stopped(_loop))
        {
            _life.Dispose();
        }
    }

    private static bool Stopped(Task loop)
    {
        try
        {
            return loop.Wait(StopWait);
        }
        catch (AggregateException)
        {
            return true;
        }
    }

    private async Task SuperviseAsync(ISessionHooks hooks)
    {
        var token = _life.Token;
        while (!token.IsCancellationRequested)
        {
            var state = _current;
            using (var serving = CancellationTokenSource.CreateLinkedTokenSource(token))
            {
                var serve = hooks.ServeAsync(state, serving.Token);
                await state.Session.Closed.WaitAsync(token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await serving.CancelAsync();
                await serve.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (token.IsCancellationRequested)
            {
                return;
            }

            SessionSupervisorLog.SessionLost(_logger, state.Id, _dialer.Path, state.Session.Failure);
            state.Session.Dispose();
            await ReconnectAsync(hooks, token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task ReconnectAsync(ISessionHooks hooks, CancellationToken token)
    {
        var started = _time.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            await Task.Delay(_backoff.Delay(attempt), _time, token);
            ISession? session = null;
            try
            {
                session = await _dialer.DialAsync(token);
                var state = new SessionState(session);
                await hooks.AttachAsync(state, token);
                if (Replace(state))
                {
                    session = null;
                    var elapsed = _time.GetElapsedTime(started);
                    SessionSupervisorLog.Reconnected(_logger, state.Id, attempt + 1, elapsed);
                }

                return;
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                SessionSupervisorLog.ReconnectFailed(_logger, attempt + 1, _dialer.Path, e);
            }
            finally
            {
                // Dialled but not in service (attach failed, or the client is going away): its
                // receiver thread would keep it open, and the daemon would count it, forever.
                session?.Dispose();
            }
        }
    }

    /// <summary>Puts <paramref name="next"/> in service, unless the supervisor was disposed meanwhile.</summary>
    private bool Replace(SessionState next)
    {
        SessionState previous;
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            previous = _current;
            _lost = previous;
            _current = next;
        }

        SessionSupervisorLog.Replaced(_logger, previous.Id, next.Id);
        previous.Replaced.TrySetResult(next);
        return true;
    }
}
