using Mapd.Protocol.V1;

namespace Mapd.Cli.Daemon;

/// <summary>One client session of the daemon, as <c>mapctl sessions</c> shows it.</summary>
/// <param name="IdPrefix">The first 8 hex digits of the session id, as the daemon's log writes it.</param>
/// <param name="Pid">The client's process.</param>
/// <param name="Uid">The client's user.</param>
/// <param name="Regions">Region names it maps (deleted ones too, until it lets go), in the daemon's order.</param>
/// <param name="Since">When the session started.</param>
/// <param name="UnreadFds">Descriptors sent on its session socket and not yet taken: a growing number means a stuck client.</param>
internal sealed record SessionSummary(string IdPrefix, int Pid, uint Uid, IReadOnlyList<string> Regions, DateTimeOffset Since, int UnreadFds)
{
    /// <summary>Reads one entry of the daemon's ListSessions answer.</summary>
    public static SessionSummary From(SessionInfo session) => new(
        session.IdPrefix,
        (int)session.Pid,
        session.Uid,
        [.. session.Regions],
        RegionInfos.TimeOf(session.Since),
        (int)session.UnreadFds);
}
