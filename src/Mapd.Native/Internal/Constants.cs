using System.Runtime.InteropServices;

namespace Mapd.Native.Internal;

/// <summary>Linux ABI numbers. Only the open(2) flags differ between x86_64 and arm64.</summary>
internal static class Constants
{
    private static readonly bool IsArm = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;

    internal const int O_RDONLY = 0;
    internal const int O_RDWR = 2;
    internal const int O_CREAT = 0x40;
    internal const int O_EXCL = 0x80;
    internal const int O_TRUNC = 0x200;
    internal const int O_NONBLOCK = 0x800;
    internal const int O_CLOEXEC = 0x80000;
    internal static readonly int O_DIRECTORY = IsArm ? 0x4000 : 0x10000;
    internal static readonly int O_NOFOLLOW = IsArm ? 0x8000 : 0x20000;

    internal const int AT_FDCWD = -100;
    internal const int AT_EMPTY_PATH = 0x1000;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const uint STATX_BASIC_STATS = 0x7ff;

    internal const int PROT_NONE = 0;
    internal const int PROT_READ = 1;
    internal const int PROT_WRITE = 2;
    internal const int MAP_SHARED = 1;
    internal const int MAP_PRIVATE = 2;
    internal const int MAP_FIXED = 0x10;
    internal const int MAP_ANONYMOUS = 0x20;
    internal const int MAP_NORESERVE = 0x4000;
    internal const int MADV_POPULATE_READ = 22;
    internal const int MADV_POPULATE_WRITE = 23;

    internal const int FALLOC_FL_KEEP_SIZE = 1;
    internal const int FALLOC_FL_PUNCH_HOLE = 2;

    internal const nuint MS_NOSUID = 2;
    internal const nuint MS_NODEV = 4;
    internal const nuint MS_NOEXEC = 8;
    internal const int MNT_DETACH = 2;

    internal const int LOCK_EX = 2;
    internal const int LOCK_NB = 4;

    internal const int AF_UNIX = 1;
    internal const int SOCK_STREAM = 1;
    internal const int SOCK_SEQPACKET = 5;
    internal const int SOCK_CLOEXEC = 0x80000;
    internal const int SOL_SOCKET = 1;
    internal const int SO_TYPE = 3;
    internal const int SO_ACCEPTCONN = 30;
    internal const int SO_DOMAIN = 39;
    internal const int F_SETFD = 2;
    internal const int F_SETLEASE = 1024;
    internal const int F_DUPFD_CLOEXEC = 1030;
    internal const int F_WRLCK = 1;
    internal const int F_UNLCK = 2;
    internal const int IN_CLOEXEC = 0x80000;
    internal const int IN_NONBLOCK = 0x800;
    internal const short POLLIN = 1;
    internal const int F_SETFL = 4;
    internal const int FD_CLOEXEC = 1;
    internal const int SO_PEERCRED = 17;
    internal const int SO_PEERGROUPS = 59;
    internal const int SO_PEERPIDFD = 77;
    internal const uint SIOCOUTQ = 0x5411;
    internal const int SCM_RIGHTS = 1;
    internal const int MSG_DONTWAIT = 0x40;
    internal const int MSG_NOSIGNAL = 0x4000;
    internal const int MSG_TRUNC = 0x20;
    internal const int MSG_CMSG_CLOEXEC = 0x40000000;
    internal const int SHUT_RDWR = 2;

    internal const long TMPFS_MAGIC = 0x01021994;
    internal const long PIDFS_MAGIC = 0x50494446;

    // The same number on every architecture: syscalls from 424 on were numbered once for all.
    internal const long SYS_pidfd_send_signal = 424;

    internal const uint LINUX_CAPABILITY_VERSION_3 = 0x20080522;
    internal const int CAP_SYS_ADMIN = 21;
    internal const int CAP_SYS_RESOURCE = 24;

    internal const int RLIMIT_NOFILE = 7;
}
