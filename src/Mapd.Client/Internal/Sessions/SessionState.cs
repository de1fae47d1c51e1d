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

    /// <summary>The session a call's headers name, if any.</summary>
    public static string? IdIn(Metadata? headers) => headers?.GetValue(HeaderName);
}
