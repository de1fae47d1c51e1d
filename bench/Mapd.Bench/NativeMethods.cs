using System.Runtime.InteropServices;

namespace Mapd.Bench;

/// <summary>The one libc call the bench needs that .NET lacks: sending SIGTERM, not SIGKILL.</summary>
internal static partial class NativeMethods
{
    public const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
