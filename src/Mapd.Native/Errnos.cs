namespace Mapd.Native;

/// <summary>The errno values mapd reacts to, and their names for messages.</summary>
public static class Errnos
{
    /// <summary>Operation not permitted.</summary>
    public const int EPERM = 1;
    /// <summary>No such file or directory.</summary>
    public const int ENOENT = 2;
    /// <summary>No such process.</summary>
    public const int ESRCH = 3;
    /// <summary>Interrupted system call.</summary>
    public const int EINTR = 4;
    /// <summary>Bad file descriptor.</summary>
    public const int EBADF = 9;
    /// <summary>Try again.</summary>
    public const int EAGAIN = 11;
    /// <summary>Out of memory (or out of VMAs: vm.max_map_count).</summary>
    public const int ENOMEM = 12;
    /// <summary>Permission denied.</summary>
    public const int EACCES = 13;
    /// <summary>Device or resource busy.</summary>
    public const int EBUSY = 16;
    /// <summary>File exists.</summary>
    public const int EEXIST = 17;
    /// <summary>Not a directory.</summary>
    public const int ENOTDIR = 20;
    /// <summary>Invalid argument.</summary>
    public const int EINVAL = 22;
    /// <summary>Too many open files in the system.</summary>
    public const int ENFILE = 23;
    /// <summary>Too many open files in this process (RLIMIT_NOFILE).</summary>
    public const int EMFILE = 24;
    /// <summary>No space left on device.</summary>
    public const int ENOSPC = 28;
    /// <summary>Broken pipe.</summary>
    public const int EPIPE = 32;
    /// <summary>Too many symbolic links (O_NOFOLLOW met a symlink).</summary>
    public const int ELOOP = 40;
    /// <summary>Protocol not available (an unknown socket option).</summary>
    public const int ENOPROTOOPT = 92;
    /// <summary>Operation not supported.</summary>
    public const int EOPNOTSUPP = 95;
    /// <summary>Too many references: the sender has more descriptors in flight on Unix sockets than its RLIMIT_NOFILE.</summary>
    public const int ETOOMANYREFS = 109;
    /// <summary>Connection reset by peer.</summary>
    public const int ECONNRESET = 104;
    /// <summary>Connection refused.</summary>
    public const int ECONNREFUSED = 111;

    /// <summary>The symbolic name of <paramref name="errno"/>, or <c>errno N</c>.</summary>
    public static string Name(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        ESRCH => "ESRCH",
        EINTR => "EINTR",
        EBADF => "EBADF",
        EAGAIN => "EAGAIN",
        ENOMEM => "ENOMEM",
        EACCES => "EACCES",
        EBUSY => "EBUSY",
        EEXIST => "EEXIST",
        ENOTDIR => "ENOTDIR",
        EINVAL => "EINVAL",
        ENFILE => "ENFILE",
        EMFILE => "EMFILE",
        ENOSPC => "ENOSPC",
        EPIPE => "EPIPE",
        ELOOP => "ELOOP",
        ENOPROTOOPT => "ENOPROTOOPT",
        EOPNOTSUPP => "EOPNOTSUPP",
        ETOOMANYREFS => "ETOOMANYREFS",
        ECONNRESET => "ECONNRESET",
        ECONNREFUSED => "ECONNREFUSED",
        _ => $"errno {errno}",
    };
}
