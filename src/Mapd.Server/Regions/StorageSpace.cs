using Mapd.Native;
using Mapd.Server.Storage;

namespace Mapd.Server.Regions;

/// <summary>
/// The storage filesystem as the kernel sees it: free bytes (statfs), what region files hold
/// within their grants (their allocation, read with statx), and so what is used outside the
/// grants: metadata, deleted files still held open, and anything written outside mapd.
/// </summary>
public sealed class StorageSpace : IStorageSpace
{
    private readonly StorageRoot _storage;
    private readonly RegionCatalog _catalog;
    private readonly RegionFiles _files;

    internal StorageSpace(StorageRoot storage, RegionCatalog catalog, RegionFiles files)
    {
        _storage = storage;
        _catalog = catalog;
        _files = files;
    }

    /// <inheritdoc />
    public long FreeBytes() => _storage.FileSystem().FreeBytes;

    /// <inheritdoc />
    public long FilledBytes() => _catalog.All.Concat(_catalog.Retired).Sum(Filled);

    /// <summary>Bytes in use on the filesystem that no grant accounts for.</summary>
    public long UnaccountedBytes() => Math.Max(_storage.FileSystem().UsedBytes - FilledBytes(), 0);

    private long Filled(ManagedRegion region)
    {
        if (!region.HasSnapshot)
        {
            return 0;
        }

        FileStatus? status;
        try
        {
            status = region.Orphan is { } held ? Files.Stat(held, region.Name) : _files.Stat(region.FileName, region.IsDeleted);
        }
        catch (SystemCallException)
        {
            // Gone between the listing and the look: it fills nothing any more.
            return 0;
        }

        return status is { } file ? Math.Min(file.AllocatedBytes, region.AccountedBytes) : 0;
    }
}
