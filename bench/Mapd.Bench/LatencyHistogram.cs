using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Mapd.Bench;

/// <summary>
/// Counts latencies in nanoseconds in log-linear buckets: exact below 32 ns, then 32 buckets
/// per power of two (at most 3% wide). Readers record millions of reads, so they count rather
/// than keep samples. Not thread-safe: one per thread, merged afterwards.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBits = 5;
    private const int Sub = 1 << SubBits;
    private const int Buckets = Sub + ((64 - SubBits) * Sub);

    private readonly long[] _counts = new long[Buckets];

    public long Count { get; private set; }

    public long MaxNanoseconds { get; private set; }

    /// <summary>Nanoseconds per Stopwatch tick (1 on Linux, where Stopwatch is CLOCK_MONOTONIC in ns).</summary>
    public static double NanosecondsPerTick { get; } = 1e9 / Stopwatch.Frequency;

    public void AddTicks(long ticks) => Add((long)(ticks * NanosecondsPerTick));

    public void Add(long nanoseconds)
    {
        var value = (ulong)Math.Max(nanoseconds, 0);
        _counts[Index(value)]++;
        Count++;
        if (nanoseconds > MaxNanoseconds)
        {
            MaxNanoseconds = nanoseconds;
        }
    }

    public void Merge(LatencyHistogram other)
    {
        for (var i = 0; i < Buckets; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        MaxNanoseconds = Math.Max(MaxNanoseconds, other.MaxNanoseconds);
    }

    /// <summary>Nearest-rank percentile, as the middle of its bucket (the maximum for the top rank), in microseconds.</summary>
    public double PercentileMicroseconds(double quantile)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * Count));
        if (rank >= Count)
        {
            return MaxNanoseconds / 1000.0;
        }

        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                var (low, width) = Bounds(i);
                return Math.Min(low + ((width - 1) / 2.0), MaxNanoseconds) / 1000.0;
            }
        }

        return MaxNanoseconds / 1000.0;
    }

    /// <summary>One line: <c>count max index:count ...</c> (non-empty buckets only).</summary>
    public string Serialize()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Count} {MaxNanoseconds}");
        for (var i = 0; i < Buckets; i++)
        {
            if (_counts[i] != 0)
            {
                text.Append(CultureInfo.InvariantCulture, $" {i}:{_counts[i]}");
            }
        }

        return text.ToString();
    }

    public static LatencyHistogram Parse(ReadOnlySpan<string> fields)
    {
        var histogram = new LatencyHistogram
        {
            Count = long.Parse(fields[0], CultureInfo.InvariantCulture),
            MaxNanoseconds = long.Parse(fields[1], CultureInfo.InvariantCulture),
        };
        foreach (var field in fields[2..])
        {
            var colon = field.IndexOf(':', StringComparison.Ordinal);
            histogram._counts[int.Parse(field.AsSpan(0, colon), CultureInfo.InvariantCulture)] = long.Parse(field.AsSpan(colon + 1), CultureInfo.InvariantCulture);
        }

        return histogram;
    }

    private static int Index(ulong value)
    {
        if (value < Sub)
        {
            return (int)value;
        }

        var top = 63 - BitOperations.LeadingZeroCount(value);
        var shift = top - SubBits;
        return Sub + (shift * Sub) + (int)((value >> shift) - Sub);
    }

    private static (long Low, long Width) Bounds(int index)
    {
        if (index < Sub)
        {
            return (index, 1);
        }

        var shift = (index - Sub) / Sub;
        var sub = (index - Sub) % Sub;
        return ((long)(Sub + sub) << shift, 1L << shift);
    }
}
