namespace Mapd.Server.Regions;

/// <summary>What the store knows about one session mapping one region.</summary>
internal sealed class MapperState(DateTimeOffset since, ulong generation)
{
    public DateTimeOffset Since { get; } = since;

    /// <summary>The newest generation the session acknowledged (or opened at).</summary>
    public ulong Generation { get; set; } = generation;

    /// <summary>The handoff id of the session's newest open of the region; a CLOSE naming an older one is stale.</summary>
    public ulong LastHandoff { get; set; }

    /// <summary>True once the session got a read-write descriptor of the region: it could change the file's length.</summary>
    public bool Writable { get; set; }
}
