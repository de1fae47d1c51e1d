using Mapd.Native;

namespace Mapd.Server.Storage;

/// <summary>
/// Region files and their metadata on the storage tmpfs: the only code that creates, sizes,
/// moves or removes them. Every name is resolved relative to an open directory with
/// O_NOFOLLOW (see <see cref="DirectoryHandle"/>), and every error names the path.
/// </summary>
public sealed class RegionFiles(StorageRoot storage)
{
    /// <summary>Region files are owner-only: clients get descriptors, never paths.</summary>
    private const uint FileMode = 0b110_000_000;

    /// <summary>The storage they live in.</summary>
    public StorageRoot Storage => storage;

    /// <summary>Creates the empty file of region <paramref name="name"/>; fails with EEXIST if it exists.</summary>
    public FileDescriptor Create(string name) => storage.Regions.CreateFile(name, FileMode);

    /// <summary>Opens a region's file (<paramref name="fileName"/> in <c>regions/</c>, or in <c>trash/</c> once deleted).</summary>
    public FileDescriptor Open(string fileName, bool deleted, bool writable) =>
        Directory(deleted).OpenFile(fileName, writable);

    /// <summary>Sets a region file's length (ftruncate).</summary>
    public void SetLength(FileDescriptor fd, string fileName, long length) =>
        Files.Truncate(fd, length, storage.Regions.Join(fileName));

    /// <summary>Frees the memory of [offset, offset+length) without changing the file's length.</summary>
    public void PunchHole(FileDescriptor fd, string fileName, long offset, long length) =>
        Files.PunchHole(fd, offset, length, storage.Regions.Join(fileName));

    /// <summary>
    /// Moves region <paramref name="name"/>'s file to <c>trash/</c> under a name no later region
    /// of the same name can take (the inode number is appended) and returns that name.
    /// </summary>
    public string MoveToTrash(string name)
    {
        var status = storage.Regions.TryStat(name);
        var trashName = $"{name}.{status?.Inode ?? 0}";
        storage.Regions.Rename(name, storage.Trash, trashName);
        return trashName;
    }

    /// <summary>Removes a region file, live or deleted; false when it was not there.</summary>
    public bool Remove(string fileName, bool deleted) => Directory(deleted).Unlink(fileName);

    /// <summary>statx of a region file without following symlinks; null when absent.</summary>
    public FileStatus? Stat(string fileName, bool deleted) => Directory(deleted).TryStat(fileName);

    /// <summary>The names in <c>regions/</c>.</summary>
    public IReadOnlyList<string> RegionNames() => storage.Regions.ListNames();

    /// <summary>The names in <c>trash/</c>.</summary>
    public IReadOnlyList<string> TrashNames() => storage.Trash.ListNames();

    /// <summary>The full path of a region file, for messages.</summary>
    public string PathOf(string fileName, bool deleted) => Directory(deleted).Join(fileName);

    /// <summary>Replaces region <paramref name="record"/>'s metadata so that a crash leaves the old or the new, never half.</summary>
    public void WriteMetadata(RegionRecord record) =>
        storage.Metadata.WriteFileAtomically(MetadataName(record.Name), record.ToJson(), FileMode);

    /// <summary>Removes region <paramref name="name"/>'s metadata.</summary>
    public void RemoveMetadata(string name) => storage.Metadata.Unlink(MetadataName(name));

    /// <summary>The names in <c>meta/</c>.</summary>
    public IReadOnlyList<string> MetadataNames() => storage.Metadata.ListNames();

    /// <summary>
    /// Reads a metadata file (by its file name in <c>meta/</c>); throws
    /// <see cref="UnexpectedFileException"/> when it is not a regular file or is longer than
    /// <paramref name="maxLength"/>.
    /// </summary>
    public byte[] ReadMetadata(string metaName, long maxLength) => storage.Metadata.ReadFile(metaName, maxLength);

    /// <summary>Removes a metadata file by its file name (a leftover of an interrupted write).</summary>
    public void RemoveMetadataFile(string metaName) => storage.Metadata.Unlink(metaName);

    /// <summary>statx of a metadata file; null when absent.</summary>
    public FileStatus? StatMetadata(string name) => storage.Metadata.TryStat(MetadataName(name));

    /// <summary>The full path of a metadata file, for messages.</summary>
    public string MetadataPath(string metaName) => storage.Metadata.Join(metaName);

    /// <summary>statx of a file in <c>meta/</c> by its file name, without following a symlink; null when absent.</summary>
    public FileStatus? StatMetadataFile(string metaName) => storage.Metadata.TryStat(metaName);

    /// <summary>
    /// Moves <paramref name="metaName"/> from <c>meta/</c> to <c>quarantine/</c> (a rename: it is
    /// neither opened nor followed) and returns its new path.
    /// </summary>
    public string QuarantineMetadata(string metaName) => MoveToQuarantine(storage.Metadata, "meta", metaName);

    /// <summary>Moves a file from <c>regions/</c> (or <c>trash/</c>) to <c>quarantine/</c> and returns its new path.</summary>
    public string QuarantineRegionFile(string fileName, bool deleted) =>
        MoveToQuarantine(Directory(deleted), deleted ? "trash" : "regions", fileName);

    /// <summary>The metadata file name of region <paramref name="name"/>.</summary>
    public static string MetadataName(string name) => name + ".json";

    private DirectoryHandle Directory(bool deleted) => deleted ? storage.Trash : storage.Regions;

    private string MoveToQuarantine(DirectoryHandle from, string area, string name)
    {
        // Where it came from and when, within NAME_MAX (255 bytes) whatever the name's length.
        var kept = name;
        while (System.Text.Encoding.UTF8.GetByteCount(kept) > 160)
        {
            kept = kept[..^1];
        }

        var target = $"{area}.{kept}.{DateTimeOffset.UtcNow:yyyyMMddTHHmmssfff}.{Guid.NewGuid().ToString("N")[..8]}";
        from.Rename(name, storage.Quarantine, target);
        return storage.Quarantine.Join(target);
    }
}
