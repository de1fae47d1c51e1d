using System.Runtime.InteropServices;
using Mapd.Native;

namespace Mapd.Server.Peers;

/// <summary>Who makes a request, from the kernel's SO_PEERCRED and SO_PEERGROUPS of its connection.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Uid">Effective uid.</param>
/// <param name="Gid">Effective gid.</param>
/// <param name="Groups">Supplementary groups.</param>
/// <param name="Process">
/// Which process <paramref name="Pid"/> named when the connection was accepted (see
/// <see cref="ProcessStamp"/>), so a later process that reuses the pid is told apart; null when
/// the kernel could not tell.
/// </param>
public sealed record CallerIdentity(int Pid, uint Uid, uint Gid, IReadOnlyList<uint> Groups, ProcessStamp? Process = null)
{
    /// <summary>The process at the other end of a connected Unix socket.</summary>
    public static CallerIdentity Of(SafeHandle socket)
    {
        var peer = UnixSockets.GetPeerCredentials(socket);
        return new CallerIdentity(peer.Pid, peer.Uid, peer.Gid, UnixSockets.GetPeerGroups(socket), ProcessStamp.OfPeer(socket, peer.Pid));
    }

    /// <summary>True when the caller is in group <paramref name="gid"/>.</summary>
    public bool InGroup(uint gid) => Gid == gid || Groups.Contains(gid);

    /// <summary>
    /// True when <paramref name="other"/> is the very same process: same pid, uid and process
    /// stamp. Two callers whose stamps the kernel could not tell are taken by pid and uid alone.
    /// </summary>
    public bool IsSameProcess(CallerIdentity other) => Pid == other.Pid && Uid == other.Uid && Process == other.Process;
}
