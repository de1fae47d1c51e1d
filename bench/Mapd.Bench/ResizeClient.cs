using System.Diagnostics;
using System.Globalization;
using Mapd.Client;

namespace Mapd.Bench;

/// <summary>
/// A client process of the resize benchmark (<c>Mapd.Bench resize-client</c>, started by
/// <c>resize</c>): maps the region read-only, runs reader threads on it through leases, and
/// prints one line per change it applies, stamped with <see cref="Stopwatch.GetTimestamp"/>
/// (CLOCK_MONOTONIC on Linux, so comparable with the bench's own stamps).
/// </summary>
/// <remarks>
/// stdin: <c>open reserve|noreserve</c> (re)maps the region with the default address
/// reservation or with none beyond its size, and touches every page so the mapping starts
/// warm; <c>report</c> prints the readers' histograms; end of input exits.
/// stdout: <c>ready</c>, <c>opened SIZE RESERVED</c>, <c>change KIND SIZE GENERATION MOVED TIMESTAMP</c>,
/// <c>hist SLOT COUNT MAX BUCKETS...</c>, <c>reported</c>, or <c>error MESSAGE</c>.
/// </remarks>
internal static class ResizeClient
{
    public const string Command = "resize-client";

    private static readonly Lock Output = new();

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        using var control = ResizeControl.Open(options.Control, create: false);
        await using var reserved = await MapdClient.ConnectAsync(new MapdClientOptions { SocketDirectory = options.Socket });

        // No address space reserved past the size: a grow has to map the file again elsewhere.
        await using var unreserved = await MapdClient.ConnectAsync(new MapdClientOptions { SocketDirectory = options.Socket, ReservationFactor = 1, MinimumReservation = 0 });
        var source = new LeaseReadSource();
        ReaderPool? readers = null;
        MappedRegion? region = null;
        CancellationTokenSource? watching = null;
        Task watch = Task.CompletedTask;
        try
        {
            Say("ready");
            while (await Console.In.ReadLineAsync() is { } line)
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                switch (words.FirstOrDefault())
                {
                    case "open":
                        readers?.PauseAndWait();
                        if (watching is not null)
                        {
                            await watching.CancelAsync();
                            await watch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                            watching.Dispose();
                        }

                        if (region is not null)
                        {
                            await region.DisposeAsync();
                        }

                        region = await (words[1] == "noreserve" ? unreserved : reserved).OpenAsync(options.Name, RegionAccess.ReadOnly);
                        var touched = TouchEveryPage(region);
                        watching = new CancellationTokenSource();

                        // Subscribes before returning (the iterator runs up to its first wait), so no change is missed.
                        watch = WatchAsync(region, watching.Token);
                        source.Region = region;
                        readers ??= new ReaderPool(control, s => s is ResizeScenario.MapdInPlace or ResizeScenario.MapdRemap, source, options.Threads, options.Batch, options.PauseMilliseconds, options.BaseSize, options.ReadNew);
                        readers.Resume();
                        Say(string.Create(CultureInfo.InvariantCulture, $"opened {region.Size} {region.ReservedSize} {touched}"));
                        break;

                    case "report":
                        if (readers is not null)
                        {
                            readers.PauseAndWait();
                            var histograms = readers.Merge();
                            for (var slot = 0; slot < histograms.Length; slot++)
                            {
                                if (histograms[slot].Count > 0)
                                {
                                    Say(string.Create(CultureInfo.InvariantCulture, $"hist {slot} {histograms[slot].Serialize()}"));
                                }
                            }

                            readers.Resume();
                        }

                        Say("reported");
                        break;

                    default:
                        Say($"error unknown command '{line}'");
                        break;
                }
            }
        }
        catch (Exception e) when (e is MapdException or IOException or InvalidOperationException or TimeoutException)
        {
            Say($"error {e.GetType().Name} {e.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
        finally
        {
            readers?.Dispose();
            if (watching is not null)
            {
                await watching.CancelAsync();
                await watch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                watching.Dispose();
            }

            if (region is not null)
            {
                await region.DisposeAsync();
            }
        }

        return 0;
    }

    private static async Task WatchAsync(MappedRegion region, CancellationToken cancellationToken)
    {
        await foreach (var change in region.ChangesAsync(cancellationToken))
        {
            var stamp = Stopwatch.GetTimestamp();
            Say(string.Create(CultureInfo.InvariantCulture, $"change {change.Kind} {change.Size} {change.Generation} {change.Moved} {stamp}"));
        }
    }

    /// <summary>Reads a byte of every page, so the mapping's page tables are filled as in a long-running process. Returns milliseconds.</summary>
    private static unsafe long TouchEveryPage(MappedRegion region)
    {
        var started = Stopwatch.GetTimestamp();
        using var lease = region.AcquireLease();
        var pointer = lease.Pointer;
        long sum = 0;
        for (long offset = 0; offset < lease.Length; offset += ReadSource.ReadSize)
        {
            sum += pointer[offset];
        }

        GC.KeepAlive(sum);
        return (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static void Say(string line)
    {
        lock (Output)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }

    private sealed record Options(string Socket, string Name, string Control, int Threads, int Batch, int PauseMilliseconds, long BaseSize, bool ReadNew)
    {
        public static Options Parse(string[] args)
        {
            string Value(string name) =>
                Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{Command} needs {name}");

            return new Options(
                Value("--socket"),
                Value("--name"),
                Value("--control"),
                int.Parse(Value("--threads"), CultureInfo.InvariantCulture),
                int.Parse(Value("--batch"), CultureInfo.InvariantCulture),
                int.Parse(Value("--pause-ms"), CultureInfo.InvariantCulture),
                long.Parse(Value("--base"), CultureInfo.InvariantCulture),
                Value("--read") == "new");
        }
    }
}

/// <summary>mapd's read path: a lease on the region's current mapping per read.</summary>
internal sealed unsafe class LeaseReadSource : ReadSource
{
    private MappedRegion? _region;

    public MappedRegion Region
    {
        get => Volatile.Read(ref _region) ?? throw new InvalidOperationException("no region yet");
        set => Volatile.Write(ref _region, value);
    }

    public override bool Read(byte* destination, ref ulong random, long baseSize, long readLimit)
    {
        using var lease = Region.AcquireLease();
        var offset = RandomPage(ref random, Math.Min(lease.Length, readLimit));
        Buffer.MemoryCopy(lease.Pointer + offset, destination, ReadSize, ReadSize);
        return offset >= baseSize;
    }
}
