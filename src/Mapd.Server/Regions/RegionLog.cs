using Microsoft.Extensions.Logging;

namespace Mapd.Server.Regions;

/// <summary>What happens to regions, as log events (ids 100-199).</summary>
internal static partial class RegionLog
{
    [LoggerMessage(EventId = 100, EventName = "Recovered", Level = LogLevel.Information,
        Message = "Recovered {Count} regions taking {Reserved} of {Capacity} bytes; until the recovery window ends, {Trash} deleted files stay charged and no shrink cuts a file ({Shrinks} pending from before the restart)")]
    public static partial void Recovered(ILogger logger, int count, long reserved, long capacity, int trash, int shrinks);

    [LoggerMessage(EventId = 101, EventName = "OrphanRemoved", Level = LogLevel.Warning,
        Message = "Removed {Path}: a region file without metadata, left by a create that crashed before it answered")]
    public static partial void OrphanRemoved(ILogger logger, string path);

    [LoggerMessage(EventId = 102, EventName = "BadMetadata", Level = LogLevel.Error,
        Message = "Skipped {Path}: {Problem}. Left in place for an operator to inspect")]
    public static partial void BadMetadata(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 103, EventName = "MissingFile", Level = LogLevel.Error,
        Message = "Region {Name} has metadata but no file at {Path}; dropped it")]
    public static partial void MissingFile(ILogger logger, string name, string path);

    [LoggerMessage(EventId = 104, EventName = "SizeRepaired", Level = LogLevel.Warning,
        Message = "Region {Name}: file was {Actual} bytes, metadata says {Expected}; set the file to the metadata size")]
    public static partial void SizeRepaired(ILogger logger, string name, long actual, ulong expected);

    [LoggerMessage(EventId = 105, EventName = "Created", Level = LogLevel.Information,
        Message = "Created region {Name} of {Size} bytes for uid {Uid} pid {Pid}; {Reserved} of {Capacity} bytes taken")]
    public static partial void Created(ILogger logger, string name, ulong size, uint uid, int pid, long reserved, long capacity);

    [LoggerMessage(EventId = 106, EventName = "Deleted", Level = LogLevel.Information,
        Message = "Deleted region {Name} for uid {Uid} pid {Pid}; {Mappers} sessions still map it")]
    public static partial void Deleted(ILogger logger, string name, uint uid, int pid, int mappers);

    [LoggerMessage(EventId = 107, EventName = "Purged", Level = LogLevel.Information,
        Message = "Freed the file of deleted region {Name} ({Bytes} bytes)")]
    public static partial void Purged(ILogger logger, string name, long bytes);

    [LoggerMessage(EventId = 108, EventName = "Grown", Level = LogLevel.Information,
        Message = "Grew region {Name} from {From} to {To} bytes (generation {Generation}) for uid {Uid} pid {Pid}")]
    public static partial void Grown(ILogger logger, string name, ulong from, ulong to, ulong generation, uint uid, int pid);

    [LoggerMessage(EventId = 109, EventName = "ShrinkAnnounced", Level = LogLevel.Information,
        Message = "Shrink of region {Name} from {From} to {To} bytes announced (generation {Generation}); waiting for {Waiting} sessions; for uid {Uid} pid {Pid}")]
    public static partial void ShrinkAnnounced(ILogger logger, string name, ulong from, ulong to, ulong generation, int waiting, uint uid, int pid);

    [LoggerMessage(EventId = 110, EventName = "ShrinkCommitted", Level = LogLevel.Information,
        Message = "Shrink of region {Name} to {To} bytes committed (generation {Generation}) after {Milliseconds} ms; hole punched before: {HolePunched}")]
    public static partial void ShrinkCommitted(ILogger logger, string name, ulong to, ulong generation, double milliseconds, bool holePunched);

    [LoggerMessage(EventId = 111, EventName = "GraceExpired", Level = LogLevel.Warning,
        Message = "Shrink of region {Name} (generation {Generation}) still waits after {Seconds} s (Mapd:Grace:Timeout); punched a hole over the {Bytes}-byte tail to give its memory back; the truncate waits for: {Blockers}")]
    public static partial void GraceExpired(ILogger logger, string name, ulong generation, double seconds, long bytes, string blockers);

    [LoggerMessage(EventId = 113, EventName = "Quarantined", Level = LogLevel.Error,
        Message = "Moved {Path} to {Target}: {Reason}. Start-up goes on without it; inspect it, then restore or remove it")]
    public static partial void Quarantined(ILogger logger, string path, string target, string reason);

    [LoggerMessage(EventId = 112, EventName = "RecoveryEnded", Level = LogLevel.Information,
        Message = "Recovery window ended; held deletes and shrinks proceed")]
    public static partial void RecoveryEnded(ILogger logger);

    [LoggerMessage(EventId = 114, EventName = "Orphaned", Level = LogLevel.Warning,
        Message = "Deleted region {Name} is mapped by no session, but a process still holds its file open (a descriptor kept past its session); its {Bytes} bytes stay taken, and its length guarded, until that process lets go")]
    public static partial void Orphaned(ILogger logger, string name, long bytes);

    [LoggerMessage(EventId = 115, EventName = "LengthRepaired", Level = LogLevel.Warning,
        Message = "Region {Name}: its file was {Actual} bytes, not the {Expected} mapd granted; someone changed it through a read-write descriptor (ftruncate or fallocate). Set it back. Sessions that hold it read-write: {Suspects}")]
    public static partial void LengthRepaired(ILogger logger, string name, long actual, ulong expected, string suspects);

    [LoggerMessage(EventId = 116, EventName = "AllocationRepaired", Level = LogLevel.Warning,
        Message = "Region {Name}: its file held {Allocated} bytes of memory, more than its {Granted}-byte grant (fallocate past its end); gave the excess back. Sessions that hold it read-write: {Suspects}")]
    public static partial void AllocationRepaired(ILogger logger, string name, long allocated, long granted, string suspects);

    [LoggerMessage(EventId = 117, EventName = "ShrinkSuperseded", Level = LogLevel.Information,
        Message = "Shrink of region {Name} to {Target} bytes outlasted its grace period; a resize to {Size} bytes (generation {Generation}) replaced it without waiting for its {Laggards} laggard sessions; for uid {Uid} pid {Pid}")]
    public static partial void ShrinkSuperseded(ILogger logger, string name, ulong target, ulong size, ulong generation, int laggards, uint uid, int pid);

    [LoggerMessage(EventId = 118, EventName = "RegionQuotas", Level = LogLevel.Information,
        Message = "Each uid may own {Regions} regions taking {Bytes} bytes (Mapd:Quota:Regions, :Bytes); root and mapd's uid {PrivilegedRegions} taking {PrivilegedBytes} bytes (Mapd:Quota:Privileged:*)")]
    public static partial void RegionQuotas(ILogger logger, int regions, long bytes, int privilegedRegions, long privilegedBytes);

    [LoggerMessage(EventId = 119, EventName = "CleanupDeferred", Level = LogLevel.Warning,
        Message = "Could not {What} region {Name}: {Error}; trying again in {Seconds} s (the call that set it off did not fail)")]
    public static partial void CleanupDeferred(ILogger logger, string what, string name, string error, double seconds);

    [LoggerMessage(EventId = 120, EventName = "CleanupFailed", Level = LogLevel.Error,
        Message = "Clean-up of region {Name} failed and will not be tried again; a restart repairs what it left")]
    public static partial void CleanupFailed(ILogger logger, string name, Exception exception);
}
