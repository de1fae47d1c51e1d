using System.Runtime.InteropServices;
using Mapd.Native;

namespace Mapd.Server.Peers;

/// <summary>Who makes a request, from the kernel's SO_PEERCRED and SO_PEERGROUPS of its connection.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Uid">Effective uid.</param>
/// <param name="Gid">Effective gid.</param>
/// <param name="Groups">Supplementary groups.</param>
public sealed record CallerIdentity(int Pid, uint Uid, uint Gid, IReadOnlyList<uint> Groups)
{
    /// <summary>The process at the other end of a connected Unix socket.</summary>
    public static CallerIdentity Of(SafeHandle socket)
    {
        var peer = UnixSockets.GetPeerCredentials(socket);
        return new CallerIdentity(peer.Pid, peer.Uid, peer.Gid, UnixSockets.GetPeerGroups(socket));
    }

    /// <summary>True when the caller is in group <paramref name="gid"/>.</summary>
    public bool InGroup(uint gid) => Gid == gid || Groups.Contains(gid);
}
