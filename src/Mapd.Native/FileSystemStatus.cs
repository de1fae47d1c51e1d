namespace Mapd.Native;

/// <summary>What statfs(2) says about the filesystem holding a file.</summary>
/// <param name="Type">The f_type magic number.</param>
/// <param name="TotalBytes">Size of the filesystem.</param>
/// <param name="FreeBytes">Bytes still free.</param>
public readonly record struct FileSystemStatus(long Type, long TotalBytes, long FreeBytes)
{
    /// <summary>True when the filesystem is tmpfs (or shmem).</summary>
    public bool IsTmpfs => Type == Internal.Constants.TMPFS_MAGIC;

    /// <summary>Bytes in use.</summary>
    public long UsedBytes => TotalBytes - FreeBytes;
}
