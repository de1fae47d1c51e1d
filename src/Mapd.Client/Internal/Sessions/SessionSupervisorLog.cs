using Microsoft.Extensions.Logging;

namespace Mapd.Client.Internal.Sessions;

/// <summary>What the session supervisor reports. Event ids 100-199.</summary>
internal static partial class SessionSupervisorLog
{
    [LoggerMessage(EventId = 100, EventName = "SessionLost", Level = LogLevel.Warning,
        Message = "mapd closed session {SessionId} on {Path}; reconnecting (mappings stay valid meanwhile)")]
    public static partial void SessionLost(ILogger logger, string sessionId, string path, Exception? exception);

    [LoggerMessage(EventId = 101, EventName = "ReconnectFailed", Level = LogLevel.Debug,
        Message = "Reconnect attempt {Attempt} to {Path} failed; trying again after a backoff")]
    public static partial void ReconnectFailed(ILogger logger, int attempt, string path, Exception exception);

    [LoggerMessage(EventId = 102, EventName = "Reconnected", Level = LogLevel.Information,
        Message = "Reconnected to mapd as session {SessionId} after {Attempts} attempt(s) in {Elapsed}")]
    public static partial void Reconnected(ILogger logger, string sessionId, int attempts, TimeSpan elapsed);

    [LoggerMessage(EventId = 103, EventName = "SessionReplaced", Level = LogLevel.Debug,
        Message = "Session {Previous} replaced by {Next}; calls waiting for the daemon resume")]
    public static partial void Replaced(ILogger logger, string previous, string next);
}
