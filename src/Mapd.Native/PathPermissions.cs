using Mapd.Native.Internal;

namespace Mapd.Native;

/// <summary>Permission and ownership changes by path (for socket files, which cannot be opened).</summary>
public static class PathPermissions
{
    /// <summary>chmod(2).</summary>
    public static void Chmod(string path, uint mode)
    {
        if (Libc.Chmod(path, mode) != 0)
        {
            throw SystemCallException.FromLastError("chmod", path);
        }
    }

    /// <summary>lchown(2) changing only the group.</summary>
    public static void ChangeGroup(string path, uint gid)
    {
        if (Libc.LChown(path, uint.MaxValue, gid) != 0)
        {
            throw SystemCallException.FromLastError("lchown", path);
        }
    }
}
