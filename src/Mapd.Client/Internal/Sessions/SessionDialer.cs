using Grpc.Core;
using Mapd.Native;

namespace Mapd.Client.Internal.Sessions;

/// <summary>Opens sessions on the daemon's <c>mapd-fd.sock</c>, and says what to do when it cannot.</summary>
internal sealed class SessionDialer(string path, SocketSearch search, TimeSpan handshakeTimeout) : ISessionDialer
{
    public string Path { get; } = path;

    public async Task<ISession> DialAsync(CancellationToken cancellationToken) =>
        await Task.Run(() => Connect(cancellationToken), cancellationToken);

    private SessionConnection Connect(CancellationToken cancellationToken)
    {
        try
        {
            return SessionConnection.Connect(Path, handshakeTimeout, cancellationToken);
        }
        catch (SystemCallException e) when (e.Errno is Errnos.ENOENT or Errnos.ECONNREFUSED or Errnos.EACCES)
        {
            var hint = e.Errno == Errnos.EACCES
                ? "ask for membership in the socket's group (Mapd:SocketGroup)"
                : "start the daemon, or point the client at the socket directory it uses (MAPD_SOCKET_DIR)";
            throw new MapdException(StatusCode.Unavailable, $"mapd is not reachable at {Path} ({e.ErrnoName}); {hint}; {search.Describe()}", e);
        }
        catch (ArgumentException e)
        {
            throw new MapdException(StatusCode.InvalidArgument, e.Message, e);
        }
        catch (SessionRefusedException e)
        {
            throw new MapdException(e.Code, e.Message, e);
        }
        catch (IOException e)
        {
            throw new MapdException(StatusCode.Unavailable, e.Message, e);
        }
    }
}
