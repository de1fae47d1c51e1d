using System.Threading.Channels;
using Mapd.Client.Internal.Sessions;

namespace Mapd.Client.Tests.Fakes;

/// <summary>Dials fake sessions; every dial waits until the test answers it.</summary>
internal sealed class FakeDialer : ISessionDialer
{
    private readonly Channel<TaskCompletionSource<ISession>> _dials = Channel.CreateUnbounded<TaskCompletionSource<ISession>>();
    private int _count;

    public string Path => "/run/mapd-test/mapd-fd.sock";

    public int Count => Volatile.Read(ref _count);

    public Task<ISession> DialAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        var dial = new TaskCompletionSource<ISession>(TaskCreationOptions.RunContinuationsAsynchronously);
        cancellationToken.Register(() => dial.TrySetCanceled(cancellationToken));
        _dials.Writer.TryWrite(dial);
        return dial.Task;
    }

    /// <summary>Waits for the next dial (up to a deadline) and answers it with a new session.</summary>
    public async Task<FakeSession> AnswerAsync(string id)
    {
        var session = new FakeSession(id);
        (await NextAsync()).TrySetResult(session);
        return session;
    }

    /// <summary>Waits for the next dial (up to a deadline) and fails it.</summary>
    public async Task RefuseAsync() =>
        (await NextAsync()).TrySetException(new MapdException(Grpc.Core.StatusCode.Unavailable, "mapd is not reachable (ECONNREFUSED)"));

    private async Task<TaskCompletionSource<ISession>> NextAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _dials.Reader.ReadAsync(deadline.Token);
    }
}
