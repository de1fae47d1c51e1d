using System.Runtime.InteropServices;

namespace Mapd.Bench;

/// <summary>The libc calls the bench needs that .NET lacks: sending SIGTERM (not SIGKILL), and sleeping until an absolute time.</summary>
internal static partial class NativeMethods
{
    public const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    public const int CLOCK_MONOTONIC = 1;
    public const int TIMER_ABSTIME = 1;
    public const int EINTR = 4;

    /// <summary>clock_nanosleep(2); returns 0 or the error number (it does not set errno).</summary>
    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    public static partial int ClockNanosleep(int clock, int flags, in Timespec request, IntPtr remain);

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
