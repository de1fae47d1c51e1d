namespace Mapd.Native;

/// <summary>What statx(2) says about a file.</summary>
/// <param name="Size">Size in bytes.</param>
/// <param name="AllocatedBytes">Bytes of memory or disk actually backing the file.</param>
/// <param name="Mode">Type and permission bits (st_mode).</param>
/// <param name="Uid">Owner uid.</param>
/// <param name="Gid">Owner gid.</param>
/// <param name="Inode">Inode number.</param>
/// <param name="IsMountRoot">True when the file is the root of a mount (STATX_ATTR_MOUNT_ROOT, Linux 5.8 and later).</param>
public readonly record struct FileStatus(long Size, long AllocatedBytes, uint Mode, uint Uid, uint Gid, ulong Inode, bool IsMountRoot = false)
{
    private const ulong AttributeMountRoot = 0x2000;

    /// <summary>True for a regular file.</summary>
    public bool IsRegularFile => (Mode & 0xF000) == 0x8000;

    /// <summary>True for a directory.</summary>
    public bool IsDirectory => (Mode & 0xF000) == 0x4000;

    /// <summary>True for a symbolic link.</summary>
    public bool IsSymbolicLink => (Mode & 0xF000) == 0xA000;

    /// <summary>The permission bits (0777 and set-id bits).</summary>
    public uint Permissions => Mode & 0xFFF;

    internal static unsafe FileStatus From(byte* statx) => new(
        Size: *(long*)(statx + 40),
        AllocatedBytes: *(long*)(statx + 48) * 512,
        Mode: *(ushort*)(statx + 28),
        Uid: *(uint*)(statx + 20),
        Gid: *(uint*)(statx + 24),
        Inode: *(ulong*)(statx + 32),
        IsMountRoot: (*(ulong*)(statx + 8) & *(ulong*)(statx + 56) & AttributeMountRoot) != 0);
}
