using System.Globalization;
using Mapd.Native.Internal;
using static Mapd.Native.Internal.Constants;

namespace Mapd.Native;

/// <summary>Mounts and unmounts tmpfs filesystems (needs CAP_SYS_ADMIN).</summary>
public static class Tmpfs
{
    /// <summary>
    /// Mounts a fresh tmpfs at <paramref name="path"/> with nosuid, nodev and noexec.
    /// </summary>
    /// <param name="path">An existing directory.</param>
    /// <param name="sizeBytes">The size limit; 0 keeps the kernel default (half of RAM).</param>
    /// <param name="mode">Permission bits of the root directory.</param>
    /// <param name="hugePages"><c>never</c>, <c>within_size</c> or <c>always</c>.</param>
    public static void Mount(string path, long sizeBytes, uint mode, string hugePages)
    {
        var options = $"mode={Convert.ToString(mode, 8)},huge={hugePages}";
        if (sizeBytes > 0)
        {
            options += string.Create(CultureInfo.InvariantCulture, $",size={sizeBytes}");
        }

        if (Libc.Mount("mapd", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, options) != 0)
        {
            throw SystemCallException.FromLastError("mount(tmpfs," + options + ")", path);
        }
    }

    /// <summary>Detaches the mount at <paramref name="path"/>.</summary>
    public static void Unmount(string path)
    {
        if (Libc.Umount2(path, MNT_DETACH) != 0)
        {
            throw SystemCallException.FromLastError("umount2", path);
        }
    }
}
