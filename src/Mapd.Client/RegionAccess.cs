namespace Mapd.Client;

/// <summary>How a region is opened.</summary>
public enum RegionAccess
{
    /// <summary>Read-only: the descriptor is O_RDONLY, so the mapping cannot be written.</summary>
    ReadOnly = 1,

    /// <summary>Read-write.</summary>
    ReadWrite = 2,
}
