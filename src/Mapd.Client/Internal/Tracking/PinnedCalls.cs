using Grpc.Core;
using Mapd.Client.Internal.Sessions;
using Mapd.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace Mapd.Client.Internal.Tracking;

/// <summary>
/// Close and Release: calls that speak for one session and are never retried on another. They
/// never throw; a failure is logged, since a lost session releases and closes everything anyway.
/// A Close goes as a CLOSE frame on the session socket that answered the open, when it is known;
/// otherwise as a Close call.
/// </summary>
internal sealed class PinnedCalls(Regions.RegionsClient regions, ISessionSource sessions, ILogger logger, CancellationToken life) : IRegionCloser
{
    /// <inheritdoc/>
    public bool TryCloseNow(CloseOrder order) =>
        order.Session is { } session && (session != sessions.Current || session.Session.TrySendClose(order.HandoffId, order.Name, wait: false));

    /// <inheritdoc/>
    public Task CloseAsync(CloseOrder order)
    {
        if (order.Session is not { } session)
        {
            return CloseAsync(order.Name);
        }

        // A session that was replaced ended, and the daemon forgot what it mapped.
        if (session == sessions.Current)
        {
            session.Session.TrySendClose(order.HandoffId, order.Name, wait: true);
        }

        return Task.CompletedTask;
    }

    /// <summary>Tells the daemon the current session no longer maps <paramref name="name"/>, by a Close call.</summary>
    public async Task CloseAsync(string name, SessionState? state = null)
    {
        state ??= sessions.Current;
        try
        {
            await regions.CloseAsync(new CloseRequest { Name = name }, state.Headers, cancellationToken: life);
        }
        catch (Exception e) when (IsExpected(e))
        {
            RegionLog.CloseFailed(logger, name, state.Id, e);
        }
    }

    /// <summary>Tells the daemon this session's mappings of <paramref name="name"/> reached <paramref name="generation"/>.</summary>
    public async Task ReleaseAsync(string name, ulong generation, SessionState? state = null)
    {
        state ??= sessions.Current;
        try
        {
            await regions.ReleaseAsync(new ReleaseRequest { Name = name, Generation = generation }, state.Headers, cancellationToken: life);
        }
        catch (Exception e) when (IsExpected(e))
        {
            RegionLog.ReleaseFailed(logger, name, generation, state.Id, e);
        }
    }

    /// <summary>The session is gone, the daemon restarted, the region was closed meanwhile, or the client is being disposed.</summary>
    private static bool IsExpected(Exception e) =>
        e is RpcException or ObjectDisposedException or OperationCanceledException or InvalidOperationException;
}
