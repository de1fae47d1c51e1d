using System.Globalization;

namespace Mapd.Bench;

/// <summary>Command-line options of the <c>open</c> benchmark.</summary>
internal sealed record BenchArguments
{
    /// <summary>Measured time in total, split over rounds and scenarios.</summary>
    public TimeSpan Measure { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>Concurrent callers for the throughput columns.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>How many times each scenario runs, interleaved with the others.</summary>
    public int Rounds { get; init; } = 5;

    /// <summary>Untimed warm-up before the rounds.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Runs only the scenarios whose name contains this, or one of several comma-separated texts (to profile one); null runs all.</summary>
    public string? Only { get; init; }

    /// <summary>
    /// Experiment: a second raw session that does not answer FD messages with TAKEN runs next to
    /// the one that does, to show what the per-fd TAKEN costs.
    /// </summary>
    public bool TakenExperiment { get; init; }

    /// <summary>The daemon's <c>mapd.dll</c>; null finds it in this repository.</summary>
    public string? DaemonPath { get; init; }

    public static BenchArguments Parse(ReadOnlySpan<string> args)
    {
        var result = new BenchArguments();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name == "--taken-experiment")
            {
                result = result with { TakenExperiment = true };
                continue;
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value");
            }

            var value = args[++i];
            result = name switch
            {
                "--seconds" => result with { Measure = TimeSpan.FromSeconds(Positive(name, value)) },
                "--concurrency" => result with { Concurrency = (int)Positive(name, value) },
                "--rounds" => result with { Rounds = (int)Positive(name, value) },
                "--warmup" => result with { Warmup = TimeSpan.FromSeconds(Positive(name, value)) },
                "--daemon" => result with { DaemonPath = value },
                "--only" => result with { Only = value },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }

        return result;
    }

    private static double Positive(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"{name} takes a positive number, not '{value}'");
}
