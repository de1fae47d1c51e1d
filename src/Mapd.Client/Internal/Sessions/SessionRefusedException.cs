using Grpc.Core;

namespace Mapd.Client.Internal.Sessions;

/// <summary>The daemon answered HELLO with REFUSED: no session, for the reason given (e.g. the uid holds its quota of sessions).</summary>
internal sealed class SessionRefusedException(StatusCode code, string message) : IOException(message)
{
    /// <summary>The status the daemon gave, e.g. RESOURCE_EXHAUSTED.</summary>
    public StatusCode Code { get; } = code;
}
