using System.Runtime.InteropServices;
using Mapd.Native.Internal;
using static Mapd.Native.Internal.Constants;

namespace Mapd.Native;

/// <summary>
/// An open directory. Every path given to its methods is a single name resolved relative to
/// the directory with <c>O_NOFOLLOW</c>, so nothing inside it can be swapped for a symlink
/// that leads elsewhere, and opened with <c>O_NONBLOCK</c>, so a FIFO in its place cannot make
/// an open wait; files are checked to be regular before anyone uses them.
/// </summary>
public sealed class DirectoryHandle : IDisposable
{
    private DirectoryHandle(FileDescriptor fd, string path)
    {
        Descriptor = fd;
        Path = path;
    }

    /// <summary>The directory's path, for messages.</summary>
    public string Path { get; }

    /// <summary>The directory's descriptor.</summary>
    public FileDescriptor Descriptor { get; }

    /// <summary>Opens the directory at <paramref name="path"/>, refusing a symlink as its last component.</summary>
    public static DirectoryHandle Open(string path)
    {
        var fd = Libc.OpenAt(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw SystemCallException.FromLastError("open", path);
        }

        return new DirectoryHandle(new FileDescriptor(fd), path);
    }

    /// <summary>Creates <paramref name="path"/> with <paramref name="mode"/> unless it exists; returns true if created.</summary>
    public static bool CreatePath(string path, uint mode)
    {
        if (Libc.Mkdir(path, mode) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Errnos.EEXIST ? false : throw new SystemCallException("mkdir", path, errno);
    }

    /// <summary>Opens (or creates) the subdirectory <paramref name="name"/>.</summary>
    public DirectoryHandle OpenOrCreateSubdirectory(string name, uint mode)
    {
        if (Libc.MkdirAt(Descriptor, name, mode) != 0 && Marshal.GetLastPInvokeError() != Errnos.EEXIST)
        {
            throw SystemCallException.FromLastError("mkdirat", Join(name));
        }

        return new DirectoryHandle(OpenFileCore(name, O_RDONLY | O_DIRECTORY, 0), Join(name));
    }

    /// <summary>Creates the regular file <paramref name="name"/>; fails with EEXIST if it exists.</summary>
    public FileDescriptor CreateFile(string name, uint mode) =>
        OpenRegularFile(name, O_RDWR | O_CREAT | O_EXCL, mode);

    /// <summary>
    /// Creates or truncates the regular file <paramref name="name"/>; throws
    /// <see cref="UnexpectedFileException"/> (having truncated nothing) when the name is another
    /// kind of file.
    /// </summary>
    public FileDescriptor CreateOrTruncateFile(string name, uint mode)
    {
        // O_TRUNC is left out of the open: a FIFO or device must not see it. Truncate once the
        // descriptor is known to be a regular file.
        var fd = OpenRegularFile(name, O_RDWR | O_CREAT, mode);
        try
        {
            Files.Truncate(fd, 0, Join(name));
            return fd;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the existing regular file <paramref name="name"/>. Anything else (a symlink, a
    /// directory, a FIFO, a device) throws, without blocking: a symlink fails with ELOOP, the
    /// rest with <see cref="UnexpectedFileException"/>.
    /// </summary>
    public FileDescriptor OpenFile(string name, bool writable) =>
        OpenRegularFile(name, writable ? O_RDWR : O_RDONLY, 0);

    /// <summary>Removes <paramref name="name"/>; returns false if it did not exist.</summary>
    public bool Unlink(string name)
    {
        if (Libc.UnlinkAt(Descriptor, name, 0) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Errnos.ENOENT ? false : throw new SystemCallException("unlinkat", Join(name), errno);
    }

    /// <summary>Atomically renames <paramref name="from"/> in this directory to <paramref name="to"/> in <paramref name="target"/>.</summary>
    public void Rename(string from, DirectoryHandle target, string to)
    {
        if (Libc.RenameAt(Descriptor, from, target.Descriptor, to) != 0)
        {
            throw SystemCallException.FromLastError("renameat", $"{Join(from)} -> {target.Join(to)}");
        }
    }

    /// <summary>
    /// Replaces <paramref name="name"/> with <paramref name="contents"/> so that a crash at any
    /// point leaves either the old or the new contents: write a temporary file, fsync, rename.
    /// </summary>
    public void WriteFileAtomically(string name, ReadOnlySpan<byte> contents, uint mode)
    {
        var temporary = $".{name}.tmp";
        using (var fd = CreateOrTruncateFile(temporary, mode))
        {
            Files.WriteAll(fd, contents, Join(temporary));
            Files.Sync(fd, Join(temporary));
        }

        Rename(temporary, this, name);
    }

    /// <summary>
    /// Reads the whole regular file <paramref name="name"/>; throws
    /// <see cref="UnexpectedFileException"/> when it is not a regular file or is longer than
    /// <paramref name="maxLength"/> bytes (default 16 MiB), before reading any of it.
    /// </summary>
    public byte[] ReadFile(string name, long maxLength = 16 << 20)
    {
        using var fd = OpenFile(name, writable: false);
        var size = Files.Stat(fd, Join(name)).Size;
        if (size > maxLength)
        {
            throw new UnexpectedFileException(Join(name), $"is {size} bytes, more than the {maxLength} any such file may have");
        }

        return Files.ReadAll(fd, Join(name));
    }

    /// <summary>statx of <paramref name="name"/> without following a symlink; null when absent.</summary>
    public unsafe FileStatus? TryStat(string name)
    {
        var buffer = stackalloc byte[256];
        if (Libc.StatX(Descriptor, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buffer) == 0)
        {
            return FileStatus.From(buffer);
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Errnos.ENOENT ? null : throw new SystemCallException("statx", Join(name), errno);
    }

    /// <summary>The names in this directory (no <c>.</c> or <c>..</c>).</summary>
    public IReadOnlyList<string> ListNames()
    {
        // /proc/self/fd/N names this very directory, not whatever its path points at now.
        var procPath = $"/proc/self/fd/{Descriptor.Value}";
        var names = Directory.EnumerateFileSystemEntries(procPath)
            .Select(p => p[(procPath.Length + 1)..])
            .ToList();
        GC.KeepAlive(Descriptor);
        return names;
    }

    /// <summary>Takes an exclusive advisory lock on the directory, or fails at once if another process holds it.</summary>
    public bool TryLockExclusive() =>
        Libc.Flock(Descriptor, LOCK_EX | LOCK_NB) == 0
            ? true
            : Marshal.GetLastPInvokeError() == Errnos.EAGAIN ? false : throw SystemCallException.FromLastError("flock", Path);

    /// <summary>statfs of the filesystem holding this directory.</summary>
    public FileSystemStatus FileSystem() => Files.FileSystem(Descriptor, Path);

    /// <summary>The full path of <paramref name="name"/> inside this directory, for messages.</summary>
    public string Join(string name) => System.IO.Path.Join(Path, name);

    /// <inheritdoc />
    public void Dispose() => Descriptor.Dispose();

    /// <summary>
    /// Opens <paramref name="name"/> and checks it is a regular file. O_NONBLOCK keeps a FIFO put
    /// in its place from blocking the open; it is cleared again once the file is known to be
    /// regular, so descriptors handed to clients carry no surprise flags.
    /// </summary>
    private FileDescriptor OpenRegularFile(string name, int flags, uint mode)
    {
        var fd = OpenFileCore(name, flags, mode);
        try
        {
            var status = Files.Stat(fd, Join(name));
            if (!status.IsRegularFile)
            {
                throw new UnexpectedFileException(Join(name), $"is {UnexpectedFileException.KindOf(status)}, not a regular file");
            }

            Files.ClearStatusFlags(fd, Join(name));
            return fd;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    private FileDescriptor OpenFileCore(string name, int flags, uint mode)
    {
        var fd = Libc.OpenAt(Descriptor.Value, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode);
        GC.KeepAlive(Descriptor);
        if (fd < 0)
        {
            throw SystemCallException.FromLastError("openat", Join(name));
        }

        return new FileDescriptor(fd);
    }
}
