using System.Globalization;
using System.Text;

namespace Mapd.Bench;

/// <summary>A markdown table of latency percentiles and rates; empty cells print as a dash.</summary>
internal sealed class ResultTable(string firstColumn)
{
    private readonly List<(string Label, double P50, double P99, double Rate)> _rows = [];

    public void Add(string label, LatencyRecorder? latency, ThroughputRecorder? throughput) =>
        _rows.Add((label,
            latency?.PercentileMicroseconds(0.50) ?? double.NaN,
            latency?.PercentileMicroseconds(0.99) ?? double.NaN,
            throughput?.OperationsPerSecond ?? double.NaN));

    public void Add(string label, double p50, double p99, double rate) => _rows.Add((label, p50, p99, rate));

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"| {firstColumn} | p50 us | p99 us | ops/s |\n");
        text.Append("|---|---:|---:|---:|\n");
        foreach (var (label, p50, p99, rate) in _rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {label} | {Microseconds(p50)} | {Microseconds(p99)} | {Rate(rate)} |\n");
        }

        return text.ToString();
    }

    public static string Microseconds(double value) =>
        double.IsNaN(value) ? "-" : value.ToString(value < 100 ? "0.0" : "0", CultureInfo.InvariantCulture);

    public static string Rate(double value) =>
        double.IsNaN(value) ? "-" : value.ToString("N0", CultureInfo.InvariantCulture);
}
