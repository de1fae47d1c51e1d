using Grpc.Core;
using Mapd.Client.Internal.Calls;
using Mapd.Client.Internal.Sessions;
using Mapd.Native;
using Mapd.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace Mapd.Client.Internal.Tracking;

/// <summary>
/// Opens (or creates) a region and maps it: in order with this process's Close of the name,
/// on the session that answered, catching up with a resize that raced with the open. Once the
/// daemon answered, it counts this session as a mapper of the name: if the open then fails or is
/// cancelled (waiting for the descriptor, mapping it, catching up), the name is closed again
/// unless something else here uses it. Opens go on the session socket when
/// <see cref="SessionOpenSupport"/> says so, else as the call they were given.
/// </summary>
internal sealed class RegionOpener(RegionTable table, RegionSync sync, PinnedCalls pinned, ISessionSource sessions, ISessionLookup lookup, SessionOpenSupport support, ILogger logger)
{
    /// <summary>Opens <paramref name="name"/> on the session socket if it can, else with <paramref name="call"/>.</summary>
    public Task<MappedRegion> OpenAsync(string name, Access access, Func<Metadata, AsyncUnaryCall<OpenResponse>> call, CancellationToken cancellationToken) =>
        OpenAsync(name, access, call, onSocket: true, cancellationToken);

    /// <summary>Opens (creates) <paramref name="name"/> with <paramref name="call"/>.</summary>
    public Task<MappedRegion> OpenAsync(string name, Func<Metadata, AsyncUnaryCall<OpenResponse>> call, CancellationToken cancellationToken) =>
        OpenAsync(name, Access.Unspecified, call, onSocket: false, cancellationToken);

    private async Task<MappedRegion> OpenAsync(string name, Access access, Func<Metadata, AsyncUnaryCall<OpenResponse>> call, bool onSocket, CancellationToken cancellationToken)
    {
        var ticket = table.BeginOpen(name);
        try
        {
            await ticket.Closing;
            var opened = onSocket ? await AskSessionAsync(ticket, name, access, cancellationToken) : null;
            OpenResponse? response = null;
            SessionState? state = null;
            if (opened is null)
            {
                var headers = new Metadata();
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

                state = lookup.Find(SessionState.IdIn(headers));
                table.Replied(ticket, state, response.HandoffId);
            }

            try
            {
                var (answer, descriptor, session) = opened ?? await TakeAsync(response!, state, cancellationToken);
                return await MapAsync(ticket, answer, descriptor, session);
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

    /// <summary>
    /// Asks on the current session's socket, and once more on the next session if the first
    /// ended before it answered (the daemon forgets what a session opened when it ends). Null
    /// when this session's daemon takes Open calls only, or its socket is full; and for a name
    /// or access no OPEN can carry, which the call then has the daemon refuse with its reason.
    /// </summary>
    private async Task<(OpenResponse Response, FileDescriptor Descriptor, SessionState State)?> AskSessionAsync(OpenTicket ticket, string name, Access access, CancellationToken cancellationToken)
    {
        if (access is not (Access.ReadOnly or Access.ReadWrite) || RegionName.Validate(name) is not null)
        {
            return null;
        }

        var state = await sessions.CurrentAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            if (!await support.ForAsync(state) || state.Session.TryOpen(name, access) is not { } answer)
            {
                return null;
            }

            try
            {
                var opened = await answer.WaitAsync(cancellationToken);
                table.Replied(ticket, state, opened.Response.HandoffId);
                return (opened.Response, opened.Descriptor, state);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                FinishLate(name, state, answer);
                throw;
            }
            catch (IOException e) when (attempt == 1)
            {
                RegionLog.OpenUndone(logger, name, e);
                state = await sessions.NextAsync(state, cancellationToken);
            }
            catch (IOException e)
            {
                throw new MapdException(StatusCode.Unavailable, $"mapd went away twice while opening region '{name}'; it restarts under systemd: open again once it is back", e);
            }
        }
    }

    /// <summary>
    /// The caller gave up on an OPEN already sent. Its answer still comes (the daemon answers every
    /// OPEN it reads, or the session ends): it is taken then, under an open of the name of its own,
    /// so a granted open is closed again in order rather than counted until the session ends.
    /// </summary>
    private void FinishLate(string name, SessionState state, Task<OpenedOnSession> answer)
    {
        var late = table.BeginOpen(name);
        _ = FinishLateAsync();

        async Task FinishLateAsync()
        {
            try
            {
                var opened = await answer;
                table.Replied(late, state, opened.Response.HandoffId);
                opened.Descriptor.Dispose();
            }
            catch (Exception e) when (e is MapdException or IOException)
            {
                // Refused, or the session ended: the daemon counts no mapper for it.
            }
            finally
            {
                table.EndOpen(late);
            }
        }
    }

    private static async Task<(OpenResponse Response, FileDescriptor Descriptor, SessionState State)> TakeAsync(OpenResponse response, SessionState? state, CancellationToken cancellationToken)
    {
        if (state is null)
        {
            throw new IOException($"the mapd session ended before the descriptor of region '{response.Region.Name}' arrived");
        }

        return (response, await state.Session.TakeAsync(response.HandoffId, cancellationToken), state);
    }

    private async Task<MappedRegion> MapAsync(OpenTicket ticket, OpenResponse response, FileDescriptor descriptor, SessionState state)
    {
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
