namespace Mapd.TestClient;

/// <summary>
/// The test pattern: every 8-byte word holds its own offset mixed with a seed, so a wrong,
/// shifted or stale byte anywhere is detected and located.
/// </summary>
public static class Pattern
{
    public static ulong Word(long offset, ulong seed) => (ulong)offset ^ (seed * 0x9E3779B97F4A7C15UL);

    public static unsafe void Fill(byte* start, long length, ulong seed)
    {
        var words = (ulong*)start;
        for (long i = 0; i < length / 8; i++)
        {
            words[i] = Word(i * 8, seed);
        }
    }

    /// <summary>Returns the offset of the first wrong word, or -1.</summary>
    public static unsafe long FindMismatch(byte* start, long length, ulong seed)
    {
        var words = (ulong*)start;
        for (long i = 0; i < length / 8; i++)
        {
            if (words[i] != Word(i * 8, seed))
            {
                return i * 8;
            }
        }

        return -1;
    }
}
