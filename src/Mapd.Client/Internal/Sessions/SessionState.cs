using Grpc.Core;

namespace Mapd.Client.Internal.Sessions;

/// <summary>One session and the headers naming it; replaced wholesale when the daemon restarts.</summary>
internal sealed class SessionState(ISession session)
{
    /// <summary>The metadata key that names the session of a call.</summary>
    public const string HeaderName = "mapd-session";

    public ISession Session { get; } = session;

    public string Id => Session.Id;

    /// <summary>Headers that pin a call to this session.</summary>
    public Metadata Headers { get; } = new() { { HeaderName, session.Id } };

    /// <summary>Completes with the session that replaced this one once it was lost.</summary>
    public TaskCompletionSource<SessionState> Replaced { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Task<bool?>? _opensOnSocket;

    /// <summary>
    /// Whether this session's daemon answers OPEN messages: asked with <paramref name="ask"/>
    /// once, and again only when the answer was unknown (null: the daemon did not answer).
    /// </summary>
    public async Task<bool> OpensOnSocketAsync(Func<Task<bool?>> ask)
    {
        var asked = Volatile.Read(ref _opensOnSocket);
        if (asked is null)
        {
            var mine = ask();
            asked = Interlocked.CompareExchange(ref _opensOnSocket, mine, null) ?? mine;
        }

        var answer = await asked;
        if (answer is null)
        {
            _ = Interlocked.CompareExchange(ref _opensOnSocket, null, asked);
        }

        return answer ?? false;
    }

    /// <summary>The session a call's headers name, if any.</summary>
    public static string? IdIn(Metadata? headers) => headers?.GetValue(HeaderName);
}
