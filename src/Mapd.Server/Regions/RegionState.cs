namespace Mapd.Server.Regions;

/// <summary>Where a region is in its life. <see cref="ManagedRegion"/> allows only the transitions drawn here.</summary>
/// <remarks>
/// <code>
/// Creating ──► Live ◄──► ShrinkPending
///    │          ├──► Deleted ──► Purged    (a pending shrink ends first)
///    │          │       └──► Orphaned ──► Purged (a process held the file past its session)
///    │          └──► Purged                (a create undone)
///    └──► Deleted                          (a deleted file found at start-up)
/// </code>
/// </remarks>
public enum RegionState
{
    /// <summary>The name is taken; its file and metadata are being made. Invisible to everyone else.</summary>
    Creating,

    /// <summary>Serving opens and resizes.</summary>
    Live,

    /// <summary>A shrink is announced; the file keeps its length until every mapper released the tail.</summary>
    ShrinkPending,

    /// <summary>The name is gone; the file waits in <c>trash/</c> until its last mapper leaves.</summary>
    Deleted,

    /// <summary>
    /// Deleted, mapped by no session, its file unlinked; but some process still holds the file
    /// (a descriptor kept past its session), so its capacity stays taken until the last holder
    /// lets go, and its length stays what was granted.
    /// </summary>
    Orphaned,

    /// <summary>The file is gone and its capacity returned: the end.</summary>
    Purged,
}
