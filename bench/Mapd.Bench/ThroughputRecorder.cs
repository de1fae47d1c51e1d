using System.Diagnostics;

namespace Mapd.Bench;

/// <summary>
/// Operations completed and wall time spent, summed over rounds, plus each round's rate and the
/// CPU time the bench process and the daemon process burned meanwhile. On a saturated 2-vCPU
/// machine the rate is roughly 2 CPU-seconds over the CPU cost of one operation, so CPU per
/// operation says which side to make cheaper.
/// </summary>
internal sealed class ThroughputRecorder(string name)
{
    private readonly List<double> _roundRates = [];
    private long _operations;
    private long _ticks;
    private TimeSpan _benchCpu;
    private TimeSpan _daemonCpu;
    private long _refused;

    public string Name { get; } = name;

    public IReadOnlyList<double> RoundRates => _roundRates;

    /// <summary>Operations per second over all rounds: total operations over total time.</summary>
    public double OperationsPerSecond => _ticks == 0 ? double.NaN : _operations * (double)Stopwatch.Frequency / _ticks;

    /// <summary>CPU microseconds the bench process spent per operation (all its threads).</summary>
    public double BenchCpuPerOperation => _operations == 0 ? double.NaN : _benchCpu.TotalMicroseconds / _operations;

    /// <summary>CPU microseconds the daemon spent per operation (all its threads).</summary>
    public double DaemonCpuPerOperation => _operations == 0 ? double.NaN : _daemonCpu.TotalMicroseconds / _operations;

    /// <summary>Opens the daemon refused with RESOURCE_EXHAUSTED and the bench retried (not counted as operations).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public void AddRefused() => Interlocked.Increment(ref _refused);

    public void Add(long operations, long ticks, TimeSpan benchCpu, TimeSpan daemonCpu)
    {
        _operations += operations;
        _ticks += ticks;
        _benchCpu += benchCpu;
        _daemonCpu += daemonCpu;
        _roundRates.Add(operations * (double)Stopwatch.Frequency / ticks);
    }

    public void Clear()
    {
        _operations = 0;
        _ticks = 0;
        _benchCpu = TimeSpan.Zero;
        _daemonCpu = TimeSpan.Zero;
        _refused = 0;
        _roundRates.Clear();
    }
}
