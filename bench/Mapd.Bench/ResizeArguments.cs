using System.Globalization;

namespace Mapd.Bench;

/// <summary>Command-line options of the <c>resize</c> benchmark.</summary>
internal sealed record ResizeArguments
{
    /// <summary>Measured grows per scenario and page size.</summary>
    public int Rounds { get; init; } = 20;

    /// <summary>Untimed grows per scenario before measuring.</summary>
    public int WarmupRounds { get; init; } = 3;

    /// <summary>
    /// Untimed grows of each mapd scenario before measuring, at least: a method runs as quick,
    /// unoptimized code until called 30 times, and its recompilation on the runtime's background
    /// thread otherwise competes for the 2 vCPUs during the measured rounds. Long-running
    /// daemons and clients are past that; fresh ones are not.
    /// </summary>
    public int JitWarmupRounds { get; init; } = 40;

    /// <summary>Rounds of one scenario in a row; scenarios take turns block by block.</summary>
    public int Block { get; init; } = 5;

    /// <summary>The region's size between rounds.</summary>
    public long BaseSize { get; init; } = 1L << 30;

    /// <summary>The size each round grows it to.</summary>
    public long GrowSize { get; init; } = 2L << 30;

    /// <summary>Client processes mapping the region.</summary>
    public int Clients { get; init; } = 4;

    /// <summary>Reader threads per client process (the baselines run Clients x Threads readers in one process).</summary>
    public int Threads { get; init; } = 2;

    /// <summary>Reads per batch; readers sleep <see cref="PauseMilliseconds"/> between batches.</summary>
    public int Batch { get; init; } = 64;

    /// <summary>Readers start a batch at every multiple of this many milliseconds (CLOCK_MONOTONIC); 0 = read without pause.</summary>
    public int PauseMilliseconds { get; init; } = 1;

    /// <summary>
    /// Whether readers also read the bytes a grow added (never written, so their first touch
    /// allocates and zeroes memory) or, by default, only bytes that existed before.
    /// </summary>
    public bool ReadNew { get; init; }

    /// <summary>Idle reading before each grow, recorded as the idle latency.</summary>
    public TimeSpan Idle { get; init; } = TimeSpan.FromMilliseconds(150);

    /// <summary>How long after the last reader serves the new size reads still count as "during the resize".</summary>
    public TimeSpan Tail { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Page kinds to run: <c>4k</c> (huge=never) and/or <c>huge</c> (huge=within_size).</summary>
    public IReadOnlyList<string> Pages { get; init; } = ["4k", "huge"];

    /// <summary>Scenarios to run (all by default).</summary>
    public IReadOnlyList<ResizeScenario> Scenarios { get; init; } = Enum.GetValues<ResizeScenario>();

    /// <summary>Anonymous memory touched once before anything, so first-touch costs of this VM are paid up front.</summary>
    public long WarmBytes { get; init; } = 4L << 30;

    /// <summary>Where the CSV files and the markdown go; null = bench/results of this repository.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>The daemon's <c>mapd.dll</c>; null finds it in this repository.</summary>
    public string? DaemonPath { get; init; }

    public static ResizeArguments Parse(ReadOnlySpan<string> args)
    {
        var result = new ResizeArguments();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value");
            }

            var value = args[++i];
            result = name switch
            {
                "--rounds" => result with { Rounds = Count(name, value, 1) },
                "--warmup-rounds" => result with { WarmupRounds = Count(name, value, 0) },
                "--jit-warmup" => result with { JitWarmupRounds = Count(name, value, 0) },
                "--block" => result with { Block = Count(name, value, 1) },
                "--clients" => result with { Clients = Count(name, value, 1) },
                "--threads" => result with { Threads = Count(name, value, 1) },
                "--batch" => result with { Batch = Count(name, value, 1) },
                "--pause-ms" => result with { PauseMilliseconds = Count(name, value, 0) },
                "--idle-ms" => result with { Idle = TimeSpan.FromMilliseconds(Count(name, value, 1)) },
                "--tail-ms" => result with { Tail = TimeSpan.FromMilliseconds(Count(name, value, 0)) },
                "--base" => result with { BaseSize = Size(name, value) },
                "--grow-to" => result with { GrowSize = Size(name, value) },
                "--warm" => result with { WarmBytes = value == "0" ? 0 : Size(name, value) },
                "--pages" => result with { Pages = List(name, value, ["4k", "huge"]) },
                "--scenarios" => result with { Scenarios = [.. List(name, value, ["inplace", "remap", "copy", "stw"]).Select(ParseScenario)] },
                "--read" => result with { ReadNew = List(name, value, ["old", "new"])[0] == "new" },
                "--out" => result with { OutputDirectory = value },
                "--daemon" => result with { DaemonPath = value },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }

        return result.GrowSize > result.BaseSize && result.BaseSize % 4096 == 0 && result.GrowSize % 4096 == 0
            ? result
            : throw new ArgumentException("--grow-to must be above --base, both multiples of 4096");
    }

    private static ResizeScenario ParseScenario(string name) => name switch
    {
        "inplace" => ResizeScenario.MapdInPlace,
        "remap" => ResizeScenario.MapdRemap,
        "copy" => ResizeScenario.Copy,
        _ => ResizeScenario.StopTheWorld,
    };

    private static int Count(string name, string value, int least) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= least
            ? number
            : throw new ArgumentException($"{name} takes a whole number of at least {least}, not '{value}'");

    private static long Size(string name, string value)
    {
        try
        {
            return checked((long)ByteSize.Parse(value, name));
        }
        catch (FormatException e)
        {
            throw new ArgumentException(e.Message, e);
        }
    }

    private static string[] List(string name, string value, string[] allowed)
    {
        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return items.Length > 0 && items.All(allowed.Contains)
            ? items
            : throw new ArgumentException($"{name} takes a comma-separated list of {string.Join(", ", allowed)}, not '{value}'");
    }
}
