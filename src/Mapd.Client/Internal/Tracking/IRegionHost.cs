using Mapd.Client.Internal.Mapping;
using Mapd.Protocol.V1;

namespace Mapd.Client.Internal.Tracking;

/// <summary>What a <see cref="MappedRegion"/> asks of the client that mapped it.</summary>
internal interface IRegionHost
{
    /// <summary>How mappings reserve and prefault.</summary>
    MappingPolicy Mapping { get; }

    /// <summary>Sends a Resize (retried after a daemon restart only when it cannot have been applied).</summary>
    Task<Region> ResizeAsync(string name, long size, ulong expectedGeneration, CancellationToken cancellationToken);

    /// <summary>Applies a state to every mapping of the region, in order behind its earlier events, and releases a pending shrink.</summary>
    Task ApplyAsync(string name, Region region, RegionEvent.Types.Kind kind);

    /// <summary>The mapping was disposed.</summary>
    void Forget(MappedRegion region);
}
