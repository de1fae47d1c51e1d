using System.CommandLine;
using System.Text;

namespace Mapd.Cli.Parsing;

/// <summary>
/// What <c>mapctl help COMMAND</c> and <c>mapctl COMMAND --help</c> print: the command's synopsis,
/// its description and its options, read from <see cref="CommandTree"/>.
/// </summary>
internal static class CommandHelp
{
    private const int Width = 100;

    /// <summary>The help of <paramref name="verb"/>, ending in a newline.</summary>
    public static string Of(Verb verb, CommandTree tree)
    {
        var command = tree.CommandOf(verb);
        var synopsis = Usage.Of(verb);
        var options = command.Options
            .Concat(synopsis.Contains("--socket", StringComparison.Ordinal) ? [tree.Socket] : [])
            .Append(tree.Help)
            .Select(o => (Label: Label(o), Text: o.Description ?? ""))
            .ToList();
        var labelWidth = options.Max(o => o.Label.Length) + 2;
        var text = new StringBuilder()
            .Append("usage: ").Append(synopsis).Append("\n\n");
        Wrap(text, command.Description ?? "", 0, 0);
        text.Append("\noptions:\n");
        foreach (var (label, description) in options)
        {
            text.Append("  ").Append(label.PadRight(labelWidth));
            Wrap(text, description, 2 + labelWidth, 2 + labelWidth);
        }

        return text.ToString();
    }

    /// <summary><c>--prefix P</c>, <c>-h, --help</c>.</summary>
    private static string Label(Option option)
    {
        var names = string.Join(", ", option.Aliases.Order(StringComparer.Ordinal).Append(option.Name));
        return CommandTree.TakesValue(option) ? $"{names} {option.HelpName}" : names;
    }

    /// <summary>Appends <paramref name="words"/> in lines of at most <see cref="Width"/> columns, the first starting at <paramref name="column"/>.</summary>
    private static void Wrap(StringBuilder text, string words, int column, int indent)
    {
        foreach (var word in words.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (column > indent && column + 1 + word.Length > Width)
            {
                text.Append('\n').Append(' ', indent);
                column = indent;
            }
            else if (column > indent)
            {
                text.Append(' ');
                column++;
            }

            text.Append(word);
            column += word.Length;
        }

        text.Append('\n');
    }
}
