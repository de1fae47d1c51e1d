using Mapd.Client;

namespace Mapd.Cli;

/// <summary>
/// The daemon calls mapctl makes. Failures surface as <see cref="MapdException"/>: UNAVAILABLE
/// when the daemon cannot be reached, the daemon's own status otherwise.
/// </summary>
internal interface IRegionService : IAsyncDisposable
{
    /// <summary>Every region.</summary>
    Task<IReadOnlyList<RegionInfo>> ListAsync(CancellationToken cancellationToken);

    /// <summary>One region.</summary>
    Task<RegionInfo> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates a region that outlives this process; 0 for <paramref name="mode"/> means the daemon's default, 0600.</summary>
    Task<RegionInfo> CreateAsync(string name, long size, uint mode, CancellationToken cancellationToken);

    /// <summary>Grows (committed on return) or shrinks (announced on return, see <see cref="RegionInfo.PendingSize"/>) a region.</summary>
    Task<RegionInfo> ResizeAsync(string name, long size, CancellationToken cancellationToken);

    /// <summary>Deletes a region.</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken);
}
