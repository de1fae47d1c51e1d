using System.CommandLine;
using Mapd.Cli.Parsing;

namespace Mapd.Cli.Completions;

/// <summary>What a shell may offer for a word.</summary>
internal enum ValueKind
{
    /// <summary>Nothing: a size, a generation, a new region's name.</summary>
    None,

    /// <summary>Files and directories (<c>--socket</c>).</summary>
    Path,

    /// <summary>Names of regions that exist, from <c>mapctl ls --names</c>.</summary>
    Regions,

    /// <summary>A fixed list (<c>--mode</c>, the shells, the commands).</summary>
    Choices,
}

/// <summary>What completion offers for one operand or option value.</summary>
/// <param name="Kind">The kind of word.</param>
/// <param name="Choices">The words for <see cref="ValueKind.Choices"/>; empty otherwise.</param>
internal sealed record ValueCompletion(ValueKind Kind, IReadOnlyList<string> Choices)
{
    /// <summary>Nothing to offer.</summary>
    public static ValueCompletion Nothing { get; } = new(ValueKind.None, []);
}

/// <summary>An option as the completion scripts need it.</summary>
/// <param name="Name">The long name, <c>--json</c>.</param>
/// <param name="Short">The one-letter alias without its dash (<c>h</c>), or empty.</param>
/// <param name="Description">A few words for shells that show them (zsh, fish).</param>
/// <param name="Value">What its value completes to; null for a flag.</param>
internal sealed record OptionCompletion(string Name, string Short, string Description, ValueCompletion? Value);

/// <summary>A command as the completion scripts need it.</summary>
/// <param name="Name">The command word.</param>
/// <param name="Description">A few words for shells that show them.</param>
/// <param name="Options">Its options, global ones first (mapctl's root offers <c>--version</c> too).</param>
/// <param name="Operands">What each operand completes to, in order.</param>
/// <param name="LastRepeats">True when the last operand may be given any number of times (<c>watch NAME...</c>).</param>
internal sealed record CommandCompletion(string Name, string Description, IReadOnlyList<OptionCompletion> Options, IReadOnlyList<ValueCompletion> Operands, bool LastRepeats);

/// <summary>
/// <see cref="CommandTree"/> reduced to what the bash, zsh and fish scripts are generated from:
/// commands, the options each accepts, and what each operand and option value completes to.
/// </summary>
/// <param name="Top">What completes before the command: the global options and <c>--version</c>.</param>
/// <param name="Commands">Every command, in help's order.</param>
/// <param name="ValueOptions">Every option that takes a value, which the scripts skip with its value while counting operands.</param>
internal sealed record CompletionModel(IReadOnlyList<OptionCompletion> Top, IReadOnlyList<CommandCompletion> Commands, IReadOnlyList<OptionCompletion> ValueOptions)
{
    // Where a clause ends; a dot inside a word (mapd.sock) does not end one.
    private static readonly string[] ClauseEnds = [". ", ": ", "; ", " ("];

    /// <summary>The model of <paramref name="tree"/>.</summary>
    public static CompletionModel Of(CommandTree tree)
    {
        OptionCompletion Describe(Option option) => new(
            option.Name,
            option.Aliases.FirstOrDefault(a => a.Length == 2)?[1..] ?? "",
            Summary(option.Description),
            CommandTree.TakesValue(option) ? ValueOf(tree, option) : null);

        var global = new Option[] { tree.Socket, tree.Help }.Select(Describe).ToList();
        var commands = tree.Commands.Select(command => new CommandCompletion(
            command.Name,
            Summary(command.Description),
            [.. global, .. command.Options.Select(Describe)],
            [.. command.Arguments.Select(a => ValueOf(tree, a))],
            command.Arguments.Count > 0 && command.Arguments[^1].Arity.MaximumNumberOfValues > 1));
        return new CompletionModel(
            [.. global, Describe(tree.Version)],
            [.. commands],
            [.. tree.AllOptions.Where(CommandTree.TakesValue).Select(Describe)]);
    }

    private static ValueCompletion ValueOf(CommandTree tree, Symbol symbol)
    {
        if (symbol == tree.Socket)
        {
            return new ValueCompletion(ValueKind.Path, []);
        }

        if (symbol == tree.Prefix || (symbol is Argument argument && tree.IsExistingRegion(argument)))
        {
            return new ValueCompletion(ValueKind.Regions, []);
        }

        var choices = CommandTree.ChoicesOf(symbol);
        return choices.Count > 0 ? new ValueCompletion(ValueKind.Choices, choices) : ValueCompletion.Nothing;
    }

    /// <summary>A description's first clause: "List regions in name order: a table..." is "List regions in name order".</summary>
    private static string Summary(string? description)
    {
        var text = (description ?? "").TrimEnd('.');
        var end = ClauseEnds.Select(e => text.IndexOf(e, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(text.Length).Min();
        return text[..end].Trim();
    }
}
