using System.Runtime.InteropServices;

namespace Mapd.Bench;

/// <summary>The libc call the bench needs that .NET lacks: sleeping until an absolute time.</summary>
internal static partial class NativeMethods
{
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
