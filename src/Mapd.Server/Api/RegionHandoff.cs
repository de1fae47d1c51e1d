using Mapd.Protocol.V1;
using Mapd.Server.Peers;
using Mapd.Server.Regions;
using Mapd.Server.Sessions;
using Mapd.Server.Storage;

namespace Mapd.Server.Api;

/// <summary>
/// Opens (or creates) a region for a session and hands its descriptor over on the session's
/// socket, for an Open call (an FD message) and for an OPEN message (an OPENED message) alike.
/// What fails on the way is undone: the reservation is given back, and a mapper registered for
/// a descriptor that never left is removed again.
/// </summary>
public sealed class RegionHandoff(RegionStore store)
{
    // How long an open waits for its session to take earlier descriptors before RESOURCE_EXHAUSTED.
    private static readonly TimeSpan UnreadWait = TimeSpan.FromSeconds(2);

    /// <summary>Opens through <paramref name="open"/> and sends the descriptor in an FD message.</summary>
    public Task<(RegionSnapshot Region, ulong HandoffId)> OpenAsync(
        Session session, CallerIdentity caller, bool created, Func<CallerIdentity, Session, ulong, (RegionSnapshot Region, DescriptorLoan Descriptor)> open, CancellationToken cancellationToken) =>
        OpenAsync(session, caller, created, open, answer: null, cancellationToken);

    /// <summary>Opens through <paramref name="open"/> and sends the descriptor in the OPENED message that answers <paramref name="answer"/>.</summary>
    public async Task<(RegionSnapshot Region, ulong HandoffId)> OpenAsync(
        Session session, CallerIdentity caller, bool created, Func<CallerIdentity, Session, ulong, (RegionSnapshot Region, DescriptorLoan Descriptor)> open, OpenAnswer? answer, CancellationToken cancellationToken)
    {
        await session.ReserveDescriptorAsync(UnreadWait, cancellationToken);
        var handoffId = Session.NextHandoffId();
        (RegionSnapshot Region, DescriptorLoan Descriptor) opened;
        try
        {
            opened = open(caller, session, handoffId);
        }
        catch
        {
            session.CancelReservation();
            throw;
        }

        using (opened.Descriptor)
        {
            try
            {
                if (answer is { } request)
                {
                    Span<byte> message = stackalloc byte[SessionFrames.MaxLength];
                    var length = SessionOpenFrames.WriteOpened(message, request.RequestId, handoffId, request.Access, RegionMessages.Summary(opened.Region));
                    session.HandOff(opened.Descriptor.Descriptor, handoffId, message[..length]);
                }
                else
                {
                    session.HandOff(opened.Descriptor.Descriptor, handoffId);
                }

                return (opened.Region, handoffId);
            }
            catch
            {
                store.Mappings.AbandonOpen(opened.Region.Name, session, created);
                throw;
            }
        }
    }
}

/// <summary>The OPEN message an OPENED answers: its request id and the access it asked for.</summary>
public readonly record struct OpenAnswer(ulong RequestId, Access Access);
