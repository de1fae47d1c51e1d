using System.Net.Sockets;
using Mapd.Server;
using Mapd.Server.Api;
using Mapd.Server.Errors;
using Mapd.Server.Hosting;
using Mapd.Server.Peers;
using Mapd.Server.Regions;
using Mapd.Server.Sessions;
using Mapd.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Mapd.Fuzz.Harness;

/// <summary>
/// The daemon's core as <c>mapd</c> wires it (<see cref="RegionServices.AddRegions"/>: storage on
/// a real tmpfs directory, the store, sessions, watches), with the gRPC service and
/// <see cref="ErrorInterceptor"/>, and three peers with sessions of their own; no sockets are
/// listened on and no HTTP runs. Its clock moves only when an input's calls are settled, so timers
/// (grace periods) fire on this thread, at the same point of every run of an input. One per
/// fuzzing process: inputs leave it as they found it.
/// </summary>
public sealed class DaemonCore : IDisposable
{
    private readonly ScratchDirectory _scratch = new("mapd-fuzz-");
    private readonly ServiceProvider _services;
    private readonly Socket _listener;

    /// <summary>Starts the core on a 64 MiB storage in /dev/shm.</summary>
    public DaemonCore()
    {
        var options = new MapdOptions
        {
            Storage = new StorageOptions { Path = _scratch.Join("storage"), Size = "64M" },
            Limits = new LimitOptions { MaxRegions = 64, MaxSessions = 16, MaxConnections = 16, MaxCachedDescriptors = 16 },
            Grace = new GraceOptions { Timeout = TimeSpan.FromSeconds(1), RecoveryWindow = TimeSpan.Zero },
        };
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton<IHostApplicationLifetime, FuzzLifetime>();
        services.AddHealthChecks();
        services.AddRegions(options);
        services.AddSingleton<ErrorInterceptor>();
        services.AddSingleton<BulkReadLane>();
        services.AddSingleton<RegionsService>();
        _services = services.BuildServiceProvider();

        var socketPath = _scratch.Join("fd.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(4);
        Owner = new FuzzPeer(_listener, socketPath, new CallerIdentity(4242, 1000, 100, []), 1);
        Stranger = new FuzzPeer(_listener, socketPath, new CallerIdentity(4343, 1001, 101, [100]), 2);
        Root = new FuzzPeer(_listener, socketPath, new CallerIdentity(1, 0, 0, []), 3);
        foreach (var peer in Peers)
        {
            Sessions.Add(peer.Session);
        }
    }

    /// <summary>The daemon's clock.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>A user (uid 1000).</summary>
    public FuzzPeer Owner { get; }

    /// <summary>Another user (uid 1001), in the owner's group.</summary>
    public FuzzPeer Stranger { get; }

    /// <summary>Root.</summary>
    public FuzzPeer Root { get; }

    /// <summary>Every peer.</summary>
    public IReadOnlyList<FuzzPeer> Peers => [Owner, Stranger, Root];

    /// <summary>The store.</summary>
    public RegionStore Store => _services.GetRequiredService<RegionStore>();

    /// <summary>The session registry.</summary>
    public SessionRegistry Sessions => _services.GetRequiredService<SessionRegistry>();

    /// <summary>The gRPC service.</summary>
    public RegionsService Service => _services.GetRequiredService<RegionsService>();

    /// <summary>What answers OPEN on a session socket.</summary>
    public ISessionRequests SessionRequests => _services.GetRequiredService<ISessionRequests>();

    /// <summary>The interceptor every call goes through.</summary>
    public ErrorInterceptor Interceptor => _services.GetRequiredService<ErrorInterceptor>();

    /// <summary>
    /// After each call: the grace period of any pending shrink runs out (its timer punches a hole
    /// over the tail), and each client does what the client library does: takes the descriptors
    /// handed off and releases every shrink its session is asked to, so no later call waits on it.
    /// </summary>
    public void Settle()
    {
        if (Store.PendingShrinks > 0)
        {
            Clock.Advance(Store.GraceTimeout + TimeSpan.FromMilliseconds(1));
        }

        var regions = Store.List().ToDictionary(r => r.Name);
        foreach (var peer in Peers)
        {
            peer.TakeDescriptors();
            foreach (var name in Store.Mappings.RegionsOf(peer.Session))
            {
                if (regions.GetValueOrDefault(name) is { PendingShrink: { } shrink })
                {
                    Refused(() => Store.Mappings.Release(name, shrink.Generation, peer.Session));
                }
            }
        }
    }

    /// <summary>Closes every mapping and deletes every region, so the next input starts from an empty store.</summary>
    public void Reset()
    {
        foreach (var peer in Peers)
        {
            peer.TakeDescriptors();
            foreach (var name in Store.Mappings.RegionsOf(peer.Session))
            {
                Refused(() => Store.Mappings.Close(name, peer.Session));
            }
        }

        foreach (var region in Store.List())
        {
            Refused(() => Store.Delete(region.Name, Root.Caller));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var peer in Peers)
        {
            peer.Dispose();
        }

        _listener.Dispose();
        _services.Dispose();
        _scratch.Dispose();
    }

    private static void Refused(Action action)
    {
        try
        {
            action();
        }
        catch (RefusedException)
        {
        }
    }
}
