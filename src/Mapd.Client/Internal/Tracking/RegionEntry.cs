using Mapd.Client.Internal.Sessions;

namespace Mapd.Client.Internal.Tracking;

/// <summary>
/// This process's use of one region name: its mappings, opens in flight, whether the daemon
/// counts this session as a mapper of it, and the Close that lingers or is on its way.
/// Guarded by <see cref="RegionTable"/>'s lock.
/// </summary>
internal sealed class RegionEntry(string name)
{
    public string Name { get; } = name;

    public List<MappedRegion> Mappings { get; } = [];

    public int Opening { get; set; }

    /// <summary>The daemon answered an open of the name, so it counts this session until it is told otherwise.</summary>
    public bool Registered { get; set; }

    /// <summary>The session whose open of the name was answered last (null when an answer was lost on its way).</summary>
    public SessionState? AnsweredOn { get; set; }

    /// <summary>The largest handoff id <see cref="AnsweredOn"/> answered an open of the name with.</summary>
    public ulong LastHandoff { get; set; }

    /// <summary>An open was given up on its way; the daemon may have counted it under a handoff id never seen here.</summary>
    public bool AnswerLost { get; set; }

    public ITimer? Linger { get; set; }

    public Task Closing { get; set; } = Task.CompletedTask;

    /// <summary>No mapping and no open in flight.</summary>
    public bool Unused => Mappings.Count == 0 && Opening == 0;

    public void StopLinger()
    {
        Linger?.Dispose();
        Linger = null;
    }
}
