using System.Net.Sockets;
using Grpc.Core;
using Mapd.Client;
using Mapd.Native;

namespace Mapd.Cli.Daemon;

/// <summary>
/// Words "the daemon is not there" for an operator: which socket failed and why, what to do
/// (start it, point mapctl elsewhere, or join the socket's group), and every place the discovery
/// rule looked. Always UNAVAILABLE, so mapctl exits 3.
/// </summary>
internal static class Unreachable
{
    /// <summary>
    /// A gRPC call that found nobody behind <c>mapd.sock</c>. gRPC's own words ("Error connecting
    /// to subchannel.") name no path, so mapctl looks at both of the daemon's sockets and says
    /// what it found: a daemon always serves both.
    /// </summary>
    public static MapdException OfGrpc(SocketSearch search, Exception transport, Exception inner)
    {
        var grpcPath = Path.Join(search.Directory, SocketLocation.GrpcSocketName);
        var sessionPath = Path.Join(search.Directory, SocketLocation.SessionSocketName);
        var grpcReason = File.Exists(grpcPath) ? Reason(transport) : "no such socket";
        if (ProbeSessionSocket(sessionPath) is not { } sessionReason)
        {
            return new MapdException(
                StatusCode.Unavailable,
                $"mapd is not reachable at {grpcPath} ({grpcReason}), though {sessionPath} accepts connections; the daemon may be starting or stopping: retry, or read its log; {search.Describe()}",
                inner);
        }

        return new MapdException(StatusCode.Unavailable, $"mapd is not reachable at {grpcPath} ({grpcReason}) nor at {sessionPath} ({sessionReason}); {Hint(sessionReason)}; {search.Describe()}", inner);
    }

    /// <summary>A session (for <c>create</c>) that could not connect to <c>mapd-fd.sock</c>.</summary>
    public static MapdException OfSession(SocketSearch search, SystemCallException failed, Exception inner) =>
        new(StatusCode.Unavailable, $"mapd is not reachable at {failed.Target} ({failed.ErrnoName}); {Hint(failed.ErrnoName)}; {search.Describe()}", inner);

    /// <summary>What to do about a socket that failed with <paramref name="reason"/>: one the user may not open needs group membership, not a daemon.</summary>
    private static string Hint(string reason) => reason == "EACCES"
        ? "ask for membership in the socket's group (Mapd:SocketGroup)"
        : "start it, or point mapctl at its socket directory with --socket DIR or MAPD_SOCKET_DIR";

    /// <summary>.NET words a refused or forbidden Unix socket by its SocketError; say it as errno does.</summary>
    private static string Reason(Exception transport) => transport.GetBaseException() switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "ECONNREFUSED",
        SocketException { SocketErrorCode: SocketError.AccessDenied } => "EACCES",
        var other => other.Message,
    };

    /// <summary>
    /// Null when <paramref name="path"/> accepts a connection (closed at once, before HELLO, so no
    /// session starts); else why not, as errno names it.
    /// </summary>
    private static string? ProbeSessionSocket(string path)
    {
        try
        {
            UnixSockets.ConnectSeqPacket(path).Dispose();
            return null;
        }
        catch (SystemCallException e)
        {
            return e.ErrnoName;
        }
        catch (ArgumentException)
        {
            return "path too long for a Unix socket";
        }
    }
}
