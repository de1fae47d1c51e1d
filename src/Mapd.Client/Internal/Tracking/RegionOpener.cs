using Grpc.Core;
using Mapd.Client.Internal.Sessions;
using Mapd.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace Mapd.Client.Internal.Tracking;

/// <summary>
/// Opens (or creates) a region and maps it: in order with this process's Close of the name,
/// on the session that answered, catching up with a resize that raced with the open. Once the
/// daemon answered, it counts this session as a mapper of the name: if the open then fails or is
/// cancelled (waiting for the descriptor, mapping it, catching up), the name is closed again
/// unless something else here uses it.
/// </summary>
internal sealed class RegionOpener(RegionTable table, RegionSync sync, PinnedCalls pinned, ISessionLookup sessions, ILogger logger)
{
    public async Task<MappedRegion> OpenAsync(string name, Func<Metadata, AsyncUnaryCall<OpenResponse>> call, CancellationToken cancellationToken)
    {
        var ticket = table.BeginOpen(name);
        try
        {
            await ticket.Closing;
            var headers = new Metadata();
            OpenResponse response;
            try
            {
                response = await call(headers);
            }
            catch (MapdException e) when (e.Code is StatusCode.Cancelled or StatusCode.DeadlineExceeded)
            {
                // Given up while on its way: the daemon may have answered it all the same.
                table.AnswerLost(ticket);
                RegionLog.OpenUndone(logger, name, e);
                throw;
            }

            var state = sessions.Find(SessionState.IdIn(headers));
            table.Replied(ticket, state, response.HandoffId);
            try
            {
                return await MapAsync(ticket, response, state, cancellationToken);
            }
            catch (Exception e)
            {
                RegionLog.OpenUndone(logger, name, e);
                throw;
            }
        }
        finally
        {
            table.EndOpen(ticket);
        }
    }

    private async Task<MappedRegion> MapAsync(OpenTicket ticket, OpenResponse response, SessionState? state, CancellationToken cancellationToken)
    {
        if (state is null)
        {
            throw new IOException($"the mapd session ended before the descriptor of region '{response.Region.Name}' arrived");
        }

        var descriptor = await state.Session.TakeAsync(response.HandoffId, cancellationToken);
        MappedRegion region;
        try
        {
            region = MappedRegion.Map(sync, descriptor, response.Region, MappedRegion.FromProtocol(response.Access));
        }
        catch
        {
            descriptor.Dispose();
            throw;
        }

        try
        {
            var newer = table.Add(ticket, region);

            // A resize that raced with this open reached the watch before the region was registered.
            if (newer is not null)
            {
                await sync.ApplyAsync(region.Name, newer, RegionEvent.Types.Kind.Resized);
            }
            else if (response.Region.PendingSize != 0)
            {
                // It maps only the smaller size already; saying so lets a shrink after a restart commit.
                await pinned.ReleaseAsync(region.Name, response.Region.Generation, state);
            }

            return region;
        }
        catch
        {
            region.Dispose();
            throw;
        }
    }
}
