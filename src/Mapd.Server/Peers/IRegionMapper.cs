namespace Mapd.Server.Peers;

/// <summary>Something that maps regions and whose mappings end when it does: a session.</summary>
public interface IRegionMapper
{
    /// <summary>The mapping process.</summary>
    int Pid { get; }

    /// <summary>Its uid.</summary>
    uint Uid { get; }

    /// <summary>A short id for logs.</summary>
    string Id { get; }

    /// <summary>What it maps, and whether it ended: registering is refused once it has.</summary>
    MapperRegistrations Registrations { get; }
}
