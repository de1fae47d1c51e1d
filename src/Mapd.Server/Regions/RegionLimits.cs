namespace Mapd.Server.Regions;

/// <summary>The region limits.</summary>
/// <param name="MaxRegionSize">The largest region; 0 means the capacity.</param>
/// <param name="MaxRegions">The most regions.</param>
/// <param name="GraceTimeout">How long a shrink waits for its mappers before the tail's memory is given back.</param>
public sealed record RegionLimits(long MaxRegionSize, int MaxRegions, TimeSpan GraceTimeout);
