using Grpc.Core;
using Mapd.Client;

namespace Mapd.Cli.Tests;

/// <summary>An in-memory daemon that answers like the real one, records what it was asked, and can be told to fail.</summary>
internal sealed class FakeRegionService : IRegionService
{
    private readonly Dictionary<string, RegionInfo> _regions = new(StringComparer.Ordinal);

    public List<string> Calls { get; } = [];

    public MapdException? Failure { get; set; }

    public bool Disposed { get; private set; }

    public void Add(RegionInfo region) => _regions[region.Name] = region;

    public Task<IReadOnlyList<RegionInfo>> ListAsync(CancellationToken cancellationToken) =>
        Answer("List", () => (IReadOnlyList<RegionInfo>)[.. _regions.Values]);

    public Task<RegionInfo> GetAsync(string name, CancellationToken cancellationToken) =>
        Answer($"Get {name}", () => Find(name));

    public Task<RegionInfo> CreateAsync(string name, long size, uint mode, CancellationToken cancellationToken) =>
        Answer($"Create {name} {size} {mode}", () =>
        {
            if (_regions.ContainsKey(name))
            {
                throw new MapdException(StatusCode.AlreadyExists, $"region '{name}' already exists; open it instead, or delete it first");
            }

            var region = Regions.Make(name, size, mode: mode == 0 ? 0x180u : mode);
            _regions[name] = region;
            return region;
        });

    public Task<RegionInfo> ResizeAsync(string name, long size, CancellationToken cancellationToken) =>
        Answer($"Resize {name} {size}", () =>
        {
            var region = Find(name);
            var resized = size >= region.Size
                ? region with { Size = size, Generation = region.Generation + 1 }
                : region with { PendingSize = size, Generation = region.Generation + 1 };
            _regions[name] = resized;
            return resized;
        });

    public Task DeleteAsync(string name, CancellationToken cancellationToken) =>
        Answer($"Delete {name}", () => _regions.Remove(name) ? name : throw NotFound(name));

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }

    private static MapdException NotFound(string name) =>
        new(StatusCode.NotFound, $"region '{name}' does not exist; list regions with 'mapctl ls' or create it first");

    private RegionInfo Find(string name) => _regions.TryGetValue(name, out var region) ? region : throw NotFound(name);

    private Task<T> Answer<T>(string call, Func<T> answer)
    {
        Calls.Add(call);
        return Failure is { } failure ? Task.FromException<T>(failure) : Task.FromResult(answer());
    }
}
