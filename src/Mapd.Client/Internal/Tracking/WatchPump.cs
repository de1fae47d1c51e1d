using Grpc.Core;
using Mapd.Client.Internal.Sessions;
using Mapd.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace Mapd.Client.Internal.Tracking;

/// <summary>
/// Watches the regions a session has open and hands each event to <see cref="RegionSync"/>. When
/// the daemon ends the stream (it stops, or this watch fell behind), it watches again: the
/// CURRENT events that open a stream resynchronise every region.
/// </summary>
internal sealed class WatchPump(Regions.RegionsClient regions, RegionSync sync, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromMilliseconds(100);

    public async Task ServeAsync(SessionState state, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && !state.Session.IsClosed)
        {
            try
            {
                using var call = regions.Watch(new WatchRequest(), state.Headers, cancellationToken: cancellationToken);
                await call.ResponseHeadersAsync;
                await foreach (var regionEvent in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    sync.Dispatch(regionEvent);
                }
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // The session was lost or the client is going away: the supervisor decides what follows.
                return;
            }
            catch (RpcException e)
            {
                RegionLog.WatchRestarted(logger, state.Id, e.StatusCode);
                await Task.Delay(RestartDelay, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception e)
            {
                RegionLog.WatchFailed(logger, state.Id, e);
                await Task.Delay(RestartDelay, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
