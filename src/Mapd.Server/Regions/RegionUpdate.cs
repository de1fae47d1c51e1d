namespace Mapd.Server.Regions;

/// <summary>What happened to a region, for watchers: the kind of change and the region right after it.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Region">The region after the change.</param>
public sealed record RegionUpdate(RegionUpdateKind Kind, RegionSnapshot Region);

/// <summary>The kinds of <see cref="RegionUpdate"/>.</summary>
public enum RegionUpdateKind
{
    /// <summary>The current state, sent first to a new watcher.</summary>
    Current,

    /// <summary>A grow, or a shrink that committed.</summary>
    Resized,

    /// <summary>A shrink announced: mappers must stop using the tail and release it.</summary>
    ShrinkPending,

    /// <summary>The name is gone.</summary>
    Deleted,
}
