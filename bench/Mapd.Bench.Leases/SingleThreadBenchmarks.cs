using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Mapd.Client;

namespace Mapd.Bench.Leases;

/// <summary>
/// One thread: <see cref="MappedRegion.AcquireLease"/> + <see cref="RegionLease.Dispose"/> on a
/// region served by the real daemon, next to an empty call, an interlocked pair on one field
/// and a <see cref="ReaderWriterLockSlim"/> read lock (what a lock-based design costs).
/// </summary>
[Config(typeof(LeaseConfig))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet calls [GlobalCleanup], which disposes.")]
public class SingleThreadBenchmarks
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private RegionFixture? _fixture;
    private MappedRegion _region = null!;
    private long _shared;

    /// <summary>Starts the daemon and maps the region.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _fixture = RegionFixture.Start();
        _region = _fixture.Region;
    }

    /// <summary>Stops the daemon.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _fixture?.Dispose();
        _lock.Dispose();
    }

    /// <summary>A call that does nothing (not inlined): the floor.</summary>
    [Benchmark(Baseline = true, Description = "empty method call")]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Benchmarks are instance methods, like the others.")]
    public void EmptyCall() => Empty();

    /// <summary>Interlocked.Increment then Decrement of one field: a shared counter's cost, uncontended.</summary>
    [Benchmark(Description = "Interlocked.Increment+Decrement, one field")]
    public long InterlockedPair()
    {
        Interlocked.Increment(ref _shared);
        return Interlocked.Decrement(ref _shared);
    }

    /// <summary>ReaderWriterLockSlim read lock taken and released: a lock-based design's cost per read.</summary>
    [Benchmark(Description = "ReaderWriterLockSlim EnterRead+ExitRead")]
    public void ReadLock()
    {
        _lock.EnterReadLock();
        _lock.ExitReadLock();
    }

    /// <summary>The CPU number a lease picks its counter slot by (.NET caches it per thread and refreshes it now and then).</summary>
    [Benchmark(Description = "Thread.GetCurrentProcessorId (part of a lease)")]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Benchmarks are instance methods, like the others.")]
    public int ProcessorId() => Thread.GetCurrentProcessorId();

    /// <summary>What a reader pays per lease: acquire on the current mapping, then release.</summary>
    [Benchmark(Description = "RegionLease acquire+release")]
    public void AcquireRelease()
    {
        var lease = _region.AcquireLease();
        lease.Dispose();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Empty()
    {
    }
}
