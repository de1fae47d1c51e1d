using Mapd.Native;
using Mapd.Server.Meters;
using Mapd.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Regions;

/// <summary>
/// Sets aside what recovery finds in the storage directory that mapd never writes, so start-up
/// goes on without it: a symlink, directory, FIFO, socket or device where a file should be,
/// metadata too large to be mapd's, a size no region can have. Each is renamed into
/// <c>quarantine/</c> (never opened or followed), logged with the reason, and counted in
/// <c>mapd_quarantined_total</c>. A region whose metadata is set aside takes its file along, so
/// the bytes are kept for an operator rather than removed as an orphan.
/// </summary>
internal sealed class RecoveryQuarantine(RegionFiles files, ILogger logger)
{
    /// <summary>The largest metadata file recovery reads; mapd's own are a few hundred bytes.</summary>
    public const long MaxMetadataBytes = 1 << 20;

    /// <summary>Quarantines metadata file <paramref name="metaName"/> and the file of the region it is named after.</summary>
    public void Metadata(string metaName, string reason)
    {
        Move(files.MetadataPath(metaName), () => files.QuarantineMetadata(metaName), reason);
        if (metaName.EndsWith(".json", StringComparison.Ordinal) && metaName[..^5] is var name
            && RegionName.Validate(name) is null && files.Stat(name, deleted: false) is not null)
        {
            Move(files.PathOf(name, deleted: false), () => files.QuarantineRegionFile(name, deleted: false), $"its metadata was set aside: {reason}");
        }
    }

    /// <summary>Quarantines a file in <c>regions/</c> (or <c>trash/</c>) whose <paramref name="status"/> is not a regular file.</summary>
    public void NotRegular(string fileName, bool deleted, FileStatus status) =>
        Move(files.PathOf(fileName, deleted), () => files.QuarantineRegionFile(fileName, deleted), $"it is {UnexpectedFileException.KindOf(status)}, not a regular file");

    private void Move(string path, Func<string> move, string reason)
    {
        try
        {
            var target = move();
            MapdMetrics.FileQuarantined();
            RegionLog.Quarantined(logger, path, target, reason);
        }
        catch (SystemCallException e)
        {
            // Left in place and skipped: start-up still goes on.
            RegionLog.BadMetadata(logger, path, $"{reason}; moving it to quarantine failed too: {e.Message}");
        }
    }
}
