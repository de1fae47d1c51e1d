using Grpc.Core;
using Mapd.Server.Errors;
using Mapd.Server.Peers;
using Mapd.Server.Sessions;

namespace Mapd.Server.Api;

/// <summary>Who is calling, and with which session.</summary>
internal static class CallContextExtensions
{
    public const string SessionHeader = "mapd-session";

    /// <summary>The caller's kernel-verified identity.</summary>
    public static CallerIdentity Caller(this ServerCallContext context) =>
        context.GetHttpContext().Features.Get<CallerFeature>()?.Caller
        ?? throw RefusedException.Denied("mapd accepts calls only on its Unix socket, where the kernel names the caller");

    /// <summary>
    /// The caller's session: it must exist and belong to the very process that makes this call:
    /// same uid, same pid, and the same process behind that pid (a process that reuses the pid of
    /// a session's dead owner is another process).
    /// </summary>
    public static Session Session(this ServerCallContext context, SessionRegistry sessions)
    {
        var id = context.RequestHeaders.GetValue(SessionHeader);
        if (id is null)
        {
            throw RefusedException.Precondition($"this call needs a session: connect to {SocketLocation.SessionSocketName}, send HELLO, and pass the session id as '{SessionHeader}' metadata (the client library does this)");
        }

        if (id.Length != 32 || !id.All(char.IsAsciiHexDigitLower))
        {
            throw RefusedException.Precondition($"'{SessionHeader}' must be the 32 lowercase hex digits from WELCOME; got {id.Length} characters");
        }

        var session = sessions.Find(id)
            ?? throw RefusedException.Precondition($"session {id} is not open: it ended when its socket closed, or never existed; connect {SocketLocation.SessionSocketName} again");
        var caller = context.Caller();
        if (!session.Caller.IsSameProcess(caller))
        {
            throw RefusedException.Precondition($"session {id} belongs to another process; each process must use the session it opened itself");
        }

        return session;
    }
}
