using Grpc.Core;
using Mapd.Client;
using Mapd.Native;
using Mapd.Protocol.V1;

namespace Mapd.Cli;

/// <summary><see cref="IRegionService"/> over a real <see cref="MapdClient"/>.</summary>
internal sealed class GrpcRegionService : IRegionService
{
    private readonly MapdClient _client;

    private GrpcRegionService(MapdClient client) => _client = client;

    /// <summary>Connects to the daemon in <paramref name="socketDirectory"/> (null: <c>MAPD_SOCKET_DIR</c> or the default).</summary>
    public static async Task<IRegionService> ConnectAsync(string? socketDirectory, CancellationToken cancellationToken)
    {
        try
        {
            return new GrpcRegionService(await MapdClient.ConnectAsync(new MapdClientOptions { SocketDirectory = socketDirectory }, cancellationToken));
        }
        catch (MapdException e) when (e.InnerException is SystemCallException { Errno: not Errnos.EACCES } failed)
        {
            // MapdClient's hint names its API options; an operator needs mapctl's. (EACCES keeps
            // MapdClient's message: its hint, joining the socket's group, is the right one.)
            throw new MapdException(StatusCode.Unavailable, $"mapd is not reachable at {failed.Target} ({failed.ErrnoName}); start it, or point mapctl at its socket directory with --socket DIR or MAPD_SOCKET_DIR", e);
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            // What MapdClient lets through about the path (one too long for sun_path, a failed
            // handshake) also means the daemon is unreachable there.
            throw new MapdException(StatusCode.Unavailable, $"mapd is not reachable: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RegionInfo>> ListAsync(CancellationToken cancellationToken) =>
        Reachable(_client.ListAsync(cancellationToken));

    /// <inheritdoc />
    public Task<RegionInfo> GetAsync(string name, CancellationToken cancellationToken) =>
        Reachable(_client.GetAsync(name, cancellationToken));

    /// <inheritdoc />
    public async Task<RegionInfo> CreateAsync(string name, long size, uint mode, CancellationToken cancellationToken)
    {
        // Create also opens and maps the region for this session; the region itself persists
        // after the mapping is dropped, which is all an operator asked for.
        await using var region = await Reachable(_client.CreateAsync(name, size, mode, cancellationToken: cancellationToken));
        return region.Info;
    }

    /// <inheritdoc />
    public async Task<RegionInfo> ResizeAsync(string name, long size, CancellationToken cancellationToken)
    {
        // MapdClient does not wrap Resize (its mapped regions follow resizes through Watch), so
        // mapctl calls the generated client, with the session in case the daemon wants one.
        var request = new ResizeRequest { Name = name, Size = (ulong)size };
        try
        {
            return RegionInfo.From(await _client.Grpc.ResizeAsync(request, _client.SessionHeaders, cancellationToken: cancellationToken));
        }
        catch (RpcException e)
        {
            throw Explain(MapdException.From(e));
        }
    }

    /// <inheritdoc />
    public Task DeleteAsync(string name, CancellationToken cancellationToken) =>
        Reachable(_client.DeleteAsync(name, cancellationToken));

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _client.DisposeAsync();

    private async Task<T> Reachable<T>(Task<T> call)
    {
        try
        {
            return await call;
        }
        catch (MapdException e)
        {
            throw Explain(e);
        }
    }

    private async Task Reachable(Task call)
    {
        try
        {
            await call;
        }
        catch (MapdException e)
        {
            throw Explain(e);
        }
    }

    /// <summary>
    /// A gRPC transport failure (no daemon behind <c>mapd.sock</c>) arrives as UNAVAILABLE with
    /// a detail like "Error connecting to subchannel." that names no path: say where mapctl looked.
    /// The daemon's own UNAVAILABLE ("shutting down") carries no transport exception and passes as is.
    /// </summary>
    private MapdException Explain(MapdException e)
    {
        if (e.Code != StatusCode.Unavailable || e.InnerException is not RpcException { Status.DebugException: { } transport })
        {
            return e;
        }

        var path = Path.Join(_client.SocketDirectory, SocketLocation.GrpcSocketName);

        // .NET words a missing Unix socket as "Cannot assign requested address".
        var reason = File.Exists(path) ? transport.GetBaseException().Message : "no such socket";
        return new MapdException(StatusCode.Unavailable, $"mapd is not reachable at {path} ({reason}); is the daemon running?", e);
    }
}
