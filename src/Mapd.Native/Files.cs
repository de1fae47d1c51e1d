using Mapd.Native.Internal;
using static Mapd.Native.Internal.Constants;

namespace Mapd.Native;

/// <summary>Operations on an open file descriptor. <c>what</c> names the file in error messages.</summary>
public static unsafe class Files
{
    /// <summary>Sets the file's size (ftruncate).</summary>
    public static void Truncate(FileDescriptor fd, long length, string what)
    {
        if (Libc.FTruncate(fd, length) != 0)
        {
            throw SystemCallException.FromLastError("ftruncate", what);
        }
    }

    /// <summary>Allocates [offset, offset+length) (fallocate), growing the file unless <paramref name="keepSize"/>.</summary>
    public static void Allocate(FileDescriptor fd, long offset, long length, bool keepSize, string what)
    {
        if (Libc.FAllocate(fd, keepSize ? FALLOC_FL_KEEP_SIZE : 0, offset, length) != 0)
        {
            throw SystemCallException.FromLastError("fallocate", what);
        }
    }

    /// <summary>Frees the memory backing [offset, offset+length) without changing the size.</summary>
    public static void PunchHole(FileDescriptor fd, long offset, long length, string what)
    {
        if (Libc.FAllocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length) != 0)
        {
            throw SystemCallException.FromLastError("fallocate(PUNCH_HOLE)", what);
        }
    }

    /// <summary>
    /// True when <paramref name="fd"/> is the file's only open description and nothing maps it:
    /// a write lease (F_SETLEASE F_WRLCK) is granted only then. The lease is dropped at once.
    /// Needs the file to be this process's own (or CAP_LEASE).
    /// </summary>
    public static bool IsOnlyHolder(FileDescriptor fd, string what)
    {
        if (Libc.Fcntl(fd, F_SETLEASE, F_WRLCK) != 0)
        {
            var e = SystemCallException.FromLastError("fcntl(F_SETLEASE, F_WRLCK)", what);
            return e.Errno == Errnos.EAGAIN ? false : throw e;
        }

        if (Libc.Fcntl(fd, F_SETLEASE, F_UNLCK) != 0)
        {
            throw SystemCallException.FromLastError("fcntl(F_SETLEASE, F_UNLCK)", what);
        }

        return true;
    }

    /// <summary>Frees whatever memory backs the file past <paramref name="offset"/> (fallocate can allocate past the end).</summary>
    public static void PunchFrom(FileDescriptor fd, long offset, string what)
    {
        const long Page = 4096;
        var length = ((long.MaxValue - offset) / Page * Page) - Page;
        PunchHole(fd, offset, length, what);
    }

    /// <summary>Flushes the file (a no-op on tmpfs, kept for other filesystems).</summary>
    public static void Sync(FileDescriptor fd, string what)
    {
        if (Libc.FSync(fd) != 0)
        {
            throw SystemCallException.FromLastError("fsync", what);
        }
    }

    /// <summary>Sets the permission bits.</summary>
    public static void Chmod(FileDescriptor fd, uint mode, string what)
    {
        if (Libc.FChmod(fd, mode) != 0)
        {
            throw SystemCallException.FromLastError("fchmod", what);
        }
    }

    /// <summary>Clears the file status flags (O_NONBLOCK, O_APPEND...) of the open file description (fcntl F_SETFL 0).</summary>
    public static void ClearStatusFlags(FileDescriptor fd, string what)
    {
        if (Libc.Fcntl(fd, F_SETFL, 0) != 0)
        {
            throw SystemCallException.FromLastError("fcntl(F_SETFL)", what);
        }
    }

    /// <summary>statx of the open file.</summary>
    public static FileStatus Stat(FileDescriptor fd, string what)
    {
        var buffer = stackalloc byte[256];
        if (Libc.StatX(fd, string.Empty, AT_EMPTY_PATH, STATX_BASIC_STATS, buffer) != 0)
        {
            throw SystemCallException.FromLastError("statx", what);
        }

        return FileStatus.From(buffer);
    }

    /// <summary>statx of <paramref name="path"/> without following a symlink at its end; null when it does not exist.</summary>
    public static FileStatus? TryStatPath(string path)
    {
        var buffer = stackalloc byte[256];
        if (Libc.StatX(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buffer) == 0)
        {
            return FileStatus.From(buffer);
        }

        var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        return errno is Errnos.ENOENT or Errnos.ENOTDIR ? null : throw new SystemCallException("statx", path, errno);
    }

    /// <summary>statfs of the filesystem holding the open file.</summary>
    public static FileSystemStatus FileSystem(FileDescriptor fd, string what)
    {
        var buffer = stackalloc byte[256];
        if (Libc.FStatFs(fd, buffer) != 0)
        {
            throw SystemCallException.FromLastError("fstatfs", what);
        }

        var blockSize = *(long*)(buffer + 8);
        return new FileSystemStatus(
            Type: *(long*)buffer,
            TotalBytes: *(long*)(buffer + 16) * blockSize,
            FreeBytes: *(long*)(buffer + 24) * blockSize);
    }

    /// <summary>Writes all of <paramref name="data"/> at the current offset.</summary>
    public static void WriteAll(FileDescriptor fd, ReadOnlySpan<byte> data, string what)
    {
        fixed (byte* start = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = Libc.Write(fd, start + done, (nuint)(data.Length - done));
                if (n < 0)
                {
                    var e = SystemCallException.FromLastError("write", what);
                    if (e.Errno == Errnos.EINTR)
                    {
                        continue;
                    }

                    throw e;
                }

                done += (int)n;
            }
        }
    }

    /// <summary>Reads the whole file (meant for small metadata files).</summary>
    public static byte[] ReadAll(FileDescriptor fd, string what)
    {
        var size = Stat(fd, what).Size;
        if (size > 16 << 20)
        {
            throw new IOException($"{what} is {size} bytes; a metadata file is never that large, so it is not read.");
        }

        var result = new byte[size];
        fixed (byte* start = result)
        {
            long done = 0;
            while (done < size)
            {
                var n = Libc.PRead(fd, start + done, (nuint)(size - done), done);
                if (n < 0)
                {
                    var e = SystemCallException.FromLastError("pread", what);
                    if (e.Errno == Errnos.EINTR)
                    {
                        continue;
                    }

                    throw e;
                }

                if (n == 0)
                {
                    break;
                }

                done += n;
            }

            return done == size ? result : result[..(int)done];
        }
    }
}
