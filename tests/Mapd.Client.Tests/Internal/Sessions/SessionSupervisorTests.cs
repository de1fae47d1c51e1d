using Grpc.Core;
using Mapd.Client.Internal.Sessions;
using Mapd.Client.Tests.Fakes;

namespace Mapd.Client.Tests.Internal.Sessions;

public sealed class SessionSupervisorTests : IDisposable
{
    private readonly SteppedTime _time = new();
    private readonly FakeDialer _dialer = new();
    private readonly FakeSession _first = new("first");
    private readonly RecordingLogger _log = new();
    private readonly SessionSupervisor _supervisor;
    private readonly List<string> _attached = [];
    private Func<SessionState, CancellationToken, Task> _attach = (_, _) => Task.CompletedTask;

    public SessionSupervisorTests() =>
        _supervisor = new SessionSupervisor(_dialer, _first, new Backoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2), new Random(3)), TimeSpan.FromSeconds(30), _time, _log);

    public void Dispose() => _supervisor.Dispose();

    [Fact]
    public async Task A_lost_session_is_replaced_after_a_backoff_and_waiting_calls_get_the_new_one()
    {
        Start();
        var initial = _supervisor.Current;

        _first.End();
        var due = await _time.NextTimerAsync();
        var waiting = _supervisor.NextAsync(initial, CancellationToken.None);
        var dialsBefore = _dialer.Count;
        _time.Advance(due);
        await _dialer.AnswerAsync("second");

        var next = await waiting;
        Assert.Equal(0, dialsBefore);
        Assert.InRange(due, TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(50));
        Assert.Equal("second", next.Id);
        Assert.Same(next, _supervisor.Current);
        Assert.Equal(1, _first.Disposals);
        Assert.Equal(["second"], _attached);
        Assert.Same(initial, _supervisor.Find("first"));
        Assert.Same(next, _supervisor.Find("second"));
        Assert.Contains("SessionLost", _log.Events);
        Assert.Contains("Reconnected", _log.Events);
    }

    [Fact]
    public async Task A_session_whose_attach_failed_is_disposed_before_the_next_attempt()
    {
        // R3: the dialled session must not outlive its failed attempt (its receiver thread
        // would keep it open and the daemon would count it until the process exits).
        var attempts = 0;
        _attach = (_, _) => ++attempts == 1 ? throw new IOException("the daemon went away again during re-attach") : Task.CompletedTask;
        Start();
        var initial = _supervisor.Current;

        _first.End();
        _time.Advance(await _time.NextTimerAsync());
        var failed = await _dialer.AnswerAsync("failed");
        _time.Advance(await _time.NextTimerAsync());
        var disposalsBeforeRetry = failed.Disposals;
        var good = await _dialer.AnswerAsync("good");
        var next = await initial.Replaced.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, disposalsBeforeRetry);
        Assert.Equal(0, good.Disposals);
        Assert.Equal("good", next.Id);
        Assert.Same(next, _supervisor.Current);
        Assert.Null(_supervisor.Find("failed"));
        Assert.Contains("ReconnectFailed", _log.Events);
    }

    [Fact]
    public async Task A_session_dialled_while_the_client_is_disposed_is_disposed_too()
    {
        var attaching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _attach = async (_, cancellationToken) =>
        {
            attaching.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        };
        Start();

        _first.End();
        _time.Advance(await _time.NextTimerAsync());
        var dialled = await _dialer.AnswerAsync("dialled");
        await attaching.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _supervisor.Dispose();

        Assert.Equal(1, dialled.Disposals);
        Assert.Equal("first", _supervisor.Current.Id);
    }

    [Fact]
    public async Task Refused_dials_back_off_exponentially()
    {
        Start();
        _first.End();
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            var due = await _time.NextTimerAsync();
            delays.Add(due);
            _time.Advance(due);
            await _dialer.RefuseAsync();
        }

        Assert.InRange(delays[0].TotalMilliseconds, 25, 50);
        Assert.InRange(delays[1].TotalMilliseconds, 50, 100);
        Assert.InRange(delays[2].TotalMilliseconds, 100, 200);
        Assert.InRange(delays[3].TotalMilliseconds, 200, 400);
    }

    [Fact]
    public async Task A_call_waiting_longer_than_the_reconnect_timeout_fails_with_UNAVAILABLE_naming_the_socket()
    {
        _first.End();
        var waiting = _supervisor.NextAsync(_supervisor.Current, CancellationToken.None);

        _time.Advance(await _time.NextTimerAsync());

        var e = await Assert.ThrowsAsync<MapdException>(() => waiting);
        Assert.Equal(StatusCode.Unavailable, e.Code);
        Assert.Contains(_dialer.Path, e.Message, StringComparison.Ordinal);
        Assert.Contains("mappings stay valid", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_while_the_session_stays_open_is_UNAVAILABLE_after_a_second()
    {
        var waiting = _supervisor.NextAsync(_supervisor.Current, CancellationToken.None);

        var due = await _time.NextTimerAsync();
        _time.Advance(due);

        var e = await Assert.ThrowsAsync<MapdException>(() => waiting);
        Assert.Equal(TimeSpan.FromSeconds(1), due);
        Assert.Equal(StatusCode.Unavailable, e.Code);
        Assert.Contains("still open", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disposing_fails_waiting_calls_at_once_and_ends_the_session()
    {
        Start();
        _first.End();
        var waiting = _supervisor.NextAsync(_supervisor.Current, CancellationToken.None);

        _supervisor.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _supervisor.CurrentAsync(CancellationToken.None));
        Assert.True(_first.Disposals >= 1);
    }

    private void Start() => _supervisor.Start(new SessionHooks(
        (state, cancellationToken) =>
        {
            lock (_attached)
            {
                _attached.Add(state.Id);
            }

            return _attach(state, cancellationToken);
        },
        (_, cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken)));
}
