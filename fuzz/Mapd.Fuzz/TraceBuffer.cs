using System.Runtime.InteropServices;

namespace Mapd.Fuzz;

/// <summary>SharpFuzz's branch-count buffer, for running instrumented code outside AFL.</summary>
internal static class TraceBuffer
{
    /// <summary>AFL's map size: instrumented code indexes the buffer modulo it.</summary>
    private const int MapSize = 1 << 16;

    /// <summary>Points the trace at a scratch buffer that lives as long as the process, unless one is set.</summary>
    public static unsafe void Provide()
    {
        if (SharpFuzz.Common.Trace.SharedMem == null)
        {
            SharpFuzz.Common.Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(MapSize);
        }
    }
}
