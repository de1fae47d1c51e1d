using Mapd.Native;
using Mapd.Server.Errors;
using Microsoft.Extensions.Logging;

namespace Mapd.Server.Storage;

/// <summary>
/// The storage directory on tmpfs: <c>regions/</c> holds region files, <c>meta/</c> their
/// metadata, <c>trash/</c> deleted regions that some process may still map, <c>quarantine/</c>
/// what recovery found there that mapd did not put there. The daemon holds an exclusive lock on
/// the root so that two daemons never share it. Nothing on disk is trusted that another user
/// could have written: the root and every subdirectory must belong to the daemon's uid and be
/// writable by nobody else, or the daemon does not start.
/// </summary>
public sealed partial class StorageRoot : IDisposable
{
    private const uint DirectoryMode = 0b111_000_000;
    private readonly DirectoryHandle _root;

    private StorageRoot(DirectoryHandle root, bool mounted, long capacity, DirectoryHandle[] subdirectories)
    {
        _root = root;
        Mounted = mounted;
        Capacity = capacity;
        (Regions, Metadata, Trash, Quarantine) = (subdirectories[0], subdirectories[1], subdirectories[2], subdirectories[3]);
    }

    /// <summary>The root path.</summary>
    public string Path => _root.Path;

    /// <summary>True when this daemon mounted the tmpfs itself.</summary>
    public bool Mounted { get; }

    /// <summary>
    /// True when the storage is a tmpfs of its own (the daemon or a unit mounted it there), so
    /// everything on the filesystem should be mapd's; false for a directory on a shared one such
    /// as /dev/shm, where others' files are expected.
    /// </summary>
    public bool IsDedicated => Mounted || _root.TryStat(".") is { IsMountRoot: true };

    /// <summary>Bytes that regions may take in total.</summary>
    public long Capacity { get; }

    /// <summary>Region files, named after their regions.</summary>
    public DirectoryHandle Regions { get; }

    /// <summary>Metadata files, one per region.</summary>
    public DirectoryHandle Metadata { get; }

    /// <summary>Files of deleted regions that may still be mapped.</summary>
    public DirectoryHandle Trash { get; }

    /// <summary>Files recovery set aside: not what mapd writes, kept for an operator to inspect.</summary>
    public DirectoryHandle Quarantine { get; }

    /// <summary>What statfs says about the storage filesystem now.</summary>
    public FileSystemStatus FileSystem() => _root.FileSystem();

    /// <summary>
    /// Mounts or checks the storage at the configured path and locks it. Throws
    /// <see cref="StartupException"/> with a one-line reason when it cannot be used.
    /// </summary>
    public static StorageRoot Open(StorageOptions options, ILogger logger)
    {
        var path = string.IsNullOrWhiteSpace(options.Path) ? $"/dev/shm/mapd-{ProcessIdentity.Uid}" : options.Path;
        long sizeLimit = 0;
        if (!string.IsNullOrWhiteSpace(options.Size))
        {
            sizeLimit = ParseSize(options.Size, "Mapd:Storage:Size");
        }

        if (options.HugePages is not ("never" or "within_size" or "always"))
        {
            throw new StartupException($"Mapd:Storage:HugePages is '{options.HugePages}'; use never, within_size or always");
        }

        try
        {
            DirectoryHandle.CreatePath(path, 0b111_000_000);
        }
        catch (SystemCallException e)
        {
            throw new StartupException($"cannot create storage directory: {e.Message}", ExitCode.Storage);
        }

        if (options.Mount)
        {
            MountFresh(path, sizeLimit, options.HugePages, logger);
        }

        DirectoryHandle root;
        try
        {
            root = DirectoryHandle.Open(path);
        }
        catch (SystemCallException e)
        {
            throw new StartupException($"cannot open storage directory: {e.Message}", ExitCode.Storage);
        }

        try
        {
            var status = root.FileSystem();
            if (!status.IsTmpfs)
            {
                throw new StartupException(
                    $"storage {path} is not on tmpfs (statfs type 0x{status.Type:x}); point Mapd:Storage:Path at a tmpfs directory such as /dev/shm/mapd, or set Mapd:Storage:Mount=true as root",
                    ExitCode.Storage);
            }

            var owner = root.TryStat(".") ?? throw new StartupException($"storage {path} vanished", ExitCode.Storage);
            CheckPrivate(owner, path, "chmod go-w it, or mount the tmpfs with mode=0700");

            if (!root.TryLockExclusive())
            {
                throw new StartupException($"storage {path} is locked by another running mapd; stop it or give this one another Mapd:Storage:Path", ExitCode.Storage);
            }

            var capacity = sizeLimit > 0 ? Math.Min(sizeLimit, status.TotalBytes) : status.TotalBytes;
            if (sizeLimit > status.TotalBytes)
            {
                Log.CapacityClamped(logger, path, sizeLimit, status.TotalBytes);
            }

            // A tmpfs mounted right at the path (by run-mapd-storage.mount, a container's tmpfs
            // mount, or by hand) is the daemon's alone; a directory inside a bigger tmpfs is not.
            if (!options.Mount && !owner.IsMountRoot)
            {
                Log.SharedFilesystem(logger, path);
            }

            return new StorageRoot(root, options.Mount, capacity, OpenSubdirectories(root));
        }
        catch
        {
            root.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Refuses a storage directory another user could write to: with write access to the root or
    /// a subdirectory, that user could forge metadata, swap region files or read a 0600 region.
    /// </summary>
    private static void CheckPrivate(FileStatus status, string path, string remedy)
    {
        if (status.Uid != ProcessIdentity.Uid)
        {
            throw new StartupException($"storage {path} belongs to uid {status.Uid}, not to this daemon's uid {ProcessIdentity.Uid}; give it to the daemon's user or pick another path", ExitCode.Storage);
        }

        if ((status.Permissions & 0b000_010_010) != 0)
        {
            var who = (status.Permissions & 0b000_000_010) != 0 ? "everyone" : $"group {status.Gid}";
            throw new StartupException($"storage {path} is writable by {who} (mode 0{Convert.ToString(status.Permissions, 8)}), who could forge its metadata or swap region files; {remedy}", ExitCode.Storage);
        }
    }

    private static DirectoryHandle[] OpenSubdirectories(DirectoryHandle root)
    {
        var opened = new List<DirectoryHandle>();
        try
        {
            foreach (var name in (string[])["regions", "meta", "trash", "quarantine"])
            {
                var subdirectory = root.OpenOrCreateSubdirectory(name, DirectoryMode);
                opened.Add(subdirectory);
                CheckPrivate(Files.Stat(subdirectory.Descriptor, subdirectory.Path), subdirectory.Path, $"remove it (the daemon makes it anew, 0700) after saving what it holds");
            }

            return [.. opened];
        }
        catch (Exception e)
        {
            foreach (var directory in opened)
            {
                directory.Dispose();
            }

            throw e is SystemCallException failed
                ? new StartupException($"cannot use storage subdirectory: {failed.Message}; it must be a directory of the daemon's user, not a symlink", ExitCode.Storage)
                : e;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Regions.Dispose();
        Metadata.Dispose();
        Trash.Dispose();
        Quarantine.Dispose();
        _root.Dispose();
    }

    /// <summary>Parses a configured size; a malformed or absurd one stops start-up with a one-line reason.</summary>
    internal static long ParseSize(string text, string key)
    {
        ulong bytes;
        try
        {
            bytes = ByteSize.Parse(text, key);
        }
        catch (FormatException e)
        {
            throw new StartupException(e.Message);
        }

        return bytes <= long.MaxValue
            ? (long)bytes
            : throw new StartupException($"{key}: '{text}' is more than any machine has; give a size such as 8G");
    }

    private static void MountFresh(string path, long sizeLimit, string hugePages, ILogger logger)
    {
        using (var probe = DirectoryHandle.Open(path))
        {
            var existing = probe.FileSystem();
            if (existing.IsTmpfs && probe.TryStat("meta") is { IsDirectory: true })
            {
                // A tmpfs from our previous run is still mounted: its regions must survive the restart.
                Log.ReusingMount(logger, path);
                return;
            }
        }

        try
        {
            Tmpfs.Mount(path, sizeLimit, 0b111_000_000, hugePages);
            Log.Mounted(logger, path, sizeLimit, hugePages);
        }
        catch (SystemCallException e) when (e.Errno == Errnos.EPERM)
        {
            throw new StartupException($"Mapd:Storage:Mount=true needs CAP_SYS_ADMIN ({e.Message}); run as root, or drop Mount and point Mapd:Storage:Path at a tmpfs directory", ExitCode.Storage);
        }
        catch (SystemCallException e)
        {
            throw new StartupException($"cannot mount tmpfs: {e.Message}", ExitCode.Storage);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 500, EventName = "Mounted", Level = LogLevel.Information, Message = "Mounted a fresh tmpfs at {Path} (size {Size} bytes, 0 = half of RAM; huge={HugePages})")]
        public static partial void Mounted(ILogger logger, string path, long size, string hugePages);

        [LoggerMessage(EventId = 501, EventName = "ReusingMount", Level = LogLevel.Information, Message = "Reusing the tmpfs already mounted at {Path}; its regions are kept")]
        public static partial void ReusingMount(ILogger logger, string path);

        [LoggerMessage(EventId = 502, EventName = "CapacityClamped", Level = LogLevel.Warning, Message = "Mapd:Storage:Size {Requested} is larger than the filesystem at {Path} ({Total} bytes); capacity is the filesystem's size")]
        public static partial void CapacityClamped(ILogger logger, string path, long requested, long total);

        [LoggerMessage(EventId = 503, EventName = "SharedFilesystem", Level = LogLevel.Information, Message = "Storage {Path} is a directory on a tmpfs this daemon did not mount; other users of that filesystem can use up its space, so mount a dedicated tmpfs (Mapd:Storage:Mount=true or a .mount unit) in production")]
        public static partial void SharedFilesystem(ILogger logger, string path);
    }
}
