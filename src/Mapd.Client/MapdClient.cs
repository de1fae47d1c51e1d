using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Mapd.Client.Internal;
using Mapd.Client.Internal.Calls;
using Mapd.Client.Internal.Mapping;
using Mapd.Client.Internal.Sessions;
using Mapd.Client.Internal.Tracking;
using Mapd.Protocol.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

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
    private readonly Regions.RegionsClient _calls;
    private readonly CancellationTokenSource _life = new();
    private readonly SessionSupervisor _sessions;
    private readonly RegionTable _table;
    private readonly RegionOpener _opener;
    private int _disposed;

    private MapdClient(GrpcChannel channel, ISessionDialer dialer, ISession session, string socketDirectory, MapdClientOptions options)
    {
        var loggers = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var time = TimeProvider.System;
        _channel = channel;
        Grpc = new Regions.RegionsClient(channel);
        SocketDirectory = socketDirectory;
        Options = options;

        _sessions = new SessionSupervisor(dialer, session, Backoff.Default(), options.ReconnectTimeout, time, loggers.CreateLogger<SessionSupervisor>());
        _calls = new Regions.RegionsClient(channel.Intercept(new SessionInterceptor(_sessions)));
        var regionLogger = loggers.CreateLogger<RegionSync>();
        var pinned = new PinnedCalls(Grpc, _sessions, regionLogger, _life.Token);
        _table = new RegionTable(options.CloseLinger, time, pinned);
        var sync = new RegionSync(_table, new RegionEventQueue(), pinned, _calls, MappingPolicy.From(options, loggers.CreateLogger<MappingPolicy>()), regionLogger);
        var support = new SessionOpenSupport(Grpc, options.OpenOnSessionSocket, options.ConnectTimeout, _life.Token);
        _opener = new RegionOpener(_table, sync, pinned, _sessions, _sessions, support, regionLogger);
        var reattacher = new Reattacher(_table, sync, Grpc, regionLogger);
        var watch = new WatchPump(Grpc, sync, time, regionLogger);
        _sessions.Start(new SessionHooks(reattacher.AttachAsync, watch.ServeAsync));
    }

    /// <summary>The socket directory this client uses.</summary>
    public string SocketDirectory { get; }

    /// <summary>The options this client was connected with.</summary>
    public MapdClientOptions Options { get; }

    /// <summary>This process's current session id (it changes when the daemon restarts).</summary>
    public string SessionId => _sessions.Current.Id;

    /// <summary>
    /// The generated gRPC client, for calls this class does not wrap. Add <see cref="SessionHeaders"/>
    /// where a session is needed. Create and Open belong to <see cref="CreateAsync"/> and
    /// <see cref="OpenAsync"/>: made here on this client's session, their descriptor arrives on
    /// its socket with nobody to take it, and stays open until the client is disposed.
    /// </summary>
    public Regions.RegionsClient Grpc { get; }

    /// <summary>The <c>mapd-session</c> metadata of the current session.</summary>
    public Metadata SessionHeaders => _sessions.Current.Headers;

    /// <summary>Connects to the daemon and opens a session.</summary>
    /// <exception cref="MapdException">The daemon is not reachable (UNAVAILABLE), with the socket path tried.</exception>
    public static async Task<MapdClient> ConnectAsync(MapdClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("mapd serves processes on Linux only: its regions are tmpfs files whose descriptors travel over a Unix socket");
        }

        options ??= new MapdClientOptions();
        var search = options.FindSocketDirectory();
        var directory = search.Directory;
        var dialer = new SessionDialer(Path.Join(directory, SocketLocation.SessionSocketName), search, options.ConnectTimeout);
        var session = await dialer.DialAsync(cancellationToken);
        var channel = MapdChannel.Create(Path.Join(directory, SocketLocation.GrpcSocketName), options.ConnectTimeout);
        return new MapdClient(channel, dialer, session, directory, options);
    }

    /// <summary>Creates a region of <paramref name="size"/> bytes and maps it read-write.</summary>
    /// <param name="name">1 to 200 of <c>[A-Za-z0-9._-]</c>, not starting with a dot.</param>
    /// <param name="size">Bytes; at least 1.</param>
    /// <param name="mode">Permission bits such as <c>0b110_100_000</c> (0640); 0 means 0600.</param>
    /// <param name="maxSize">Optional: the largest size the region may grow to, so every mapper reserves that much address space (up to <see cref="MapdClientOptions.MaximumReservation"/>) and grows in place.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<MappedRegion> CreateAsync(string name, long size, uint mode = 0, long maxSize = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        var request = new CreateRequest { Name = name, Size = (ulong)size, Mode = mode, MaxSize = (ulong)maxSize };
        return await _opener.OpenAsync(name, headers => _calls.CreateAsync(request, headers, cancellationToken: cancellationToken), cancellationToken);
    }

    /// <summary>Opens an existing region and maps it.</summary>
    public async Task<MappedRegion> OpenAsync(string name, RegionAccess access = RegionAccess.ReadWrite, CancellationToken cancellationToken = default)
    {
        var request = new OpenRequest { Name = name, Access = (Access)access };
        return await _opener.OpenAsync(name, request.Access, headers => _calls.OpenAsync(request, headers, cancellationToken: cancellationToken), cancellationToken);
    }

    /// <summary>Describes one region, with its mappers and any pending shrink.</summary>
    public async Task<RegionInfo> GetAsync(string name, CancellationToken cancellationToken = default) =>
        RegionInfo.From(await GetDetailsAsync(name, cancellationToken));

    /// <summary>Describes every region.</summary>
    public async Task<IReadOnlyList<RegionInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var response = await _calls.ListAsync(new ListRequest(), cancellationToken: cancellationToken);
        return [.. response.Regions.Select(RegionInfo.From)];
    }

    /// <summary>
    /// Resizes a region this process need not map. A grow is committed on return; a shrink is
    /// announced and commits once every mapper has released its tail.
    /// </summary>
    public async Task<RegionInfo> ResizeAsync(string name, long size, ulong expectedGeneration = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var request = new ResizeRequest { Name = name, Size = (ulong)size, ExpectedGeneration = expectedGeneration };
        return RegionInfo.From(await _calls.ResizeAsync(request, cancellationToken: cancellationToken));
    }

    /// <summary>Deletes a region: its name disappears now, its memory once nobody maps it.</summary>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        await _calls.DeleteAsync(new DeleteRequest { Name = name }, cancellationToken: cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _life.Cancel();
        _table.Stop();
        _sessions.Dispose();
        _channel.Dispose();
        _life.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    internal async Task<Region> GetDetailsAsync(string name, CancellationToken cancellationToken) =>
        await _calls.GetAsync(new GetRequest { Name = name }, cancellationToken: cancellationToken);
}
