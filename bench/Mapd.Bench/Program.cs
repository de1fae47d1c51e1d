using System.Runtime.InteropServices;

namespace Mapd.Bench;

/// <summary>
/// Entry point. <c>open</c> runs the Open benchmark against a daemon it starts itself;
/// <c>handoff-peer</c> is the second process of the bare fd-handoff baseline (started by
/// <c>open</c>, not by hand). <c>resize</c> runs the online-resize benchmark (see
/// <see cref="ResizeBenchmark"/>); <c>resize-client</c> is its client process.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: Mapd.Bench open [--seconds N] [--concurrency C] [--rounds R] [--warmup S] [--only TEXT] [--taken-experiment] [--daemon PATH/mapd.dll]
          open          Open latency and opens/s against the real daemon, next to a no-op gRPC
                        call and a bare SEQPACKET fd handoff measured in the same run.
          --seconds N   measured time in total, split over the rounds (default 40)
          --concurrency concurrent callers for the ops/s columns (default 16)
          --rounds R    the scenarios run interleaved, R times each (default 5)
          --warmup S    at least this much warm-up, then on until three passes agree within 15%
                        (at most 3x as long) (default 10)
          --only TEXT   run only the scenarios whose name contains TEXT (or one of several, comma-separated),
                        e.g. "no-op gRPC rate,Open rate": to profile one, or for a quick check
          --taken-experiment  also run the raw-session rate on a session that never sends TAKEN,
                        to show what TAKEN costs
          --daemon P    mapd.dll to start (default: src/Mapd.Server/bin/Release/net10.0/mapd.dll
                        of this repository; build it with 'dotnet build -c Release src/Mapd.Server')

        usage: Mapd.Bench scale [--regions N] [--watchers W] [--phase-seconds S] [--rounds R] [--daemon PATH]
          scale         with N regions (default 10000): List p50, Open p99 alone and beside a loop of
                        Lists, resize latency of one region with W Watch streams on others (default
                        5000) and with none, and the daemon's descriptors and RSS per region once
                        every region was opened both ways; phases of S s (default 4) alternate over
                        R rounds (default 3)

        usage: Mapd.Bench repair [--rounds N] [--daemon PATH]
          repair        how long a region's length stays wrong after a read-write grantee ftruncates
                        its descriptor to 0 or to twice the size, next to a bare inotify guard thread
                        measured in the same run; N rounds each (default 200)

        usage: Mapd.Bench resize [--rounds N] [--pages 4k,huge] [--scenarios inplace,remap,copy,stw] [--clients C]
                                 [--threads T] [--batch B] [--pause-ms P] [--idle-ms I] [--tail-ms T] [--base 1G]
                                 [--grow-to 2G] [--warmup-rounds W] [--jit-warmup J] [--block K] [--warm 4G] [--read old|new] [--out DIR] [--daemon PATH]
          resize        (root) grows a region from --base to --grow-to N times with C client processes
                        mapping it and T reader threads each, on a fresh 4 KiB-page tmpfs and a
                        huge=within_size tmpfs, next to a copy-based resize and a stop-the-world remap
                        measured in the same run; prints markdown tables and PASS/FAIL per target and
                        writes CSV files (default bench/results/) for bench/plot-resize.sh
          --rounds N    measured grows per scenario and page kind (default 20), in blocks of --block (5)
                        that take turns between scenarios
          --pause-ms P  readers read B 4 KiB pages (default 64), then sleep until the next multiple
                        of P ms on the monotonic clock (default 1), all readers on one grid
          --jit-warmup J  at least J untimed grows per mapd scenario first (default 40), so the
                        daemon's and clients' resize paths are past tiered JIT recompilation
          --read old|new  readers read only the bytes that existed before a grow (default), or
                        anywhere in the served size, faulting in the grown range's unwritten pages
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.Error.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            switch (args[0])
            {
                case "open":
                    {
                        var options = BenchArguments.Parse(args.AsSpan(1));
                        using var stop = new CancellationTokenSource();

                        // Ctrl+C and SIGTERM cancel the run instead of killing it, so the daemon,
                        // the peer process and the storage directory are still cleaned up.
                        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
                        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
                        return await OpenBenchmark.RunAsync(options, stop.Token);

                        void Cancel(PosixSignalContext context)
                        {
                            context.Cancel = true;
                            stop.Cancel();
                        }
                    }

                case HandoffPeer.Command:
                    return HandoffPeer.Run(args.AsSpan(1));

                case "resize":
                    {
                        var options = ResizeArguments.Parse(args.AsSpan(1));
                        using var stop = new CancellationTokenSource();
                        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
                        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
                        return await ResizeBenchmark.RunAsync(options, stop.Token);

                        void Cancel(PosixSignalContext context)
                        {
                            context.Cancel = true;
                            stop.Cancel();
                        }
                    }

                case ResizeClient.Command:
                    return await ResizeClient.RunAsync(args[1..]);

                case ListLoop.Command:
                    return await ListLoop.RunAsync(args[1..]);

                case "scale":
                    {
                        var options = ScaleArguments.Parse(args.AsSpan(1));
                        using var stop = new CancellationTokenSource();
                        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
                        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
                        return await ScaleBenchmark.RunAsync(options, stop.Token);

                        void Cancel(PosixSignalContext context)
                        {
                            context.Cancel = true;
                            stop.Cancel();
                        }
                    }

                case "repair":
                    {
                        var rounds = 200;
                        string? daemon = null;
                        for (var i = 1; i < args.Length; i++)
                        {
                            switch (args[i])
                            {
                                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], out rounds) && rounds > 0:
                                    i++;
                                    break;
                                case "--daemon" when i + 1 < args.Length:
                                    daemon = args[++i];
                                    break;
                                default:
                                    throw new ArgumentException($"repair does not take '{args[i]}'");
                            }
                        }

                        return await RepairBenchmark.RunAsync(rounds, daemon, CancellationToken.None);
                    }

                default:
                    Console.Error.WriteLine($"unknown benchmark '{args[0]}'\n{Usage}");
                    return 2;
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"Mapd.Bench: {e.Message}\n{Usage}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("Mapd.Bench: cancelled");
            return 130;
        }
    }
}
