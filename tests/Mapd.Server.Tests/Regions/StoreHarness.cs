using Mapd.Server.Peers;
using Mapd.Server.Regions;
using Mapd.Server.Storage;
using Mapd.Server.Watches;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mapd.Server.Tests.Regions;

/// <summary>
/// A <see cref="RegionStore"/> over a real <see cref="StorageRoot"/> in a /dev/shm scratch
/// directory, with a fake clock. <see cref="Restart"/> simulates a daemon restart: the old
/// store is dropped as a crash would drop it, and a new one recovers the same directory.
/// </summary>
public sealed class StoreHarness : IDisposable
{
    public const uint DaemonUid = 990;
    public static readonly TimeSpan RecoveryWindow = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan GraceTimeout = TimeSpan.FromSeconds(10);
    private readonly ScratchDirectory _scratch = new("mapd-server-test-");
    private readonly string _capacity;
    private readonly int _maxRegions;
    private readonly long _maxRegionSize;
    private readonly int _cachedDescriptors;
    private readonly RegionQuotas? _quotas;
    private DescriptorCache _descriptors;

    public StoreHarness(string capacity = "1M", int maxRegions = 100, long maxRegionSize = 0, int cachedDescriptors = 64, RegionQuotas? quotas = null)
    {
        _capacity = capacity;
        _maxRegions = maxRegions;
        _maxRegionSize = maxRegionSize;
        _cachedDescriptors = cachedDescriptors;
        _quotas = quotas;
        StoragePath = _scratch.Join("storage");
        (Root, _descriptors, Store) = Open();
        Store.Recover(RecoveryWindow);
    }

    public string StoragePath { get; }

    public CountingTimeProvider Time { get; } = new();

    public WatchHub Watches { get; private set; } = new();

    public StorageRoot Root { get; private set; }

    public RegionStore Store { get; private set; }

    public RegionMappings Mappings => Store.Mappings;

    public RegionResizer Resizer => Store.Resizer;

    public DescriptorCache Descriptors => _descriptors;

    public static CallerIdentity Owner { get; } = new(4242, 1000, 100, []);

    public static CallerIdentity Stranger { get; } = new(4343, 1001, 101, []);

    public static CallerIdentity Root0 { get; } = new(1, 0, 0, []);

    public string RegionPath(string name) => Path.Join(StoragePath, "regions", name);

    public string MetadataPath(string name) => Path.Join(StoragePath, "meta", name + ".json");

    public string[] Names(string subdirectory) =>
        [.. Directory.EnumerateFileSystemEntries(Path.Join(StoragePath, subdirectory)).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal)];

    /// <summary>Creates a region and ends the loan of the descriptor the caller would have passed on.</summary>
    public RegionSnapshot Create(string name, ulong size, IRegionMapper mapper, uint mode = 0, CallerIdentity? caller = null)
    {
        var (region, fd) = Store.Create(name, size, mode, 0, caller ?? Owner, mapper);
        fd.Dispose();
        return region;
    }

    /// <summary>Subscribes a watch as the Watch call does: CURRENT of each watched region first, then changes.</summary>
    public WatchSubscription Watch(IRegionMapper? mapper, IReadOnlyCollection<string> names)
    {
        Store.CheckExist(names);
        var subscription = Watches.Subscribe(mapper, names, mapper?.Uid ?? 0);
        Store.SendCurrent(subscription, mapper, names);
        return subscription;
    }

    /// <summary>Drops the store and its lock as a crash would, leaving the files; then runs <paramref name="meanwhile"/>.</summary>
    public void Stop(Action? meanwhile = null)
    {
        Store.Dispose();
        _descriptors.Dispose();
        Root.Dispose();
        meanwhile?.Invoke();
    }

    /// <summary>Opens a new store on the same directory and recovers it.</summary>
    public void Start()
    {
        Watches = new WatchHub();
        (Root, _descriptors, Store) = Open();
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
        _descriptors.Dispose();
        Root.Dispose();
        _scratch.Dispose();
    }

    private (StorageRoot Root, DescriptorCache Descriptors, RegionStore Store) Open()
    {
        var root = StorageRoot.Open(new StorageOptions { Path = StoragePath, Size = _capacity }, NullLogger.Instance);
        var descriptors = new DescriptorCache(_cachedDescriptors);
        var store = new RegionStore(
            root,
            new RegionPermissions(DaemonUid),
            new RegionLimits(_maxRegionSize, _maxRegions, GraceTimeout),
            descriptors,
            Watches,
            NullLogger<RegionStore>.Instance,
            Time,
            _quotas);
        return (root, descriptors, store);
    }
}
