using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Mapd.Client.Internal;
using Mapd.Native;
using Mapd.Protocol.V1;

namespace Mapd.Client;

/// <summary>
/// A connection to mapd: a gRPC channel on <c>mapd.sock</c> and a session on
/// <c>mapd-fd.sock</c> that carries region descriptors. It watches the regions it maps and keeps
/// their mappings in step with resizes. If the daemon restarts, it reconnects with backoff,
/// re-registers what it maps and carries on; mappings are never touched by that. Calls made
/// meanwhile wait for the daemon; a Create, Resize or Delete already on its way when the daemon
/// died throws UNAVAILABLE, since it may or may not have been applied. Thread-safe; one per
/// process is enough.
/// </summary>
/// <example>
/// <code>
/// await using var mapd = await MapdClient.ConnectAsync();
/// using var region = await mapd.CreateAsync("orders", 1L &lt;&lt; 30);
/// using (var lease = region.AcquireLease())
/// {
///     lease.GetSpan(0, 5).Fill(42);
/// }
/// </code>
/// </example>
public sealed class MapdClient : IDisposable, IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Regions.RegionsClient _regions;
    private readonly string _sessionPath;
    private readonly CancellationTokenSource _life = new();
    private readonly Lock _openGate = new();
    private readonly Dictionary<string, OpenRegion> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Region> _latest = new(StringComparer.Ordinal);
    private readonly Task _supervisor;
    private volatile SessionState _state;

    private MapdClient(GrpcChannel channel, SessionConnection session, string socketDirectory, string sessionPath, MapdClientOptions options)
    {
        _channel = channel;
        _regions = new Regions.RegionsClient(channel);
        _sessionPath = sessionPath;
        _state = new SessionState(session);
        SocketDirectory = socketDirectory;
        Options = options;
        _supervisor = Task.Run(SuperviseAsync);
    }

    /// <summary>The socket directory this client uses.</summary>
    public string SocketDirectory { get; }

    /// <summary>The options this client was connected with.</summary>
    public MapdClientOptions Options { get; }

    /// <summary>This process's current session id (it changes when the daemon restarts).</summary>
    public string SessionId => _state.Session.Id;

    /// <summary>The generated gRPC client, for calls this class does not wrap. Add <see cref="SessionHeaders"/> where a session is needed.</summary>
    public Regions.RegionsClient Grpc => _regions;

    /// <summary>The <c>mapd-session</c> metadata of the current session.</summary>
    public Metadata SessionHeaders => _state.Headers;

    /// <summary>Connects to the daemon and opens a session.</summary>
    /// <exception cref="MapdException">The daemon is not reachable (UNAVAILABLE), with the socket path tried.</exception>
    public static async Task<MapdClient> ConnectAsync(MapdClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MapdClientOptions();
        var search = options.FindSocketDirectory();
        var directory = search.Directory;
        var grpcPath = Path.Join(directory, SocketLocation.GrpcSocketName);
        var sessionPath = Path.Join(directory, SocketLocation.SessionSocketName);
        var session = await Task.Run(() => ConnectSession(sessionPath, search), cancellationToken);

        var channel = UnixSocketChannel.Create(grpcPath, options.ConnectTimeout);
        return new MapdClient(channel, session, directory, sessionPath, options);
    }

    /// <summary>Creates a region of <paramref name="size"/> bytes and maps it read-write.</summary>
    /// <param name="name">1 to 200 of <c>[A-Za-z0-9._-]</c>, not starting with a dot.</param>
    /// <param name="size">Bytes; at least 1.</param>
    /// <param name="mode">Permission bits such as <c>0b110_100_000</c> (0640); 0 means 0600.</param>
    /// <param name="maxSize">Optional: the largest size the region may grow to, so every mapper reserves that much address space and grows in place.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<MappedRegion> CreateAsync(string name, long size, uint mode = 0, long maxSize = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        var request = new CreateRequest { Name = name, Size = (ulong)size, Mode = mode, MaxSize = (ulong)maxSize };
        return await OpenOrderedAsync(name, headers => _regions.CreateAsync(request, headers, cancellationToken: cancellationToken), idempotent: false, cancellationToken);
    }

    /// <summary>Opens an existing region and maps it.</summary>
    public async Task<MappedRegion> OpenAsync(string name, RegionAccess access = RegionAccess.ReadWrite, CancellationToken cancellationToken = default)
    {
        var request = new OpenRequest { Name = name, Access = (Access)access };
        return await OpenOrderedAsync(name, headers => _regions.OpenAsync(request, headers, cancellationToken: cancellationToken), idempotent: true, cancellationToken);
    }

    /// <summary>Describes one region, with its mappers and any pending shrink.</summary>
    public async Task<RegionInfo> GetAsync(string name, CancellationToken cancellationToken = default) =>
        RegionInfo.From(await GetDetailsAsync(name, cancellationToken));

    /// <summary>Describes every region.</summary>
    public async Task<IReadOnlyList<RegionInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var (response, _) = await CallWithSessionAsync(_ => _regions.ListAsync(new ListRequest(), cancellationToken: cancellationToken), idempotent: true, cancellationToken);
        return [.. response.Regions.Select(RegionInfo.From)];
    }

    /// <summary>
    /// Resizes a region this process need not map. A grow is committed on return; a shrink is
    /// announced and commits once every mapper has released its tail.
    /// </summary>
    public async Task<RegionInfo> ResizeAsync(string name, long size, ulong expectedGeneration = 0, CancellationToken cancellationToken = default) =>
        RegionInfo.From(await ResizeCoreAsync(name, size, expectedGeneration, cancellationToken));

    /// <summary>Deletes a region: its name disappears now, its memory once nobody maps it.</summary>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        await CallWithSessionAsync(_ => _regions.DeleteAsync(new DeleteRequest { Name = name }, cancellationToken: cancellationToken), idempotent: false, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_life.IsCancellationRequested)
        {
            return;
        }

        _life.Cancel();
        _state.Session.Dispose();
        try
        {
            _supervisor.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _channel.Dispose();
        _life.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    internal async Task<Region> GetDetailsAsync(string name, CancellationToken cancellationToken)
    {
        var (region, _) = await CallWithSessionAsync(_ => _regions.GetAsync(new GetRequest { Name = name }, cancellationToken: cancellationToken), idempotent: true, cancellationToken);
        return region;
    }

    internal async Task<Region> ResizeCoreAsync(string name, long size, ulong expectedGeneration, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var request = new ResizeRequest { Name = name, Size = (ulong)size, ExpectedGeneration = expectedGeneration };
        var (region, _) = await CallWithSessionAsync(_ => _regions.ResizeAsync(request, cancellationToken: cancellationToken), idempotent: false, cancellationToken);
        return region;
    }

    /// <summary>
    /// A mapping was disposed. When it was the process's last one of the name, the daemon is
    /// told after <see cref="MapdClientOptions.CloseLinger"/>, unless the name is opened again
    /// meanwhile: open/close churn then costs one call, not two.
    /// </summary>
    internal void Forget(MappedRegion region)
    {
        lock (_openGate)
        {
            if (_open.TryGetValue(region.Name, out var open) && open.Regions.Remove(region))
            {
                ScheduleClose(region.Name, open);
            }
        }
    }

    private void ScheduleClose(string name, OpenRegion open)
    {
        if (open.Regions.Count > 0 || open.Opening > 0 || _life.IsCancellationRequested)
        {
            return;
        }

        open.Linger?.Dispose();
        open.Linger = Options.CloseLinger <= TimeSpan.Zero
            ? null
            : new Timer(_ => CloseNow(name, open), null, Options.CloseLinger, Timeout.InfiniteTimeSpan);
        if (open.Linger is null)
        {
            CloseNow(name, open);
        }
    }

    /// <summary>Sends Close unless the name is in use again; opens of the name wait for it, so the daemon sees them in order.</summary>
    private void CloseNow(string name, OpenRegion open)
    {
        lock (_openGate)
        {
            open.Linger?.Dispose();
            open.Linger = null;
            if (open.Regions.Count > 0 || open.Opening > 0 || !_open.TryGetValue(name, out var current) || current != open)
            {
                return;
            }

            open.Closing = SendCloseAsync(name, open, _state);
        }
    }

    private async Task SendCloseAsync(string name, OpenRegion open, SessionState state)
    {
        await Task.Yield();
        try
        {
            await _regions.CloseAsync(new CloseRequest { Name = name }, state.Headers);
        }
        catch (Exception e) when (e is RpcException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The session is gone or the daemon restarted: either way it no longer counts this mapping.
        }

        lock (_openGate)
        {
            if (open.Regions.Count == 0 && open.Opening == 0 && _open.TryGetValue(name, out var current) && current == open)
            {
                _open.Remove(name);
                _latest.Remove(name);
            }
        }
    }

    /// <summary>
    /// Opens (or creates) a name in order with this process's Close of it: a Close already on
    /// its way is awaited first, and a lingering one is called off.
    /// </summary>
    private async Task<MappedRegion> OpenOrderedAsync(string name, Func<Metadata, AsyncUnaryCall<OpenResponse>> call, bool idempotent, CancellationToken cancellationToken)
    {
        OpenRegion open;
        Task closing;
        lock (_openGate)
        {
            if (!_open.TryGetValue(name, out var existing))
            {
                _open[name] = existing = new OpenRegion();
            }

            open = existing;
            open.Opening++;
            open.Linger?.Dispose();
            open.Linger = null;
            closing = open.Closing;
        }

        try
        {
            await closing;
            var (response, state) = await CallWithSessionAsync(call, idempotent, cancellationToken);
            return await MapAsync(response, state, open, cancellationToken);
        }
        finally
        {
            lock (_openGate)
            {
                open.Opening--;
                if (open.Regions.Count == 0 && open.Opening == 0 && open.Linger is null && open.Closing.IsCompleted && _open.GetValueOrDefault(name) == open)
                {
                    // The open failed and nothing else uses the name: nothing to close either.
                    _open.Remove(name);
                }
            }
        }
    }

    private static SessionConnection ConnectSession(string sessionPath, SocketSearch search)
    {
        try
        {
            return SessionConnection.Connect(sessionPath);
        }
        catch (SystemCallException e) when (e.Errno is Errnos.ENOENT or Errnos.ECONNREFUSED or Errnos.EACCES)
        {
            var hint = e.Errno == Errnos.EACCES
                ? "ask for membership in the socket's group (Mapd:SocketGroup)"
                : "start the daemon, or point the client at the socket directory it uses (MAPD_SOCKET_DIR)";
            throw new MapdException(StatusCode.Unavailable, $"mapd is not reachable at {sessionPath} ({e.ErrnoName}); {hint}; {search.Describe()}", e);
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

    private async Task<MappedRegion> MapAsync(OpenResponse response, SessionState state, OpenRegion open, CancellationToken cancellationToken)
    {
        var descriptor = await state.Session.TakeAsync(response.HandoffId, cancellationToken);
        MappedRegion region;
        try
        {
            region = MappedRegion.Map(this, descriptor, response.Region, MappedRegion.FromProtocol(response.Access), Options);
        }
        catch
        {
            descriptor.Dispose();
            throw;
        }

        Region? newer;
        lock (_openGate)
        {
            open.Regions.Add(region);
            newer = _latest.TryGetValue(region.Name, out var latest) && latest.Generation > response.Region.Generation ? latest : null;
        }

        // A resize that raced with this open reached the watch before the region was registered.
        if (newer is not null)
        {
            await ApplyAndReleaseAsync(region.Name, newer, RegionEvent.Types.Kind.Resized);
        }
        else if (response.Region.PendingSize != 0)
        {
            // It maps only the smaller size already; saying so lets a shrink after a restart commit.
            await ReleaseAsync(region.Name, response.Region.Generation);
        }

        return region;
    }

    private async Task SuperviseAsync()
    {
        var token = _life.Token;
        while (!token.IsCancellationRequested)
        {
            var state = _state;
            using (var watching = CancellationTokenSource.CreateLinkedTokenSource(token))
            {
                var watch = WatchAsync(state, watching.Token);
                await state.Session.Closed.Task.WaitAsync(token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await watching.CancelAsync();
                await watch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (token.IsCancellationRequested)
            {
                return;
            }

            state.Session.Dispose();
            await ReconnectAsync(token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task ReconnectAsync(CancellationToken token)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            await Task.Delay(delay, token);
            try
            {
                var session = await Task.Run(() => SessionConnection.Connect(_sessionPath), token);
                var state = new SessionState(session);
                await ReattachAsync(state, token);
                var previous = _state;
                _state = state;
                previous.Replaced.TrySetResult(state);
                return;
            }
            catch (Exception e) when (e is SystemCallException or IOException or RpcException or MapdException)
            {
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
            }
        }
    }

    /// <summary>Re-opens every mapped region on a new session, so the restarted daemon knows who maps what.</summary>
    private async Task ReattachAsync(SessionState state, CancellationToken token)
    {
        List<(string Name, RegionAccess Access, MappedRegion Sample)> regions;
        lock (_openGate)
        {
            regions = [.. _open.Where(o => o.Value.Regions.Count > 0).Select(o => (o.Key,
                o.Value.Regions.Any(r => r.Access == RegionAccess.ReadWrite) ? RegionAccess.ReadWrite : RegionAccess.ReadOnly,
                o.Value.Regions[0]))];
        }

        foreach (var (name, access, sample) in regions)
        {
            OpenResponse response;
            try
            {
                response = await _regions.OpenAsync(new OpenRequest { Name = name, Access = (Access)access }, state.Headers, cancellationToken: token);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                DispatchDeleted(name);
                continue;
            }

            using (var descriptor = await state.Session.TakeAsync(response.HandoffId, token))
            {
                if (!sample.IsDisposed && Files.Stat(descriptor, name).Inode != Files.Stat(sample.Descriptor, name).Inode)
                {
                    // Deleted and created anew while the daemon was down: ours is gone.
                    await _regions.CloseAsync(new CloseRequest { Name = name }, state.Headers, cancellationToken: token);
                    DispatchDeleted(name);
                    continue;
                }
            }

            foreach (var region in Snapshot(name))
            {
                region.Raise(new RegionChange(RegionChangeKind.Reattached, region.Size, region.Generation));
            }

            await ApplyAndReleaseAsync(name, response.Region, RegionEvent.Types.Kind.Current, state);
        }
    }

    private async Task WatchAsync(SessionState state, CancellationToken token)
    {
        while (!token.IsCancellationRequested && !state.Session.IsClosed)
        {
            try
            {
                using var call = _regions.Watch(new WatchRequest(), state.Headers, cancellationToken: token);
                await call.ResponseHeadersAsync;
                await foreach (var regionEvent in call.ResponseStream.ReadAllAsync(token))
                {
                    Dispatch(regionEvent);
                }
            }
            catch (RpcException) when (!token.IsCancellationRequested)
            {
                // The daemon ended the stream (stopping, or this watch fell behind): watch again;
                // the CURRENT events that open a stream resynchronise every region.
                await Task.Delay(100, token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>The region is gone for this process (deleted, or replaced while the daemon was down).</summary>
    private void DispatchDeleted(string name) =>
        Dispatch(new RegionEvent { Kind = RegionEvent.Types.Kind.Deleted, Region = new Region { Name = name } });

    /// <summary>
    /// Queues an event behind the earlier ones of the same region. Regions proceed independently:
    /// a shrink waiting for this process's leases on one region holds up no other.
    /// </summary>
    private void Dispatch(RegionEvent regionEvent)
    {
        var name = regionEvent.Region.Name;
        lock (_openGate)
        {
            // Kept even before the region is registered here: an open racing with a resize catches up from it.
            if (!_latest.TryGetValue(name, out var latest) || regionEvent.Region.Generation > latest.Generation)
            {
                _latest[name] = regionEvent.Region;
            }

            if (_open.TryGetValue(name, out var open))
            {
                if (open.Regions.Count == 0 && open.Linger is not null && regionEvent.Kind == RegionEvent.Types.Kind.ShrinkPending)
                {
                    // Nothing here maps it any more: let the shrink go on rather than wait for the linger.
                    open.Linger.Dispose();
                    open.Linger = null;
                    open.Closing = SendCloseAsync(name, open, _state);
                }

                open.Work = ApplyAfterAsync(open.Work, name, regionEvent);
            }
        }
    }

    private async Task ApplyAfterAsync(Task previous, string name, RegionEvent regionEvent)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await ApplyAndReleaseAsync(name, regionEvent.Region, regionEvent.Kind);
    }

    /// <summary>Applies a state to every local mapping of the region, then acknowledges the generation all of them reached.</summary>
    internal async Task ApplyAndReleaseAsync(string name, Region region, RegionEvent.Types.Kind kind, SessionState? state = null)
    {
        var mappings = Snapshot(name);
        if (mappings.Count == 0)
        {
            return;
        }

        await Task.WhenAll(mappings.Select(m => m.ApplyAsync(region, kind)));

        // Only a shrink waits for releases, so a grow costs no call back. A pending shrink needs
        // this session's release even when the state is not news here: after a daemon restart, a
        // re-registered session must release again what it already applied.
        if (region.PendingSize != 0)
        {
            // The session releases what its least advanced mapping has reached.
            var reached = mappings.Where(m => !m.IsDisposed).Select(m => m.AppliedGeneration).DefaultIfEmpty(0UL).Min();
            if (reached != 0)
            {
                await ReleaseAsync(name, reached, state);
            }
        }
    }

    private async Task ReleaseAsync(string name, ulong generation, SessionState? state = null)
    {
        state ??= _state;
        try
        {
            await _regions.ReleaseAsync(new ReleaseRequest { Name = name, Generation = generation }, state.Headers, cancellationToken: _life.Token);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or ObjectDisposedException)
        {
            // A lost session releases everything anyway; a region closed meanwhile needs no release.
        }
    }

    private List<MappedRegion> Snapshot(string name)
    {
        lock (_openGate)
        {
            return _open.TryGetValue(name, out var open) ? [.. open.Regions] : [];
        }
    }

    /// <summary>
    /// Runs a call with the current session's headers. If the daemon went away meanwhile, waits
    /// for the session to come back and calls once more, when that is safe: always for an
    /// idempotent call (<paramref name="idempotent"/>), and for any other when the daemon
    /// cannot have applied it. Otherwise the caller learns that the outcome is unknown.
    /// </summary>
    private async Task<(T Response, SessionState State)> CallWithSessionAsync<T>(Func<Metadata, AsyncUnaryCall<T>> call, bool idempotent, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_life.IsCancellationRequested, this);
        var state = await CurrentStateAsync(cancellationToken);
        try
        {
            return (await call(state.Headers), state);
        }
        catch (RpcException e) when (IsSessionLoss(e, state) && (idempotent || IsNotApplied(e, state.Session.IsClosed)))
        {
            state = await NextStateAsync(state, cancellationToken);
            try
            {
                return (await call(state.Headers), state);
            }
            catch (RpcException again)
            {
                throw MapdException.From(again);
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
        {
            throw new MapdException(StatusCode.Unavailable, "mapd went away while the call was on its way and may or may not have applied it; once it is back (the client reconnects on its own), check with GetAsync before trying again", e);
        }
        catch (RpcException e)
        {
            throw MapdException.From(e);
        }
    }

    private static bool IsSessionLoss(RpcException e, SessionState state) =>
        e.StatusCode == StatusCode.Unavailable || (e.StatusCode == StatusCode.FailedPrecondition && state.Session.IsClosed);

    /// <summary>
    /// Whether a failed call certainly did nothing: the daemon itself refused it (UNAVAILABLE,
    /// which it answers only before running a call, while it stops; or FAILED_PRECONDITION for
    /// a session it no longer knows, after a restart), or the connection to it could not be
    /// made, so the request never left this process.
    /// </summary>
    internal static bool IsNotApplied(RpcException e, bool sessionClosed) => e.StatusCode switch
    {
        StatusCode.FailedPrecondition => sessionClosed,
        StatusCode.Unavailable => e.Status.DebugException is null || IsConnectionError(e.Status.DebugException),
        _ => false,
    };

    private static bool IsConnectionError(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
            {
                return true;
            }
        }

        return false;
    }

    private async Task<SessionState> CurrentStateAsync(CancellationToken cancellationToken)
    {
        var state = _state;
        return state.Session.IsClosed ? await NextStateAsync(state, cancellationToken) : state;
    }

    private async Task<SessionState> NextStateAsync(SessionState lost, CancellationToken cancellationToken)
    {
        // A refused call may come a moment before the session socket reports the daemon's death.
        await lost.Session.Closed.Task.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!lost.Session.IsClosed)
        {
            throw new MapdException(StatusCode.Unavailable, "mapd refused the call but the session is still open; retry later");
        }

        try
        {
            return await lost.Replaced.Task.WaitAsync(Options.ReconnectTimeout, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new MapdException(StatusCode.Unavailable, $"mapd has been unreachable at {_sessionPath} for {Options.ReconnectTimeout.TotalSeconds} s; mappings stay valid, calls resume once it is back", e);
        }
    }

    /// <summary>One session and the headers naming it; replaced wholesale when the daemon restarts.</summary>
    internal sealed class SessionState(SessionConnection session)
    {
        public SessionConnection Session { get; } = session;

        public Metadata Headers { get; } = new() { { "mapd-session", session.Id } };

        public TaskCompletionSource<SessionState> Replaced { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// This process's use of one region name: its mappings, opens in flight, the Close that
    /// lingers or is on its way, and the tail of its queue of events to apply.
    /// </summary>
    private sealed class OpenRegion
    {
        public List<MappedRegion> Regions { get; } = [];

        public int Opening { get; set; }

        public Timer? Linger { get; set; }

        public Task Closing { get; set; } = Task.CompletedTask;

        public Task Work { get; set; } = Task.CompletedTask;
    }
}
