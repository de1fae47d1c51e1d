using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace Mapd.Bench.Leases;

/// <summary>
/// One short job per benchmark (the machine is shared: bounded time matters more than the last
/// decimal), with median and p95 next to the mean, and allocations (BenchmarkDotNet's default exporters write markdown, CSV and HTML).
/// </summary>
public sealed class LeaseConfig : ManualConfig
{
    /// <summary>Builds the configuration.</summary>
    public LeaseConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(6)
            .WithIterationCount(15)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(400)));
        AddColumn(StatisticColumn.Median, StatisticColumn.P95, StatisticColumn.Min);
        AddDiagnoser(MemoryDiagnoser.Default);
        WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
    }
}
