using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Mapd.Client.Internal.Tracking;

/// <summary>What following regions reports. Event ids 200-299.</summary>
internal static partial class RegionLog
{
    [LoggerMessage(EventId = 200, EventName = "CloseFailed", Level = LogLevel.Debug,
        Message = "Close of region '{Name}' on session {SessionId} failed; the daemon forgets this session's mappings when the session ends")]
    public static partial void CloseFailed(ILogger logger, string name, string sessionId, Exception exception);

    [LoggerMessage(EventId = 201, EventName = "ReleaseFailed", Level = LogLevel.Debug,
        Message = "Release of region '{Name}' at generation {Generation} on session {SessionId} failed; a lost session releases everything anyway")]
    public static partial void ReleaseFailed(ILogger logger, string name, ulong generation, string sessionId, Exception exception);

    [LoggerMessage(EventId = 202, EventName = "WatchRestarted", Level = LogLevel.Information,
        Message = "The watch of session {SessionId} ended ({Status}); watching again, its first events resynchronise every region")]
    public static partial void WatchRestarted(ILogger logger, string sessionId, StatusCode status);

    [LoggerMessage(EventId = 203, EventName = "Reattached", Level = LogLevel.Information,
        Message = "Region '{Name}' re-registered on session {SessionId} after the daemon restarted")]
    public static partial void Reattached(ILogger logger, string name, string sessionId);

    [LoggerMessage(EventId = 204, EventName = "ReattachFoundDeleted", Level = LogLevel.Warning,
        Message = "Region '{Name}' was deleted while the daemon was down; its mappings here stay valid until disposed")]
    public static partial void ReattachFoundDeleted(ILogger logger, string name);

    [LoggerMessage(EventId = 205, EventName = "ReattachFoundReplaced", Level = LogLevel.Warning,
        Message = "Region '{Name}' was deleted and created anew while the daemon was down; the mappings here are of the old one and count as deleted")]
    public static partial void ReattachFoundReplaced(ILogger logger, string name);

    [LoggerMessage(EventId = 206, EventName = "OpenUndone", Level = LogLevel.Debug,
        Message = "Open of region '{Name}' failed after the daemon answered it; it is closed again so the daemon does not count this session as a mapper")]
    public static partial void OpenUndone(ILogger logger, string name, Exception exception);

    [LoggerMessage(EventId = 207, EventName = "ApplyFailed", Level = LogLevel.Error,
        Message = "Applying a change of region '{Name}' to its mappings failed")]
    public static partial void ApplyFailed(ILogger logger, string name, Exception exception);

    [LoggerMessage(EventId = 208, EventName = "WatchFailed", Level = LogLevel.Warning,
        Message = "The watch of session {SessionId} failed; watching again")]
    public static partial void WatchFailed(ILogger logger, string sessionId, Exception exception);
}
