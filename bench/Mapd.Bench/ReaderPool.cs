using System.Diagnostics;

namespace Mapd.Bench;

/// <summary>Where a reader reads 4 KiB from: mapd leases, or one of the baselines' mechanisms.</summary>
internal abstract unsafe class ReadSource
{
    public const int ReadSize = 4096;

    /// <summary>
    /// Copies 4 KiB from a random page of what is currently served, below
    /// <paramref name="readLimit"/>, into <paramref name="destination"/>, with whatever
    /// protection the design needs. Returns true when the page lies at or past
    /// <paramref name="baseSize"/> (bytes the resize added).
    /// </summary>
    public abstract bool Read(byte* destination, ref ulong random, long baseSize, long readLimit);

    /// <summary>A page-aligned offset below <paramref name="length"/> (xorshift64*).</summary>
    protected static long RandomPage(ref ulong state, long length)
    {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        var pages = (ulong)(length / ReadSize);
        return (long)((state * 2685821657736338717UL) % pages) * ReadSize;
    }
}

/// <summary>
/// Reader threads for one design: each reads 4 KiB at random pages in batches, with a short
/// sleep between batches (a 2-vCPU machine cannot give eight readers a core each; unpaced
/// readers would measure the scheduler, not the design). Every reader wakes on the same grid
/// of CLOCK_MONOTONIC (the next multiple of the pause), not a pause after its own batch: with
/// relative sleeps, any delay (a grow's work taking the CPU for a moment) spreads the readers'
/// wake-up timers apart, and from then on one reader's timer interrupt lands in the middle of
/// another's read. In this VM a timer interrupt costs 15-20 us, so those reads, not the design,
/// set the p99.9; on one grid the kernel fires all of a CPU's reader timers in one interrupt
/// before any of them reads. Each read's latency is counted by
/// scenario, phase and whether it touched bytes the resize added. Readers of a design run only
/// while the control block names one of its scenarios. By default they read only bytes that
/// existed before the grow (as readers of data a writer has published would); with
/// <c>readNew</c> they read anywhere in what is served, so they also fault in the grown
/// range's never-written pages.
/// </summary>
internal sealed unsafe class ReaderPool : IDisposable
{
    private const int Scenarios = 4;
    private const int Phases = 2;
    private const int Ranges = 2;

    private readonly ResizeControl _control;
    private readonly Func<ResizeScenario, bool> _owns;
    private readonly ReadSource _source;
    private readonly int _batch;
    private readonly int _pauseMilliseconds;
    private readonly long _baseSize;
    private readonly long _readLimit;
    private readonly Thread[] _threads;
    private readonly LatencyHistogram[][] _histograms;
    private readonly long[] _acknowledged;
    private volatile bool _stopping;
    private volatile bool _paused;
    private long _epoch;

    public ReaderPool(ResizeControl control, Func<ResizeScenario, bool> owns, ReadSource source, int threads, int batch, int pauseMilliseconds, long baseSize, bool readNew)
    {
        _control = control;
        _owns = owns;
        _source = source;
        _batch = batch;
        _pauseMilliseconds = pauseMilliseconds;
        _baseSize = baseSize;
        _readLimit = readNew ? long.MaxValue : baseSize;
        _histograms = [.. Enumerable.Range(0, threads).Select(_ => Enumerable.Range(0, Scenarios * Phases * Ranges).Select(_ => new LatencyHistogram()).ToArray())];
        _acknowledged = new long[threads * 16];
        _threads = [.. Enumerable.Range(0, threads).Select(i => new Thread(() => Run(i)) { IsBackground = true, Name = $"reader {i}" })];
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    public static int Slot(ResizeScenario scenario, ReadPhase phase, bool added) => ((((int)scenario * Phases) + (int)phase) * Ranges) + (added ? 1 : 0);

    public static (ResizeScenario Scenario, ReadPhase Phase, bool Added) FromSlot(int slot) =>
        ((ResizeScenario)(slot / (Phases * Ranges)), (ReadPhase)(slot / Ranges % Phases), slot % Ranges == 1);

    public static int SlotCount => Scenarios * Phases * Ranges;

    /// <summary>Stops every reader between two reads and returns once none is inside one (to unmap or swap what they read).</summary>
    public void PauseAndWait()
    {
        _paused = true;
        var epoch = Interlocked.Increment(ref _epoch);
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        for (var i = 0; i < _threads.Length; i++)
        {
            while (Volatile.Read(ref _acknowledged[i * 16]) < epoch)
            {
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    throw new TimeoutException("a reader thread did not pause within 10 s");
                }

                Thread.Sleep(1);
            }
        }
    }

    public void Resume() => _paused = false;

    /// <summary>Every thread's counts added up, by <see cref="Slot"/>. Call while paused or stopped.</summary>
    public LatencyHistogram[] Merge()
    {
        var merged = Enumerable.Range(0, SlotCount).Select(_ => new LatencyHistogram()).ToArray();
        foreach (var perThread in _histograms)
        {
            for (var i = 0; i < SlotCount; i++)
            {
                merged[i].Merge(perThread[i]);
            }
        }

        return merged;
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var thread in _threads)
        {
            thread.Join();
        }
    }

    /// <summary>Sleeps until the next multiple of <paramref name="milliseconds"/> on CLOCK_MONOTONIC, the clock of <see cref="Stopwatch"/> on Linux.</summary>
    private static void SleepUntilNextTick(int milliseconds)
    {
        var period = milliseconds * Stopwatch.Frequency / 1000;
        var next = ((Stopwatch.GetTimestamp() / period) + 1) * period;
        var nanoseconds = (long)(next * (1_000_000_000.0 / Stopwatch.Frequency));
        var deadline = new NativeMethods.Timespec { Seconds = nanoseconds / 1_000_000_000L, Nanoseconds = nanoseconds % 1_000_000_000L };
        while (NativeMethods.ClockNanosleep(NativeMethods.CLOCK_MONOTONIC, NativeMethods.TIMER_ABSTIME, deadline, IntPtr.Zero) == NativeMethods.EINTR)
        {
        }
    }

    private void Run(int index)
    {
        var histograms = _histograms[index];
        var random = (ulong)(index + 1) * 0x9E3779B97F4A7C15UL ^ (ulong)Environment.ProcessId;
        var buffer = stackalloc byte[ReadSource.ReadSize];
        while (!_stopping)
        {
            // Acknowledge a pause only here, between batches, never inside a read. The fence
            // orders the acknowledgement before reading _paused (pairs with PauseAndWait).
            Interlocked.Exchange(ref _acknowledged[index * 16], Volatile.Read(ref _epoch));
            if (_paused)
            {
                SleepUntilNextTick(1);
                continue;
            }

            if (!_owns(_control.Scenario))
            {
                // Another design is measured: stay out of its way (scenarios change seconds apart),
                // waking on the same grid as its readers.
                SleepUntilNextTick(10);
                continue;
            }

            for (var i = 0; i < _batch && !_paused; i++)
            {
                var scenario = _control.Scenario;
                var phase = _control.Phase;
                var start = Stopwatch.GetTimestamp();
                var added = _source.Read(buffer, ref random, _baseSize, _readLimit);
                var ticks = Stopwatch.GetTimestamp() - start;
                if (phase != ReadPhase.Other)
                {
                    histograms[Slot(scenario, phase, added)].AddTicks(ticks);
                }
            }

            if (_pauseMilliseconds > 0)
            {
                SleepUntilNextTick(_pauseMilliseconds);
            }
        }
    }
}
