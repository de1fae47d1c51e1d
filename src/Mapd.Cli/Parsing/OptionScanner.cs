using System.CommandLine;

namespace Mapd.Cli.Parsing;

/// <summary>
/// The one part of reading a command line that mapctl does before System.CommandLine: the
/// options' spelling. It refuses what mapctl always refused and System.CommandLine would take
/// otherwise, and rewrites <c>--option=VALUE</c> as two words.
/// </summary>
/// <remarks>
/// Left to itself, System.CommandLine would read an unknown <c>-x</c> as an operand (a region
/// named <c>-x</c>), <c>--json=yes</c> as <c>--json yes</c>, and drop the empty value of
/// <c>--mode=</c> so that the next word became the mode. Problems are reported in the order they
/// appear on the line, as mapctl always did.
/// </remarks>
internal static class OptionScanner
{
    /// <summary>The words for System.CommandLine: <paramref name="args"/>, each value option followed by its value as a word of its own.</summary>
    /// <exception cref="UsageException">An unknown option, a flag given a value, a value option without one, or one given twice.</exception>
    public static IReadOnlyList<string> Scan(IReadOnlyList<string> args, CommandTree tree)
    {
        var words = new List<string>(args.Count + 1);
        var seen = new HashSet<Option>();
        var operands = 0;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                // Everything after -- is an operand, however it looks. The first operand is the
                // command even there (mapctl -- rm -x), which System.CommandLine would not see
                // after --: it goes before it.
                if (operands == 0 && i + 1 < args.Count)
                {
                    words.Add(args[++i]);
                }

                words.Add("--");
                words.AddRange(args.Skip(i + 1));
                break;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                words.Add(arg);
                operands++;
                continue;
            }

            var equals = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=', StringComparison.Ordinal) : -1;
            var name = equals < 0 ? arg : arg[..equals];
            var option = tree.OptionNamed(name) ?? throw UsageException.For(null, $"unknown option '{name}'");
            words.Add(name);
            if (!CommandTree.TakesValue(option))
            {
                if (equals >= 0)
                {
                    throw UsageException.For(null, $"{name} takes no value");
                }

                continue;
            }

            // The value is the next word whatever it looks like, as in getopt: --socket --odd-dir works.
            words.Add(equals >= 0 ? arg[(equals + 1)..]
                : i + 1 < args.Count ? args[++i]
                : throw UsageException.For(null, $"{name} needs a value"));
            if (!seen.Add(option))
            {
                throw UsageException.For(OnlyVerbOf(option, tree), $"{name} given twice");
            }
        }

        return words;
    }

    /// <summary>The one command <paramref name="option"/> belongs to, whose synopsis the error shows; null for global options.</summary>
    private static Verb? OnlyVerbOf(Option option, CommandTree tree) =>
        tree.Commands.Where(c => c.Options.Contains(option)).ToList() is [var only] ? tree.VerbOf(only) : null;
}
