using Grpc.Core;
using Mapd.Client.Internal.Sessions;
using Mapd.Native;
using Mapd.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace Mapd.Client.Internal.Tracking;

/// <summary>
/// After the daemon restarted, re-opens every region mapped here on the new session, so the
/// daemon knows again who maps what, before calls use that session. Mappings are never
/// touched. A region deleted meanwhile, or deleted and created anew (another inode), counts as
/// deleted here. Any other failure fails the attempt; the supervisor then tries a new session.
/// </summary>
internal sealed class Reattacher(RegionTable table, RegionSync sync, Regions.RegionsClient regions, ILogger logger)
{
    public async Task AttachAsync(SessionState state, CancellationToken cancellationToken)
    {
        foreach (var (name, access, sample) in table.Mapped())
        {
            OpenResponse response;
            try
            {
                response = await regions.OpenAsync(new OpenRequest { Name = name, Access = (Access)access }, state.Headers, cancellationToken: cancellationToken);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                RegionLog.ReattachFoundDeleted(logger, name);
                sync.DispatchDeleted(name);
                continue;
            }

            using (var descriptor = await state.Session.TakeAsync(response.HandoffId, cancellationToken))
            {
                if (!sample.IsDisposed && Files.Stat(descriptor, name).Inode != Files.Stat(sample.Descriptor, name).Inode)
                {
                    // Deleted and created anew while the daemon was down: ours is gone.
                    await regions.CloseAsync(new CloseRequest { Name = name }, state.Headers, cancellationToken: cancellationToken);
                    RegionLog.ReattachFoundReplaced(logger, name);
                    sync.DispatchDeleted(name);
                    continue;
                }
            }

            if (!table.Reattached(name, state, response.HandoffId))
            {
                // Its last mapping went while the daemon answered: the Close sent then named the old session.
                await regions.CloseAsync(new CloseRequest { Name = name }, state.Headers, cancellationToken: cancellationToken);
                continue;
            }

            await sync.Enqueue(name, async () =>
            {
                foreach (var region in table.Snapshot(name))
                {
                    region.Raise(new RegionChange(RegionChangeKind.Reattached, region.Size, region.Generation));
                }

                await sync.ApplyAndReleaseAsync(name, response.Region, RegionEvent.Types.Kind.Current, state);
            });
            RegionLog.Reattached(logger, name, state.Id);
        }
    }
}
