using Grpc.Core;
using Mapd.Native;
using Mapd.Protocol.V1;
using Mapd.Server.Errors;
using Mapd.Server.Meters;
using Mapd.Server.Regions;
using Mapd.Server.Sessions;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Api;

/// <summary>
/// Answers OPEN messages on <c>mapd-fd.sock</c>: the open that <see cref="RegionsService.Open"/>
/// serves, asked on the socket its descriptor travels on. Same checks, same outcome, same
/// statuses; the answer is an OPENED message with the descriptor, or an OPEN_FAILED with the
/// status Open would have answered with. The caller is the session's own process, as the kernel
/// named it when it connected.
/// </summary>
public sealed partial class SessionOpens(RegionStore store, RegionHandoff handoff, ILogger<SessionOpens> logger) : ISessionRequests
{
    /// <inheritdoc />
    public async ValueTask<bool> ServeAsync(Session session, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        if (!SessionOpenFrames.TryReadOpen(message.Span, out var requestId, out var access, out var name))
        {
            return false;
        }

        Status failure;
        try
        {
            var writable = RegionMessages.Writable(access);
            await handoff.OpenAsync(
                session,
                session.Caller,
                created: false,
                (caller, mapper, handoffId) => store.Mappings.Open(name, writable, caller, mapper, handoffId),
                new OpenAnswer(requestId, access),
                cancellationToken);
            MapdMetrics.SessionOpened();
            return true;
        }
        catch (Exception e) when (ErrorInterceptor.StatusOf(e, "OPEN") is { } status)
        {
            if (e is SystemCallException failed)
            {
                Log.SystemCallFailed(logger, session.Id, failed);
            }

            failure = status;
        }

        Log.OpenRefused(logger, session.Id, session.Pid, failure.StatusCode, failure.Detail);
        MapdMetrics.CallFailed(failure.StatusCode);
        Span<byte> answer = stackalloc byte[SessionFrames.MaxLength];
        var length = SessionOpenFrames.WriteFailed(answer, requestId, (uint)failure.StatusCode, failure.Detail);
        if (!session.TrySend(answer[..length]))
        {
            throw new IOException($"session {session.Id}'s socket is full: the client does not read what mapd answers on it");
        }

        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 430, EventName = "OpenRefused", Level = LogLevel.Debug, Message = "OPEN of session {Id} (pid {Pid}) answered {Code}: {Detail}")]
        public static partial void OpenRefused(ILogger logger, string id, int pid, StatusCode code, string detail);

        [LoggerMessage(EventId = 431, EventName = "OpenSystemCallFailed", Level = LogLevel.Error, Message = "OPEN of session {Id} failed in a system call")]
        public static partial void SystemCallFailed(ILogger logger, string id, Exception exception);
    }
}
