using Mapd.Native.Internal;
using static Mapd.Native.Internal.Constants;

namespace Mapd.Native;

/// <summary>What a descriptor inherited from a service manager is.</summary>
/// <param name="Descriptor">The descriptor number.</param>
/// <param name="IsUnix">True for an AF_UNIX socket.</param>
/// <param name="IsStream">True for SOCK_STREAM.</param>
/// <param name="IsSeqPacket">True for SOCK_SEQPACKET.</param>
/// <param name="IsListening">True when listen(2) was called on it.</param>
public readonly record struct InheritedSocket(int Descriptor, bool IsUnix, bool IsStream, bool IsSeqPacket, bool IsListening);

/// <summary>
/// Descriptors a service manager passed at exec (<c>LISTEN_FDS</c>, see sd_listen_fds(3)). They
/// are raw numbers, not yet owned by anything: read them here, then hand each to one owner.
/// </summary>
public static unsafe class InheritedSockets
{
    /// <summary>
    /// Describes the socket at <paramref name="descriptor"/> and marks it close-on-exec, as
    /// sd_listen_fds does, so it does not leak into any process the daemon starts.
    /// </summary>
    /// <exception cref="SystemCallException">The descriptor is not an open socket.</exception>
    public static InheritedSocket Describe(int descriptor)
    {
        var domain = Option(descriptor, SO_DOMAIN, "getsockopt(SO_DOMAIN)");
        var type = Option(descriptor, SO_TYPE, "getsockopt(SO_TYPE)");
        var listening = Option(descriptor, SO_ACCEPTCONN, "getsockopt(SO_ACCEPTCONN)") != 0;
        if (Libc.Fcntl(descriptor, F_SETFD, FD_CLOEXEC) != 0)
        {
            throw SystemCallException.FromLastError("fcntl(F_SETFD, FD_CLOEXEC)", $"fd {descriptor}");
        }

        return new InheritedSocket(descriptor, domain == AF_UNIX, type == SOCK_STREAM, type == SOCK_SEQPACKET, listening);
    }

    private static int Option(int descriptor, int name, string call)
    {
        int value;
        var length = (uint)sizeof(int);
        if (Libc.GetSockOpt(descriptor, SOL_SOCKET, name, (byte*)&value, &length) != 0)
        {
            throw SystemCallException.FromLastError(call, $"fd {descriptor}");
        }

        return value;
    }
}
