using Mapd.Server.Grace;
using Mapd.Server.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mapd.Server.Tests.Storage;

/// <summary>
/// A <see cref="RegionStore"/> over a real <see cref="StorageRoot"/> in a /dev/shm scratch
/// directory, with a manual clock. <see cref="Restart"/> simulates a daemon restart: the old
/// store is dropped as a crash would drop it, and a new one recovers the same directory.
/// </summary>
public sealed class StoreHarness : IDisposable
{
    public const uint DaemonUid = 990;
    public static readonly TimeSpan RecoveryWindow = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan GraceTimeout = TimeSpan.FromSeconds(10);
    private readonly ScratchDirectory _scratch = new();
    private readonly string _capacity;
    private readonly int _maxRegions;
    private readonly long _maxRegionSize;

    public StoreHarness(string capacity = "1M", int maxRegions = 100, long maxRegionSize = 0)
    {
        _capacity = capacity;
        _maxRegions = maxRegions;
        _maxRegionSize = maxRegionSize;
        StoragePath = _scratch.Join("storage");
        (Root, Store) = Open();
        Store.Recover(RecoveryWindow);
    }

    public string StoragePath { get; }

    public ManualTimeProvider Time { get; } = new();

    public RegionEvents Events { get; private set; } = new();

    public StorageRoot Root { get; private set; }

    public RegionStore Store { get; private set; }

    public static CallerIdentity Owner { get; } = new(4242, 1000, 100, []);

    public static CallerIdentity Stranger { get; } = new(4343, 1001, 101, []);

    public static CallerIdentity Root0 { get; } = new(1, 0, 0, []);

    public string RegionPath(string name) => Path.Join(StoragePath, "regions", name);

    public string MetadataPath(string name) => Path.Join(StoragePath, "meta", name + ".json");

    public string[] Names(string subdirectory) =>
        [.. Directory.EnumerateFileSystemEntries(Path.Join(StoragePath, subdirectory)).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal)];

    /// <summary>Creates a region and closes the descriptor the caller would have passed on.</summary>
    public Protocol.V1.Region Create(string name, ulong size, IRegionMapper mapper, uint mode = 0, CallerIdentity? caller = null)
    {
        var (region, fd) = Store.Create(name, size, mode, 0, caller ?? Owner, mapper);
        fd.Dispose();
        return region;
    }

    /// <summary>Drops the store and its lock as a crash would, leaving the files; then runs <paramref name="meanwhile"/>.</summary>
    public void Stop(Action? meanwhile = null)
    {
        Store.Dispose();
        Root.Dispose();
        meanwhile?.Invoke();
    }

    /// <summary>Opens a new store on the same directory and recovers it.</summary>
    public void Start()
    {
        Events = new RegionEvents();
        (Root, Store) = Open();
        Store.Recover(RecoveryWindow);
    }

    /// <summary><see cref="Stop"/>, then <see cref="Start"/>.</summary>
    public void Restart(Action? meanwhile = null)
    {
        Stop(meanwhile);
        Start();
    }

    public void Dispose()
    {
        Store.Dispose();
        Root.Dispose();
        _scratch.Dispose();
    }

    private (StorageRoot Root, RegionStore Store) Open()
    {
        var root = StorageRoot.Open(new StorageOptions { Path = StoragePath, Size = _capacity }, NullLogger.Instance);
        var store = new RegionStore(
            root,
            new RegionPermissions(DaemonUid),
            new RegionStoreLimits(_maxRegionSize, _maxRegions, GraceTimeout),
            Events,
            NullLogger<RegionStore>.Instance,
            Time);
        return (root, store);
    }
}
