using Mapd.Client;

namespace Mapd.Cli.Daemon;

/// <summary>
/// The daemon calls mapctl makes. Failures surface as <see cref="MapdException"/>: UNAVAILABLE
/// when the daemon cannot be reached, the daemon's own status otherwise.
/// </summary>
internal interface IRegionService : IAsyncDisposable
{
    /// <summary>The regions whose names start with <paramref name="prefix"/> (every region when empty), in name order.</summary>
    Task<IReadOnlyList<RegionInfo>> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>One region, with who maps it and any pending shrink.</summary>
    Task<RegionStatus> GetDetailsAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a region that outlives this process; 0 for <paramref name="mode"/> means the daemon's
    /// default, 0600, and 0 for <paramref name="maxSize"/> gives no address-space hint.
    /// </summary>
    Task<RegionInfo> CreateAsync(string name, long size, uint mode, long maxSize, CancellationToken cancellationToken);

    /// <summary>
    /// Grows (committed on return) or shrinks (announced on return, see <see cref="RegionInfo.PendingSize"/>)
    /// a region; with a non-zero <paramref name="expectedGeneration"/>, only if the region is still at it
    /// (FAILED_PRECONDITION otherwise).
    /// </summary>
    Task<RegionInfo> ResizeAsync(string name, long size, ulong expectedGeneration, CancellationToken cancellationToken);

    /// <summary>Deletes a region.</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>The daemon's sessions this user may see.</summary>
    Task<IReadOnlyList<SessionSummary>> ListSessionsAsync(CancellationToken cancellationToken);

    /// <summary>The daemon's version, uptime, capacity, counts and health.</summary>
    Task<DaemonStatus> StatusAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Follows <paramref name="names"/> (every region when empty): first the current state of each,
    /// then changes as they happen. A watch the daemon refuses at the start (a name that does not
    /// exist: NOT_FOUND) throws its status; one it ends later throws UNAVAILABLE, or just ends;
    /// cancelling throws <see cref="OperationCanceledException"/>.
    /// </summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(IReadOnlyList<string> names, CancellationToken cancellationToken);
}
