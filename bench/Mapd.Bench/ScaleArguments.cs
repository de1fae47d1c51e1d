using System.Globalization;

namespace Mapd.Bench;

/// <summary>Command-line options of the <c>scale</c> benchmark.</summary>
internal sealed record ScaleArguments
{
    /// <summary>Regions the daemon serves.</summary>
    public int Regions { get; init; } = 10_000;

    /// <summary>Watch streams on other regions in the watched phases of the resize scenario.</summary>
    public int Watchers { get; init; } = 5_000;

    /// <summary>Measured time of each phase of each round.</summary>
    public TimeSpan Phase { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Rounds; each runs every phase once, so quiet and loaded phases alternate.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>The daemon's <c>mapd.dll</c>; null takes this repository's Release build.</summary>
    public string? DaemonPath { get; init; }

    public static ScaleArguments Parse(ReadOnlySpan<string> args)
    {
        var result = new ScaleArguments();
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
                "--regions" => result with { Regions = (int)Positive(name, value) },
                "--watchers" => result with { Watchers = (int)Positive(name, value) },
                "--phase-seconds" => result with { Phase = TimeSpan.FromSeconds(Positive(name, value)) },
                "--rounds" => result with { Rounds = (int)Positive(name, value) },
                "--daemon" => result with { DaemonPath = value },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }

        return result.Watchers >= result.Regions
            ? throw new ArgumentException($"--watchers ({result.Watchers}) must be below --regions ({result.Regions}): each watches another region than the one resized")
            : result;
    }

    private static double Positive(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"{name} takes a positive number, not '{value}'");
}
