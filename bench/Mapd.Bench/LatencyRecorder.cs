using System.Diagnostics;

namespace Mapd.Bench;

/// <summary>
/// Latency samples in Stopwatch ticks, kept whole and sorted for percentiles (a run holds at
/// most a few hundred thousand, so no histogram is needed). Samples of each round are also
/// kept apart, to show how much rounds differ under the shared machine's noise.
/// </summary>
internal sealed class LatencyRecorder(string name)
{
    /// <summary>Stops a runaway scenario from exhausting memory: 2M samples is 16 MB.</summary>
    private const int MaxSamples = 2_000_000;

    private readonly List<long> _all = [];
    private readonly List<double> _roundMedians = [];
    private List<long> _round = [];

    public string Name { get; } = name;

    public int Count => _all.Count;

    public IReadOnlyList<double> RoundMediansMicroseconds => _roundMedians;

    public bool IsFull => _all.Count + _round.Count >= MaxSamples;

    public void Add(long ticks) => _round.Add(ticks);

    /// <summary>Closes the current round: its samples join the totals and its median is noted.</summary>
    public void EndRound()
    {
        if (_round.Count == 0)
        {
            return;
        }

        _all.AddRange(_round);
        _round.Sort();
        _roundMedians.Add(ToMicroseconds(Percentile(_round, 0.50)));
        _round = [];
    }

    /// <summary>Drops everything recorded so far (after the warm-up).</summary>
    public void Clear()
    {
        _all.Clear();
        _round.Clear();
        _roundMedians.Clear();
    }

    public double PercentileMicroseconds(double quantile)
    {
        if (_all.Count == 0)
        {
            return double.NaN;
        }

        _all.Sort();
        return ToMicroseconds(Percentile(_all, quantile));
    }

    public static double ToMicroseconds(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    /// <summary>Nearest-rank percentile of sorted samples.</summary>
    private static long Percentile(List<long> sorted, double quantile)
    {
        var rank = (int)Math.Ceiling(quantile * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
