using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Net.Client;
using Mapd.Client;
using Mapd.Native;
using Mapd.Protocol.V1;

namespace Mapd.Cli.Daemon;

/// <summary>
/// <see cref="IRegionService"/> over the daemon's gRPC socket. Only <c>create</c> needs a session
/// (the daemon hands the new region's descriptor to one), so only it connects a
/// <see cref="MapdClient"/>; every other command is one plain call, or one Watch stream, without
/// a session: the daemon answers operators by their uid (SO_PEERCRED).
/// </summary>
internal sealed class GrpcRegionService : IRegionService
{
    /// <summary>Regions per List reply: a page stays a small message however many regions there are.</summary>
    internal const int PageSize = 500;

    private readonly SocketSearch _search;
    private readonly GrpcChannel _channel;
    private readonly Regions.RegionsClient _regions;

    private GrpcRegionService(SocketSearch search)
    {
        _search = search;
        _channel = MapdChannel.Create(Path.Join(search.Directory, SocketLocation.GrpcSocketName), TimeSpan.FromSeconds(10));
        _regions = new Regions.RegionsClient(_channel);
    }

    /// <summary>
    /// The daemon in <paramref name="socketDirectory"/>, or where the contract's discovery rule finds
    /// one (null). Nothing connects until the first call.
    /// </summary>
    public static Task<IRegionService> ConnectAsync(string? socketDirectory, CancellationToken cancellationToken) =>
        Task.FromResult<IRegionService>(new GrpcRegionService(new MapdClientOptions { SocketDirectory = socketDirectory }.FindSocketDirectory()));

    /// <inheritdoc />
    public async Task<IReadOnlyList<RegionInfo>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var regions = new List<RegionInfo>();
        var token = "";
        do
        {
            var request = new ListRequest { PageSize = PageSize, PageToken = token, Prefix = prefix };
            var page = await Call(_regions.ListAsync(request, cancellationToken: cancellationToken));
            regions.AddRange(page.Regions.Select(RegionInfos.From));

            // A daemon that hands back the token it was given would page forever.
            if (page.NextPageToken.Length > 0 && page.NextPageToken == token)
            {
                throw new MapdException(StatusCode.Internal, $"mapd answered List with the page token it was given ('{token}'); it may be a broken build: its log may say more");
            }

            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return regions;
    }

    /// <inheritdoc />
    public async Task<RegionStatus> GetDetailsAsync(string name, CancellationToken cancellationToken) =>
        RegionStatus.From(await Call(_regions.GetAsync(new GetRequest { Name = name }, cancellationToken: cancellationToken)));

    /// <inheritdoc />
    public async Task<RegionInfo> CreateAsync(string name, long size, uint mode, long maxSize, CancellationToken cancellationToken)
    {
        MapdClient client;
        try
        {
            client = await MapdClient.ConnectAsync(new MapdClientOptions { SocketDirectory = _search.Directory }, cancellationToken);
        }
        catch (MapdException e) when (e.InnerException is SystemCallException failed)
        {
            throw Unreachable.OfSession(_search, failed, e);
        }

        await using (client)
        {
            try
            {
                // Create also opens and maps the region for this session; the region itself persists
                // after the mapping is dropped, which is all an operator asked for.
                await using var region = await client.CreateAsync(name, size, mode, maxSize, cancellationToken);
                return region.Info;
            }
            catch (MapdException e) when (e.InnerException is RpcException failed)
            {
                throw Failure(failed);
            }
        }
    }

    /// <inheritdoc />
    public async Task<RegionInfo> ResizeAsync(string name, long size, ulong expectedGeneration, CancellationToken cancellationToken)
    {
        var request = new ResizeRequest { Name = name, Size = (ulong)size, ExpectedGeneration = expectedGeneration };
        return RegionInfos.From(await Call(_regions.ResizeAsync(request, cancellationToken: cancellationToken)));
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string name, CancellationToken cancellationToken) =>
        await Call(_regions.DeleteAsync(new DeleteRequest { Name = name }, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public async Task<IReadOnlyList<SessionSummary>> ListSessionsAsync(CancellationToken cancellationToken)
    {
        // The daemon decides by the caller's uid (SO_PEERCRED) what it lists; mapctl has no session of its own to hide.
        var response = await Call(_regions.ListSessionsAsync(new ListSessionsRequest(), cancellationToken: cancellationToken));
        return [.. response.Sessions.Select(SessionSummary.From)];
    }

    /// <inheritdoc />
    public async Task<DaemonStatus> StatusAsync(CancellationToken cancellationToken) =>
        DaemonStatus.From(await Call(_regions.StatusAsync(new StatusRequest(), cancellationToken: cancellationToken)));

    /// <inheritdoc />
    public async IAsyncEnumerable<WatchEvent> WatchAsync(IReadOnlyList<string> names, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Without the mapd-session header the daemon watches as an operator: no names means every
        // region, not just the ones a session maps.
        using var call = _regions.Watch(new WatchRequest { Names = { names } }, cancellationToken: cancellationToken);
        try
        {
            // The daemon writes the headers once the subscription exists, and refuses a watch of a
            // region that does not exist (NOT_FOUND) before that.
            await call.ResponseHeadersAsync;
        }
        catch (RpcException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException e)
        {
            throw Failure(e);
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
                // A refusal can come after headers that carry no status, so it shows only here:
                // before any event, it is the daemon's answer.
                throw Failure(e);
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
    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        return ValueTask.CompletedTask;
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

    private async Task<T> Call<T>(AsyncUnaryCall<T> call)
    {
        using (call)
        {
            try
            {
                return await call.ResponseAsync;
            }
            catch (RpcException e)
            {
                throw Failure(e);
            }
        }
    }

    /// <summary>
    /// The daemon's status as is, except a transport failure (no daemon behind <c>mapd.sock</c>),
    /// which gRPC reports as UNAVAILABLE with a detail that names no path: mapctl says where it
    /// looked. The daemon's own UNAVAILABLE ("shutting down") carries no transport exception.
    /// </summary>
    private MapdException Failure(RpcException e) =>
        e is { StatusCode: StatusCode.Unavailable, Status.DebugException: { } transport }
            ? Unreachable.OfGrpc(_search, transport, e)
            : new MapdException(e.StatusCode, e.Status.Detail, e);
}
