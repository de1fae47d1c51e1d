using System.Runtime.CompilerServices;
using Grpc.Core;
using Mapd.Client;

namespace Mapd.Cli.Tests;

/// <summary>An in-memory daemon that answers like the real one, records what it was asked, and can be told to fail.</summary>
internal sealed class FakeRegionService : IRegionService
{
    private readonly Dictionary<string, RegionStatus> _regions = new(StringComparer.Ordinal);

    public List<string> Calls { get; } = [];

    public MapdException? Failure { get; set; }

    public bool Disposed { get; private set; }

    public List<SessionSummary> Sessions { get; } = [];

    /// <summary>What Watch streams, in order.</summary>
    public List<WatchEvent> WatchEvents { get; } = [];

    /// <summary>After the events: throw this (the daemon ended the watch), else wait for cancellation when <see cref="WatchUntilCancelled"/>, else end the stream.</summary>
    public MapdException? WatchEnd { get; set; }

    public bool WatchUntilCancelled { get; set; }

    /// <summary>Called once every event has been handed out and the watch waits for cancellation.</summary>
    public Action? WatchIdle { get; set; }

    public void Add(RegionInfo region) => _regions[region.Name] = new RegionStatus(region, 0, [], null);

    public void Add(RegionStatus status) => _regions[status.Region.Name] = status;

    /// <summary>What Status answers.</summary>
    public DaemonStatus Status { get; set; } = Regions.Daemon();

    public Task<IReadOnlyList<RegionInfo>> ListAsync(string prefix, CancellationToken cancellationToken) =>
        Answer(prefix.Length == 0 ? "List" : $"List {prefix}", () => (IReadOnlyList<RegionInfo>)[.. _regions.Values.Select(s => s.Region).Where(r => r.Name.StartsWith(prefix, StringComparison.Ordinal))]);

    public Task<DaemonStatus> StatusAsync(CancellationToken cancellationToken) => Answer("Status", () => Status);

    public Task<RegionStatus> GetDetailsAsync(string name, CancellationToken cancellationToken) =>
        Answer($"Get {name}", () => Find(name));

    public Task<RegionInfo> CreateAsync(string name, long size, uint mode, long maxSize, CancellationToken cancellationToken) =>
        Answer($"Create {name} {size} {mode} {maxSize}", () =>
        {
            if (_regions.ContainsKey(name))
            {
                throw new MapdException(StatusCode.AlreadyExists, $"region '{name}' already exists; open it instead, or delete it first");
            }

            var region = Regions.Make(name, size, mode: mode == 0 ? 0x180u : mode);
            _regions[name] = new RegionStatus(region, maxSize, [], null);
            return region;
        });

    public Task<RegionInfo> ResizeAsync(string name, long size, ulong expectedGeneration, CancellationToken cancellationToken) =>
        Answer($"Resize {name} {size} {expectedGeneration}", () =>
        {
            var status = Find(name);
            var region = status.Region;
            if (expectedGeneration != 0 && expectedGeneration != region.Generation)
            {
                throw new MapdException(StatusCode.FailedPrecondition, $"region '{name}' is at generation {region.Generation}, not {expectedGeneration}; read it again and retry");
            }

            var resized = size >= region.Size
                ? region with { Size = size, Generation = region.Generation + 1 }
                : region with { PendingSize = size, Generation = region.Generation + 1 };
            _regions[name] = status with { Region = resized };
            return resized;
        });

    public Task DeleteAsync(string name, CancellationToken cancellationToken) =>
        Answer($"Delete {name}", () => _regions.Remove(name) ? name : throw NotFound(name));

    public Task<IReadOnlyList<SessionSummary>> ListSessionsAsync(CancellationToken cancellationToken) =>
        Answer("ListSessions", () => (IReadOnlyList<SessionSummary>)[.. Sessions]);

    public async IAsyncEnumerable<WatchEvent> WatchAsync(IReadOnlyList<string> names, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Calls.Add($"Watch [{string.Join(' ', names)}]");
        if (Failure is { } failure)
        {
            throw failure;
        }

        foreach (var watchEvent in WatchEvents)
        {
            await Task.Yield();
            yield return watchEvent;
        }

        if (WatchEnd is { } end)
        {
            throw end;
        }

        if (WatchUntilCancelled)
        {
            WatchIdle?.Invoke();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }

    private static MapdException NotFound(string name) =>
        new(StatusCode.NotFound, $"region '{name}' does not exist; list regions with 'mapctl ls' or create it first");

    private RegionStatus Find(string name) => _regions.TryGetValue(name, out var status) ? status : throw NotFound(name);

    private Task<T> Answer<T>(string call, Func<T> answer)
    {
        Calls.Add(call);
        return Failure is { } failure ? Task.FromException<T>(failure) : Task.FromResult(answer());
    }
}
