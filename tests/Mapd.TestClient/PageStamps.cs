namespace Mapd.TestClient;

/// <summary>
/// The resize pattern: the first 8 bytes of every 4 KiB page hold its offset plus one. A page
/// reads as its stamp or, if nobody stamped it since it (re)appeared, as zero; anything else is
/// a wrong byte.
/// </summary>
public static class PageStamps
{
    public const int PageSize = 4096;

    public static ulong Stamp(long offset) => (ulong)offset + 1;

    public static unsafe void StampRange(byte* start, long from, long to)
    {
        for (var offset = from / PageSize * PageSize; offset + 8 <= to; offset += PageSize)
        {
            *(ulong*)(start + offset) = Stamp(offset);
        }
    }

    /// <summary>True when the page at <paramref name="offset"/> holds its stamp or zero.</summary>
    public static unsafe bool IsValid(byte* start, long offset)
    {
        var value = Volatile.Read(ref *(ulong*)(start + offset));
        return value == 0 || value == Stamp(offset);
    }
}
