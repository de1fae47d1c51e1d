using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Mapd.Client;

namespace Mapd.Bench.Leases;

/// <summary>
/// Two threads hammering at once, each doing <see cref="OperationsPerThread"/> operations per
/// invocation; times are per operation on one thread (wall time of the invocation divided by
/// the operations each thread did). If leases wrote a cache line both threads share, two
/// threads would each be slower than one, as they are with one shared interlocked counter.
/// The threads are started once and woken per invocation, so thread start-up is not measured.
/// On a shared 2-vCPU machine the two threads may not get a CPU each; the cleanup prints the
/// parallelism achieved (the threads' CPU time over the wall time of the invocations), and a
/// two-thread row only shows sharing (or its absence) when that is close to 2. It also prints
/// the median time per operation over just the invocations in which every thread had a CPU of
/// its own for at least 90% of the time, which other load on the machine does not skew.
/// </summary>
[Config(typeof(LeaseConfig))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet calls [GlobalCleanup], which disposes.")]
public class TwoThreadBenchmarks
{
    /// <summary>Operations each thread performs per invocation: enough that waking the threads (~0.1 ms) is below 1%.</summary>
    public const int OperationsPerThread = 1 << 21;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private RegionFixture? _fixture;
    private MappedRegion _region = null!;
    private Hammer? _hammer;
    private long _shared;

    /// <summary>How many threads run the loop at once: 1 for the reference, 2 to look for sharing.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Starts the daemon, maps the region and starts the worker threads.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _fixture = RegionFixture.Start();
        _region = _fixture.Region;
        _hammer = new Hammer(Threads, this);
    }

    /// <summary>Stops the workers and the daemon, and says how parallel the runs were.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        if (_hammer is { } hammer)
        {
            Console.WriteLine($"// parallelism: the {Threads} thread(s) used {hammer.Parallelism:0.00} CPUs on average while running the loops");
            var parallel = hammer.ParallelNanosecondsPerOperation();
            Console.WriteLine(parallel.Count == 0
                ? "// no invocation had every thread on a CPU of its own (>= 90% of the time)"
                : $"// invocations with every thread on its own CPU >= 90% of the time: {parallel.Count}, median {parallel[parallel.Count / 2]:0.00} ns per operation per thread (min {parallel[0]:0.00}, max {parallel[^1]:0.00})");
        }

        _hammer?.Dispose();
        _fixture?.Dispose();
        _lock.Dispose();
    }

    /// <summary>Leases on the region from every thread.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerThread, Description = "RegionLease acquire+release")]
    public void Leases() => _hammer!.Run(Work.Lease);

    /// <summary>Interlocked.Increment+Decrement of one field shared by every thread.</summary>
    [Benchmark(OperationsPerInvoke = OperationsPerThread, Description = "Interlocked.Increment+Decrement, one shared field")]
    public void SharedCounter() => _hammer!.Run(Work.SharedCounter);

    /// <summary>ReaderWriterLockSlim read lock shared by every thread.</summary>
    [Benchmark(OperationsPerInvoke = OperationsPerThread, Description = "ReaderWriterLockSlim EnterRead+ExitRead, one lock")]
    public void ReadLock() => _hammer!.Run(Work.ReadLock);

    private enum Work
    {
        Lease,
        SharedCounter,
        ReadLock,
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void LeaseLoop()
    {
        var region = _region;
        for (var i = 0; i < OperationsPerThread; i++)
        {
            var lease = region.AcquireLease();
            lease.Dispose();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void SharedCounterLoop()
    {
        for (var i = 0; i < OperationsPerThread; i++)
        {
            Interlocked.Increment(ref _shared);
            Interlocked.Decrement(ref _shared);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReadLockLoop()
    {
        var gate = _lock;
        for (var i = 0; i < OperationsPerThread; i++)
        {
            gate.EnterReadLock();
            gate.ExitReadLock();
        }
    }

    /// <summary>Worker threads that run one loop each when told to, and say when they are done.</summary>
    private sealed class Hammer : IDisposable
    {
        private readonly TwoThreadBenchmarks _owner;
        private readonly Thread[] _threads;
        private readonly SemaphoreSlim _go = new(0);
        private readonly CountdownEvent _done;
        private readonly Barrier _start;
        private volatile bool _stopping;
        private Work _work;
        private readonly List<double> _parallelNanosecondsPerOperation = [];
        private long _wallNanoseconds;
        private long _cpuNanoseconds;
        private long _invocationCpuNanoseconds;

        public Hammer(int threads, TwoThreadBenchmarks owner)
        {
            _owner = owner;
            _done = new CountdownEvent(threads);
            _start = new Barrier(threads);
            _threads = [.. Enumerable.Range(0, threads).Select(i => new Thread(Loop) { IsBackground = true, Name = $"hammer {i}" })];
            foreach (var thread in _threads)
            {
                thread.Start();
            }
        }

        /// <summary>CPU time of the loops over the wall time of the invocations: 2 when two threads truly ran at once.</summary>
        public double Parallelism => _wallNanoseconds == 0 ? double.NaN : (double)Interlocked.Read(ref _cpuNanoseconds) / _wallNanoseconds;

        public void Run(Work work)
        {
            _work = work;
            _done.Reset();
            Interlocked.Exchange(ref _invocationCpuNanoseconds, 0);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            _go.Release(_threads.Length);
            _done.Wait();
            var wall = (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalNanoseconds;
            _wallNanoseconds += wall;
            if (Interlocked.Read(ref _invocationCpuNanoseconds) >= 0.9 * _threads.Length * wall)
            {
                _parallelNanosecondsPerOperation.Add((double)wall / OperationsPerThread);
            }
        }

        /// <summary>Wall time per operation of the invocations where every thread ran on its own CPU at least 90% of the time, sorted.</summary>
        public List<double> ParallelNanosecondsPerOperation() => [.. _parallelNanosecondsPerOperation.Order()];

        public void Dispose()
        {
            _stopping = true;
            _go.Release(_threads.Length);
            foreach (var thread in _threads)
            {
                thread.Join();
            }

            _go.Dispose();
            _done.Dispose();
            _start.Dispose();
        }

        private void Loop()
        {
            while (true)
            {
                _go.Wait();
                if (_stopping)
                {
                    return;
                }

                // Line the threads up so the loops overlap from their first operation.
                _start.SignalAndWait();
                var cpu = ThreadCpuTime.Nanoseconds();
                switch (_work)
                {
                    case Work.Lease:
                        _owner.LeaseLoop();
                        break;
                    case Work.SharedCounter:
                        _owner.SharedCounterLoop();
                        break;
                    default:
                        _owner.ReadLockLoop();
                        break;
                }

                var used = ThreadCpuTime.Nanoseconds() - cpu;
                Interlocked.Add(ref _cpuNanoseconds, used);
                Interlocked.Add(ref _invocationCpuNanoseconds, used);
                _done.Signal();
            }
        }
    }
}
