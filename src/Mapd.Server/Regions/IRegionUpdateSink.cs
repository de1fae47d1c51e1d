using Mapd.Server.Peers;

namespace Mapd.Server.Regions;

/// <summary>Where region updates go once the change is made: the watchers.</summary>
public interface IRegionUpdateSink
{
    /// <summary>
    /// Delivers <paramref name="update"/> to every interested watcher; <paramref name="mappers"/>
    /// were the region's mappers at the change (a session's watch follows what it maps). Called
    /// outside any region lock, one region's updates in generation order. Must not block.
    /// </summary>
    void Publish(RegionUpdate update, IReadOnlyCollection<IRegionMapper> mappers);
}

/// <summary>One watcher that is sent the current state of regions when it starts.</summary>
public interface IRegionUpdateTarget
{
    /// <summary>Delivers one update; must not block.</summary>
    void Deliver(RegionUpdate update);
}
