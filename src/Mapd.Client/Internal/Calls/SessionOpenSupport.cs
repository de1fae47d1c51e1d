using Grpc.Core;
using Mapd.Client.Internal.Sessions;
using Mapd.Protocol.V1;

namespace Mapd.Client.Internal.Calls;

/// <summary>
/// Decides whether opens go on the session socket (OPEN messages) or as Open calls: only when
/// <see cref="MapdClientOptions.OpenOnSessionSocket"/> allows it and the session's daemon says
/// it serves them, which each session's daemon is asked once, with a Ping. A daemon from before
/// OPEN answers Ping without <c>session_open</c>, and gets Open calls.
/// </summary>
internal sealed class SessionOpenSupport(Regions.RegionsClient grpc, bool enabled, TimeSpan timeout, CancellationToken life)
{
    private static readonly PingRequest Ping = new();

    /// <summary>Whether to open on <paramref name="session"/>'s socket.</summary>
    public Task<bool> ForAsync(SessionState session) =>
        enabled ? session.OpensOnSocketAsync(AskAsync) : Task.FromResult(false);

    private async Task<bool?> AskAsync()
    {
        try
        {
            var answer = await grpc.PingAsync(Ping, deadline: DateTime.UtcNow + timeout, cancellationToken: life);
            return answer.SessionOpen;
        }
        catch (RpcException)
        {
            // Unknown: this open is a call, and the next open asks again.
            return null;
        }
    }
}
