using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Mapd.Client.Internal;
using Mapd.Native;
using Mapd.Protocol.V1;

namespace Mapd.Client;

/// <summary>
/// A connection to mapd: a gRPC channel on <c>mapd.sock</c> and a session on
/// <c>mapd-fd.sock</c> that carries region descriptors. Thread-safe; one per process is
/// enough. Disposing ends the session; mapped regions stay mapped until they are disposed.
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
    private readonly SessionConnection _session;
    private readonly Metadata _sessionHeaders;
    private readonly Lock _openGate = new();
    private readonly Dictionary<string, int> _openCounts = new(StringComparer.Ordinal);

    private MapdClient(GrpcChannel channel, SessionConnection session, string socketDirectory)
    {
        _channel = channel;
        _regions = new Regions.RegionsClient(channel);
        _session = session;
        _sessionHeaders = new Metadata { { "mapd-session", session.Id } };
        SocketDirectory = socketDirectory;
    }

    /// <summary>The socket directory this client uses.</summary>
    public string SocketDirectory { get; }

    /// <summary>This process's session id.</summary>
    public string SessionId => _session.Id;

    /// <summary>The generated gRPC client, for calls this class does not wrap. Add <see cref="SessionHeaders"/> where a session is needed.</summary>
    public Regions.RegionsClient Grpc => _regions;

    /// <summary>The <c>mapd-session</c> metadata of this client's session.</summary>
    public Metadata SessionHeaders => _sessionHeaders;

    /// <summary>Connects to the daemon and opens a session.</summary>
    /// <exception cref="MapdException">The daemon is not reachable (UNAVAILABLE), with the socket path tried.</exception>
    public static async Task<MapdClient> ConnectAsync(MapdClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MapdClientOptions();
        var directory = options.ResolveSocketDirectory();
        var grpcPath = Path.Join(directory, SocketLocation.GrpcSocketName);
        var sessionPath = Path.Join(directory, SocketLocation.SessionSocketName);

        SessionConnection session;
        try
        {
            session = await Task.Run(() => SessionConnection.Connect(sessionPath), cancellationToken);
        }
        catch (SystemCallException e) when (e.Errno is Errnos.ENOENT or Errnos.ECONNREFUSED or Errnos.EACCES)
        {
            var hint = e.Errno == Errnos.EACCES
                ? "ask for membership in the socket's group (Mapd:SocketGroup)"
                : "start it with 'mapd', or set MapdClientOptions.SocketDirectory / MAPD_SOCKET_DIR";
            throw new MapdException(StatusCode.Unavailable, $"mapd is not reachable at {sessionPath} ({e.ErrnoName}); {hint}", e);
        }
        catch (IOException e)
        {
            throw new MapdException(StatusCode.Unavailable, e.Message, e);
        }

        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = options.ConnectTimeout,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(grpcPath), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var channel = GrpcChannel.ForAddress("http://mapd", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        return new MapdClient(channel, session, directory);
    }

    /// <summary>Creates a region of <paramref name="size"/> bytes and maps it read-write.</summary>
    /// <param name="name">1 to 200 of <c>[A-Za-z0-9._-]</c>, not starting with a dot.</param>
    /// <param name="size">Bytes; at least 1.</param>
    /// <param name="mode">Permission bits such as <c>0b110_100_000</c> (0640); 0 means 0600.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<MappedRegion> CreateAsync(string name, long size, uint mode = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var response = await CallAsync(() => _regions.CreateAsync(new CreateRequest { Name = name, Size = (ulong)size, Mode = mode }, _sessionHeaders, cancellationToken: cancellationToken));
        return await MapAsync(response, cancellationToken);
    }

    /// <summary>Opens an existing region and maps it.</summary>
    public async Task<MappedRegion> OpenAsync(string name, RegionAccess access = RegionAccess.ReadWrite, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync(() => _regions.OpenAsync(new OpenRequest { Name = name, Access = (Access)access }, _sessionHeaders, cancellationToken: cancellationToken));
        return await MapAsync(response, cancellationToken);
    }

    /// <summary>Describes one region.</summary>
    public async Task<RegionInfo> GetAsync(string name, CancellationToken cancellationToken = default) =>
        RegionInfo.From(await CallAsync(() => _regions.GetAsync(new GetRequest { Name = name }, cancellationToken: cancellationToken)));

    /// <summary>Describes every region.</summary>
    public async Task<IReadOnlyList<RegionInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var response = await CallAsync(() => _regions.ListAsync(new ListRequest(), cancellationToken: cancellationToken));
        return [.. response.Regions.Select(RegionInfo.From)];
    }

    /// <summary>Deletes a region: its name disappears now, its memory once nobody maps it.</summary>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        await CallAsync(() => _regions.DeleteAsync(new DeleteRequest { Name = name }, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public void Dispose()
    {
        _session.Dispose();
        _channel.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    internal void Forget(MappedRegion region)
    {
        if (ReleaseOpen(region.Name))
        {
            try
            {
                _regions.Close(new CloseRequest { Name = region.Name }, _sessionHeaders);
            }
            catch (RpcException)
            {
                // The session is gone or the daemon restarted: either way it no longer counts this mapping.
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    internal async ValueTask ForgetAsync(MappedRegion region)
    {
        if (ReleaseOpen(region.Name))
        {
            try
            {
                await _regions.CloseAsync(new CloseRequest { Name = region.Name }, _sessionHeaders);
            }
            catch (RpcException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private bool ReleaseOpen(string name)
    {
        lock (_openGate)
        {
            var count = _openCounts.GetValueOrDefault(name) - 1;
            if (count > 0)
            {
                _openCounts[name] = count;
                return false;
            }

            _openCounts.Remove(name);
            return true;
        }
    }

    private async Task<MappedRegion> MapAsync(OpenResponse response, CancellationToken cancellationToken)
    {
        var descriptor = await _session.TakeAsync(response.HandoffId, cancellationToken);
        try
        {
            var info = RegionInfo.From(response.Region);
            var access = MappedRegion.FromProtocol(response.Access);
            var view = MappedRegion.Map(descriptor, info, access);
            lock (_openGate)
            {
                _openCounts[info.Name] = _openCounts.GetValueOrDefault(info.Name) + 1;
            }

            return new MappedRegion(this, info, access, descriptor, view);
        }
        catch
        {
            descriptor.Dispose();
            throw;
        }
    }

    private static async Task<T> CallAsync<T>(Func<AsyncUnaryCall<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException e)
        {
            throw MapdException.From(e);
        }
    }
}
