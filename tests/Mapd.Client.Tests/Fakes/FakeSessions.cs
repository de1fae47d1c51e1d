using Mapd.Client.Internal.Sessions;

namespace Mapd.Client.Tests.Fakes;

/// <summary>A fixed current session and, when the test says so, its replacement.</summary>
internal sealed class FakeSessions(FakeSession first) : ISessionSource, ISessionLookup
{
    private SessionState _current = new(first);

    public SessionState Current => _current;

    public SessionState? Previous { get; private set; }

    public Task<SessionState> CurrentAsync(CancellationToken cancellationToken) => Task.FromResult(_current);

    public Task<SessionState> NextAsync(SessionState lost, CancellationToken cancellationToken) =>
        lost.Replaced.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);

    public SessionState? Find(string? id) => _current.Id == id ? _current : Previous?.Id == id ? Previous : null;

    /// <summary>The daemon restarted: the current session ends and <paramref name="next"/> replaces it.</summary>
    public SessionState Replace(FakeSession next)
    {
        var lost = _current;
        ((FakeSession)lost.Session).End();
        Previous = lost;
        _current = new SessionState(next);
        lost.Replaced.TrySetResult(_current);
        return _current;
    }
}
