using Mapd.Native.Internal;
using static Mapd.Native.Internal.Constants;

namespace Mapd.Native;

/// <summary>This process's ids.</summary>
public static class ProcessIdentity
{
    /// <summary>The real uid.</summary>
    public static uint Uid => Libc.GetUid();

    /// <summary>The real gid.</summary>
    public static uint Gid => Libc.GetGid();

    /// <summary>The process id.</summary>
    public static int Pid => Libc.GetPid();

    /// <summary>
    /// True when this process may have more descriptors in flight on Unix sockets (sent with
    /// SCM_RIGHTS and not yet received) than its RLIMIT_NOFILE: the kernel exempts holders of
    /// CAP_SYS_RESOURCE or CAP_SYS_ADMIN, and fails everyone else's sendmsg with ETOOMANYREFS.
    /// </summary>
    public static bool MayExceedDescriptorsInFlight => HasCapability(CAP_SYS_RESOURCE) || HasCapability(CAP_SYS_ADMIN);

    private static unsafe bool HasCapability(int capability)
    {
        var header = new Libc.CapabilityHeader { Version = LINUX_CAPABILITY_VERSION_3, Pid = 0 };
        var data = stackalloc Libc.CapabilityData[2];
        if (Libc.CapGet(&header, data) != 0)
        {
            throw SystemCallException.FromLastError("capget");
        }

        return (data[capability / 32].Effective & (1u << (capability % 32))) != 0;
    }
}
