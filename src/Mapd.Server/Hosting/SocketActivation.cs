using System.Globalization;
using System.Net.Sockets;
using Mapd.Native;
using Mapd.Server.Errors;

namespace Mapd.Server.Hosting;

/// <summary>
/// The listening sockets systemd passed (<c>LISTEN_FDS</c>, from <c>mapd.socket</c>): the Unix
/// stream socket serves gRPC as <c>mapd.sock</c>, the SOCK_SEQPACKET one is <c>mapd-fd.sock</c>.
/// They are told apart by type, because <c>FileDescriptorName=</c> names every socket of one
/// unit alike. A socket that was passed belongs to systemd: the daemon neither binds, chmods
/// nor removes its file. A socket that was not passed is bound as usual.
/// </summary>
public sealed class SocketActivation
{
    private const int FirstDescriptor = 3; // SD_LISTEN_FDS_START
    private int _session;

    private SocketActivation(int? grpc, int? session)
    {
        GrpcDescriptor = grpc;
        _session = session ?? -1;
        HasSession = session is not null;
    }

    /// <summary>Nothing was passed.</summary>
    public static SocketActivation None { get; } = new(null, null);

    /// <summary>The inherited gRPC listening socket, for Kestrel's <c>ListenHandle</c>.</summary>
    public int? GrpcDescriptor { get; }

    /// <summary>True when systemd passed the session socket.</summary>
    public bool HasSession { get; }

    /// <summary>True when systemd passed the gRPC socket.</summary>
    public bool HasGrpc => GrpcDescriptor is not null;

    /// <summary>
    /// Reads <c>LISTEN_PID</c>/<c>LISTEN_FDS</c>/<c>LISTEN_FDNAMES</c> and removes them from the
    /// environment, as <c>sd_listen_fds(1)</c> does. Descriptors meant for another process
    /// (<c>LISTEN_PID</c> differs) are ignored. Throws <see cref="StartupException"/> when what
    /// was passed is not what <c>mapd.socket</c> describes.
    /// </summary>
    public static SocketActivation FromEnvironment()
    {
        var pid = Environment.GetEnvironmentVariable("LISTEN_PID");
        var count = Environment.GetEnvironmentVariable("LISTEN_FDS");
        Environment.SetEnvironmentVariable("LISTEN_PID", null);
        Environment.SetEnvironmentVariable("LISTEN_FDS", null);
        Environment.SetEnvironmentVariable("LISTEN_FDNAMES", null);
        if (pid is null || count is null
            || !int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var listenPid) || listenPid != Environment.ProcessId)
        {
            return None;
        }

        if (!int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 2)
        {
            throw new StartupException($"LISTEN_FDS={count}: mapd takes one or two sockets (a Unix stream socket for mapd.sock, a SOCK_SEQPACKET one for mapd-fd.sock); check ListenStream= and ListenSequentialPacket= in mapd.socket");
        }

        int? grpc = null;
        int? session = null;
        for (var fd = FirstDescriptor; fd < FirstDescriptor + n; fd++)
        {
            InheritedSocket socket;
            try
            {
                socket = InheritedSockets.Describe(fd);
            }
            catch (SystemCallException e)
            {
                throw new StartupException($"LISTEN_FDS passed fd {fd}, which is not a socket ({e.ErrnoName})");
            }

            if (!socket.IsUnix || !socket.IsListening || !(socket.IsStream || socket.IsSeqPacket))
            {
                throw new StartupException($"LISTEN_FDS passed fd {fd}, which is not a listening Unix stream or SOCK_SEQPACKET socket; mapd.socket needs ListenStream=/run/mapd/mapd.sock and ListenSequentialPacket=/run/mapd/mapd-fd.sock");
            }

            ref var slot = ref socket.IsStream ? ref grpc : ref session;
            if (slot is not null)
            {
                throw new StartupException($"LISTEN_FDS passed two {(socket.IsStream ? "stream" : "SOCK_SEQPACKET")} sockets (fds {slot} and {fd}); mapd takes one of each");
            }

            slot = fd;
        }

        return new SocketActivation(grpc, session);
    }

    /// <summary>
    /// Takes ownership of the inherited session socket, once; null when none was passed.
    /// </summary>
    public Socket? TakeSessionListener()
    {
        var fd = Interlocked.Exchange(ref _session, -1);
        return fd < 0 ? null : new Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }
}
