using System.Runtime.CompilerServices;
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
            var search = new MapdClientOptions { SocketDirectory = socketDirectory }.FindSocketDirectory();
            throw new MapdException(StatusCode.Unavailable, $"mapd is not reachable at {failed.Target} ({failed.ErrnoName}); start it, or point mapctl at its socket directory with --socket DIR or MAPD_SOCKET_DIR; {search.Describe()}", e);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RegionInfo>> ListAsync(CancellationToken cancellationToken) =>
        Reachable(_client.ListAsync(cancellationToken));

    /// <inheritdoc />
    public async Task<RegionStatus> GetDetailsAsync(string name, CancellationToken cancellationToken) =>
        RegionStatus.From(await Reachable(_client.GetDetailsAsync(name, cancellationToken)));

    /// <inheritdoc />
    public async Task<RegionInfo> CreateAsync(string name, long size, uint mode, long maxSize, CancellationToken cancellationToken)
    {
        // Create also opens and maps the region for this session; the region itself persists
        // after the mapping is dropped, which is all an operator asked for.
        await using var region = await Reachable(_client.CreateAsync(name, size, mode, maxSize, cancellationToken));
        return region.Info;
    }

    /// <inheritdoc />
    public Task<RegionInfo> ResizeAsync(string name, long size, ulong expectedGeneration, CancellationToken cancellationToken) =>
        Reachable(_client.ResizeAsync(name, size, expectedGeneration, cancellationToken));

    /// <inheritdoc />
    public Task DeleteAsync(string name, CancellationToken cancellationToken) =>
        Reachable(_client.DeleteAsync(name, cancellationToken));

    /// <inheritdoc />
    public async Task<IReadOnlyList<SessionSummary>> ListSessionsAsync(CancellationToken cancellationToken)
    {
        ListSessionsResponse response;
        try
        {
            // The daemon decides by the caller's uid (SO_PEERCRED) what it lists; no session needed.
            response = await _client.Grpc.ListSessionsAsync(new ListSessionsRequest(), cancellationToken: cancellationToken);
        }
        catch (RpcException e)
        {
            throw Explain(MapdException.From(e));
        }

        // mapctl's own session exists only to ask this question: showing it would only confuse.
        var own = _client.SessionId;
        return [.. response.Sessions
            .Where(s => !(s.Pid == (uint)Environment.ProcessId && own.StartsWith(s.IdPrefix, StringComparison.Ordinal)))
            .Select(SessionSummary.From)];
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<WatchEvent> WatchAsync(IReadOnlyList<string> names, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Without the mapd-session header the daemon watches as an operator: no names means every
        // region, not just the ones this session maps (none).
        using var call = _client.Grpc.Watch(new WatchRequest { Names = { names } }, cancellationToken: cancellationToken);
        try
        {
            // The daemon writes the headers once the subscription exists.
            await call.ResponseHeadersAsync;
        }
        catch (RpcException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException e)
        {
            throw Explain(MapdException.From(e));
        }

        var received = false;
        while (true)
        {
            bool more;
            try
            {
                more = await call.ResponseStream.MoveNext(cancellationToken);
            }
            catch (RpcException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (RpcException e) when (!received && e.StatusCode != StatusCode.Unavailable)
            {
                // A refusal (a bad name, a daemon without Watch) can come after headers that carry
                // no status, so it shows only here: before any event, it is the daemon's answer.
                throw MapdException.From(e);
            }
            catch (RpcException e)
            {
                throw Ended(e);
            }

            if (!more)
            {
                yield break;
            }

            received = true;
            yield return WatchEvent.From(call.ResponseStream.Current);
        }
    }

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
    /// A watch the daemon ended after it started: UNAVAILABLE whatever the status (shutting down, the
    /// connection lost, the watcher fell behind), so mapctl exits 3, with the daemon's reason.
    /// </summary>
    private static MapdException Ended(RpcException e)
    {
        var reason = e.Status.DebugException is not null || string.IsNullOrWhiteSpace(e.Status.Detail)
            ? "the stream broke off; mapd may have stopped or restarted"
            : e.Status.Detail;
        return new MapdException(StatusCode.Unavailable, $"mapd ended the watch ({StatusCodeName.Of(e.StatusCode)}): {reason}; run mapctl watch again once it is back", e);
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
