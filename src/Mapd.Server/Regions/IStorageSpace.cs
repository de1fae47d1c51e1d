namespace Mapd.Server.Regions;

/// <summary>What the storage filesystem really holds, as the kernel tells it.</summary>
public interface IStorageSpace
{
    /// <summary>Bytes the filesystem can still allocate (statfs).</summary>
    long FreeBytes();

    /// <summary>Bytes region files hold within their grants: each file's allocation, up to its grant.</summary>
    long FilledBytes();
}
