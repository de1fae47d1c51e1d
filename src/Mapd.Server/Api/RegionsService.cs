using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mapd.Protocol.V1;
using Mapd.Server.Errors;
using Mapd.Server.Hosting;
using Mapd.Server.Meters;
using Mapd.Server.Peers;
using Mapd.Server.Regions;
using Mapd.Server.Sessions;
using Mapd.Server.Storage;
using Mapd.Server.Watches;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Region = Mapd.Protocol.V1.Region;

namespace Mapd.Server.Api;

/// <summary>The <c>mapd.v1.Regions</c> gRPC service: messages in, domain calls, messages out.</summary>
public sealed partial class RegionsService(
    RegionStore store,
    RegionHandoff handoff,
    SessionRegistry sessions,
    WatchHub watches,
    RegionPermissions permissions,
    DaemonInfo daemon,
    BulkReadLane bulkReads,
    HealthCheckService healthChecks,
    IHostApplicationLifetime lifetime,
    ILogger<RegionsService> logger) : Protocol.V1.Regions.RegionsBase
{
    // A page bigger than this would make one reply a large allocation; clients page on.
    private const uint MaxPageSize = 1000;

    private static readonly PingResponse PingReply = new() { SessionOpen = true };
    private static readonly DeleteResponse Deleted = new();
    private static readonly CloseResponse Closed = new();
    private static readonly ReleaseResponse Released = new();

    /// <inheritdoc />
    public override Task<OpenResponse> Create(CreateRequest request, ServerCallContext context) =>
        OpenForSessionAsync(context, Access.ReadWrite, created: true,
            (caller, session, handoffId) => store.Create(request.Name, request.Size, request.Mode, request.MaxSize, caller, session, handoffId));

    /// <inheritdoc />
    public override Task<OpenResponse> Open(OpenRequest request, ServerCallContext context)
    {
        var writable = RegionMessages.Writable(request.Access);
        return OpenForSessionAsync(context, request.Access, created: false,
            (caller, session, handoffId) => store.Mappings.Open(request.Name, writable, caller, session, handoffId));
    }

    /// <inheritdoc />
    public override Task<Region> Get(GetRequest request, ServerCallContext context) =>
        Task.FromResult(RegionMessages.Detailed(store.Get(request.Name, context.Caller())));

    /// <inheritdoc />
    public override Task<ListResponse> List(ListRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        ListResponse Read()
        {
            var (regions, next) = store.List(request.Prefix, (int)Math.Min(request.PageSize, MaxPageSize), request.PageToken, caller);
            var response = new ListResponse { NextPageToken = next };
            response.Regions.AddRange(regions.Select(RegionMessages.Summary));
            return response;
        }

        // A page is cheap and runs here; everything at once from a large catalog yields to opens.
        return request.PageSize == 0 && store.Count > MaxPageSize
            ? bulkReads.RunAsync(Read, context.CancellationToken)
            : Task.FromResult(Read());
    }

    /// <inheritdoc />
    public override Task<DeleteResponse> Delete(DeleteRequest request, ServerCallContext context)
    {
        store.Delete(request.Name, context.Caller());
        return Task.FromResult(Deleted);
    }

    /// <inheritdoc />
    public override async Task<Region> Resize(ResizeRequest request, ServerCallContext context) =>
        RegionMessages.Summary(await store.Resizer.ResizeAsync(request.Name, request.Size, request.ExpectedGeneration, context.Caller(), context.CancellationToken));

    /// <inheritdoc />
    public override Task<ReleaseResponse> Release(ReleaseRequest request, ServerCallContext context)
    {
        store.Mappings.Release(request.Name, request.Generation, context.Session(sessions));
        return Task.FromResult(Released);
    }

    /// <inheritdoc />
    public override Task<CloseResponse> Close(CloseRequest request, ServerCallContext context)
    {
        store.Mappings.Close(request.Name, context.Session(sessions));
        return Task.FromResult(Closed);
    }

    /// <inheritdoc />
    public override async Task Watch(WatchRequest request, IServerStreamWriter<RegionEvent> responseStream, ServerCallContext context)
    {
        // Without names, a session watches what it maps; an operator without a session watches everything.
        var session = context.RequestHeaders.GetValue(CallContextExtensions.SessionHeader) is null ? null : context.Session(sessions);
        var caller = context.Caller();
        store.CheckExist(request.Names, caller);
        using var subscription = watches.Subscribe(session, request.Names, caller.Uid, region => store.MaySee(caller, region));
        store.SendCurrent(subscription, session, request.Names, caller);

        // Headers tell the client the subscription exists, so no later event can be missed.
        await context.WriteResponseHeadersAsync([]);

        // A watch lasts until its client leaves; a stopping daemon ends it with a status that says why.
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await foreach (var update in subscription.Updates.ReadAllAsync(watching.Token))
            {
                var message = RegionMessages.Event(update);
                try
                {
                    await responseStream.WriteAsync(message, watching.Token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The stream failed under the write: its client reset it or left, and Kestrel
                    // takes an aborted stream's buffers away (a torn write surfaces as any
                    // exception); the call's own cancellation may follow a moment later.
                    Log.WatchWriteFailed(logger, caller.Uid, caller.Pid, e);
                    MapdMetrics.CallFailed(StatusCode.Cancelled);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw RefusedException.Unavailable("mapd is shutting down; watch again once it is back (the client library does)");
        }
    }

    /// <inheritdoc />
    public override Task<ListSessionsResponse> ListSessions(ListSessionsRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var response = new ListSessionsResponse();
        foreach (var session in sessions.All.Where(s => permissions.IsSuperuser(caller) || s.Uid == caller.Uid).OrderBy(s => s.Since))
        {
            response.Sessions.Add(new SessionInfo
            {
                IdPrefix = session.Id[..8],
                Pid = (uint)session.Pid,
                Uid = session.Uid,
                Regions = { store.Mappings.RegionsOf(session) },
                Since = Timestamp.FromDateTimeOffset(session.Since),
                UnreadFds = (uint)session.UnreadDescriptors,
            });
        }

        return Task.FromResult(response);
    }

    /// <inheritdoc />
    public override Task<PingResponse> Ping(PingRequest request, ServerCallContext context) => Task.FromResult(PingReply);

    /// <inheritdoc />
    public override async Task<StatusResponse> Status(StatusRequest request, ServerCallContext context)
    {
        var health = await healthChecks.CheckHealthAsync(context.CancellationToken);
        return new StatusResponse
        {
            Version = DaemonInfo.Version,
            StartedAt = Timestamp.FromDateTimeOffset(daemon.StartedAt),
            CapacityBytes = (ulong)store.Capacity,
            UsedBytes = (ulong)store.ReservedBytes,
            Regions = (uint)store.Count,
            Sessions = (uint)sessions.Count,
            Health = health.Status.ToString(),
            HealthDetail = string.Join("; ", health.Entries.Values.Where(e => e.Status != HealthStatus.Healthy).Select(e => e.Description)),
            StoragePath = daemon.StoragePath,
            PendingShrinks = (uint)store.PendingShrinks,
        };
    }

    /// <summary>Opens (or creates) through <paramref name="open"/> on the caller's session and hands the descriptor off before the reply.</summary>
    private async Task<OpenResponse> OpenForSessionAsync(ServerCallContext context, Access access, bool created, Func<CallerIdentity, Session, ulong, (RegionSnapshot Region, DescriptorLoan Descriptor)> open)
    {
        var (region, handoffId) = await handoff.OpenAsync(context.Session(sessions), context.Caller(), created, open, context.CancellationToken);
        return new OpenResponse { Region = RegionMessages.Summary(region), HandoffId = handoffId, Access = access };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 420, EventName = "WatchWriteFailed", Level = LogLevel.Debug, Message = "A Watch of uid {Uid} pid {Pid} ended while an event was being written")]
        public static partial void WatchWriteFailed(ILogger logger, uint uid, int pid, Exception exception);
    }
}
