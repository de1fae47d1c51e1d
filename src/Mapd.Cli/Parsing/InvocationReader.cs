using System.CommandLine;
using System.CommandLine.Parsing;

namespace Mapd.Cli.Parsing;

/// <summary>
/// Turns System.CommandLine's parse of a line into an <see cref="Invocation"/>. Its errors are
/// not printed as it words them: each is worded here as mapctl always did, with the synopsis of
/// the command concerned, and checked in mapctl's order (help and version win over the rest of
/// the line, then the command, then options that do not apply to it, then operands, then values).
/// </summary>
internal static class InvocationReader
{
    /// <summary>Reads <paramref name="parse"/>.</summary>
    /// <exception cref="UsageException">The line is wrong.</exception>
    public static Invocation Read(ParseResult parse, CommandTree tree)
    {
        var verb = tree.VerbOf(parse.CommandResult.Command);
        var stray = StrayBeforeCommand(parse, tree);

        // Help and version win over whatever else is on the line, as in most tools: someone
        // who adds --help to a half-written command wants the help, not an error about it.
        if (Given(parse, tree.Help) || (verb == Verb.Help && stray is null))
        {
            return new Invocation(Verb.Help, Topic: verb == Verb.Help ? TopicOf(parse, tree) : verb);
        }

        if (Given(parse, tree.Version))
        {
            return new Invocation(Verb.Version);
        }

        if (stray is not null)
        {
            throw UsageException.For(null, $"unknown command '{stray}'");
        }

        if (verb is not { } command)
        {
            throw UsageException.For(null, "no command given");
        }

        return Build(parse, tree, command);
    }

    private static Invocation Build(ParseResult parse, CommandTree tree, Verb verb)
    {
        foreach (var option in (Option[])[tree.Json, tree.Names, tree.Mode, tree.MaxSize, tree.ExpectGeneration, tree.NoHeaders, tree.Prefix])
        {
            if (Given(parse, option) && !tree.AppliesTo(option, verb))
            {
                throw UsageException.For(verb, $"{option.Name} does not apply to {CommandLine.NameOf(verb)}");
            }
        }

        Exclusive(parse, verb, tree.Json, tree.Names);
        Exclusive(parse, verb, tree.Json, tree.NoHeaders);
        var socket = ValueOf(parse, tree.Socket, verb) switch
        {
            null => null,
            "" => throw UsageException.For(verb, "--socket needs a path"),
            var path => CommandLine.SocketDirectoryOf(path),
        };
        var operands = Operands(parse, tree, verb);
        var invocation = new Invocation(
            verb,
            socket,
            Format: Given(parse, tree.Json) ? OutputFormat.Json : Given(parse, tree.Names) ? OutputFormat.Names : OutputFormat.Human,
            NoHeaders: Given(parse, tree.NoHeaders));
        return verb switch
        {
            Verb.List => invocation with { Prefix = OperandValues.Prefix(ValueOf(parse, tree.Prefix, verb)) },

            // Any number of names; a name given twice is still one region to follow.
            Verb.Watch => invocation with { Names = [.. operands.Select(n => OperandValues.RegionName(verb, n)).Distinct(StringComparer.Ordinal)] },
            Verb.Stat or Verb.Remove => invocation with { Name = OperandValues.RegionName(verb, operands[0]) },
            Verb.Resize => invocation with
            {
                Name = OperandValues.RegionName(verb, operands[0]),
                Size = OperandValues.Size(verb, operands[1], "SIZE"),
                ExpectedGeneration = OperandValues.Generation(ValueOf(parse, tree.ExpectGeneration, verb)),
            },
            Verb.Create => Create(parse, tree, invocation, operands),
            Verb.Completions => new Invocation(verb, Shell: OperandValues.Shell(operands[0])),
            Verb.Version => new Invocation(verb),
            _ => invocation,
        };
    }

    private static Invocation Create(ParseResult parse, CommandTree tree, Invocation invocation, IReadOnlyList<string> operands)
    {
        var name = OperandValues.RegionName(Verb.Create, operands[0]);
        var size = OperandValues.Size(Verb.Create, operands[1], "SIZE");
        return invocation with
        {
            Name = name,
            Size = size,
            Mode = OperandValues.Mode(ValueOf(parse, tree.Mode, Verb.Create)),
            MaxSize = OperandValues.MaxSize(ValueOf(parse, tree.MaxSize, Verb.Create), size),
        };
    }

    /// <summary>The operands, once there are as many as the command takes: "create needs SIZE", "rm takes NAME; unexpected 'b'".</summary>
    private static IReadOnlyList<string> Operands(ParseResult parse, CommandTree tree, Verb verb)
    {
        var arguments = tree.CommandOf(verb).Arguments;
        var missing = arguments
            .Where(a => (parse.GetResult(a)?.Tokens.Count ?? 0) < a.Arity.MinimumNumberOfValues)
            .Select(a => a.HelpName ?? a.Name)
            .ToList();
        var name = CommandLine.NameOf(verb);
        if (missing.Count > 0)
        {
            throw UsageException.For(verb, $"{name} needs {string.Join(" and ", missing)}");
        }

        if (parse.UnmatchedTokens.Count > 0)
        {
            var takes = arguments.Count == 0 ? "no arguments" : string.Join(" ", arguments.Select(a => a.HelpName ?? a.Name));
            throw UsageException.For(verb, $"{name} takes {takes}; unexpected '{parse.UnmatchedTokens[0]}'");
        }

        // Nothing above explains it: say what System.CommandLine said rather than run half a command.
        if (parse.Errors.Count > 0)
        {
            throw UsageException.For(verb, parse.Errors[0].Message);
        }

        return [.. arguments.SelectMany(a => parse.GetResult(a)?.Tokens ?? []).Select(t => t.Value)];
    }

    private static void Exclusive(ParseResult parse, Verb verb, Option first, Option second)
    {
        if (Given(parse, first) && Given(parse, second))
        {
            throw UsageException.For(verb, $"{first.Name} and {second.Name} exclude each other");
        }
    }

    /// <summary>True when the line names <paramref name="option"/>, before or after the command.</summary>
    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option)?.IdentifierToken is not null;

    /// <summary>
    /// The value of a value option, null when not given. <see cref="OptionScanner"/> gave each a
    /// word; only <c>--</c> as that word is left without one, since System.CommandLine reads it
    /// as the end of options.
    /// </summary>
    private static string? ValueOf(ParseResult parse, Option<string> option, Verb verb) =>
        parse.GetResult(option) switch
        {
            null or { IdentifierToken: null } => null,
            { Tokens: [var value] } => value.Value,
            _ => throw UsageException.For(verb, $"{option.Name} needs a value"),
        };

    /// <summary>The command <c>help COMMAND</c> asks about; null (mapctl's whole help) when none or not a command.</summary>
    private static Verb? TopicOf(ParseResult parse, CommandTree tree) =>
        tree.CommandOf(Verb.Help).Arguments[0] is Argument<string> topic && parse.GetValue(topic) is { } name ? tree.VerbNamed(name) : null;

    /// <summary>
    /// The first word that is neither an option, an option's value nor the command, when it
    /// comes before the command (or there is none): mapctl reads it as a command it does not know.
    /// </summary>
    private static string? StrayBeforeCommand(ParseResult parse, CommandTree tree)
    {
        var values = tree.AllOptions.SelectMany(o => parse.GetResult(o)?.Tokens ?? []).ToHashSet();
        foreach (var token in parse.Tokens)
        {
            switch (token.Type)
            {
                case TokenType.Command:
                    return null;
                case TokenType.Argument or TokenType.Directive when !values.Contains(token):
                    return token.Value;
            }
        }

        return null;
    }
}
