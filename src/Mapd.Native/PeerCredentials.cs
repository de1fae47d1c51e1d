namespace Mapd.Native;

/// <summary>Who is on the other end of a Unix socket (SO_PEERCRED, taken when it connected).</summary>
/// <param name="Pid">The peer's process id.</param>
/// <param name="Uid">The peer's effective uid.</param>
/// <param name="Gid">The peer's effective gid.</param>
public readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid)
{
    /// <inheritdoc />
    public override string ToString() => $"pid {Pid} uid {Uid} gid {Gid}";
}
