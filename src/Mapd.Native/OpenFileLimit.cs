using Mapd.Native.Internal;
using static Mapd.Native.Internal.Constants;

namespace Mapd.Native;

/// <summary>This process's limit on open file descriptors (RLIMIT_NOFILE).</summary>
/// <param name="Soft">The limit in force.</param>
/// <param name="Hard">The most the soft limit may be raised to without privilege.</param>
public readonly record struct OpenFileLimit(ulong Soft, ulong Hard)
{
    /// <summary>getrlimit(RLIMIT_NOFILE).</summary>
    public static unsafe OpenFileLimit Current()
    {
        Libc.ResourceLimit limit;
        if (Libc.GetRLimit(RLIMIT_NOFILE, &limit) != 0)
        {
            throw SystemCallException.FromLastError("getrlimit(RLIMIT_NOFILE)");
        }

        return new OpenFileLimit(limit.Current, limit.Maximum);
    }

    /// <summary>Raises the soft limit to the hard one (setrlimit) and returns the limit now in force.</summary>
    public static unsafe OpenFileLimit RaiseToHard()
    {
        var current = Current();
        if (current.Soft >= current.Hard)
        {
            return current;
        }

        var raised = new Libc.ResourceLimit { Current = current.Hard, Maximum = current.Hard };
        if (Libc.SetRLimit(RLIMIT_NOFILE, &raised) != 0)
        {
            throw SystemCallException.FromLastError("setrlimit(RLIMIT_NOFILE)", $"soft limit {current.Hard}");
        }

        return Current();
    }

    /// <summary>True when <paramref name="errno"/> says the process or the system ran out of descriptors.</summary>
    public static bool IsExhaustion(int errno) => errno is Errnos.EMFILE or Errnos.ENFILE;
}
