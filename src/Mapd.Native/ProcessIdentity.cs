using Mapd.Native.Internal;

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
}
