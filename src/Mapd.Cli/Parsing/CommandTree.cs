using System.CommandLine;
using System.CommandLine.Completions;

namespace Mapd.Cli.Parsing;

/// <summary>
/// mapctl's commands, arguments and options as one System.CommandLine tree. The parser reads
/// command lines with it, and each command's help and the bash, zsh and fish completion scripts
/// are generated from it, so none of them can disagree about what a command takes.
/// </summary>
/// <remarks>
/// Every option is registered twice: on the root as recursive, so that it parses before or after
/// the command as mapctl always allowed (and so that one given to the wrong command can be named
/// in the error rather than taken for an operand), and on each command it applies to, which is
/// what help, completions and <see cref="AppliesTo"/> read. The tree is built once and only read
/// afterwards, so parsing from several threads is safe.
/// </remarks>
internal sealed class CommandTree
{
    private readonly Dictionary<Verb, Command> _commands = [];
    private readonly Dictionary<Command, Verb> _verbs = [];
    private readonly HashSet<Argument> _regionNames = [];

    private CommandTree()
    {
        Root = new RootCommand("mapctl: the operator tool for mapd");

        // System.CommandLine's own --help, --version and [directives] would print its texts and
        // accept syntax mapctl never had; mapctl's are declared below.
        Root.Options.Clear();
        Root.Directives.Clear();
        foreach (var option in AllOptions)
        {
            option.Recursive = true;
            Root.Options.Add(option);
        }

        Mode.CompletionSources.Add("0600", "0640", "0660", "0644", "0666");

        Add(Verb.List, "ls", "List regions in name order: a table, JSON, or names only.", [Json, Names, NoHeaders, Prefix]);
        Add(
            Verb.Create,
            "create",
            "Create a region of SIZE bytes (4096, 64M, 8G...). It outlives mapctl; clients open it by NAME.",
            [Mode, MaxSize],
            Operand("NAME"),
            Operand("SIZE"));
        Add(Verb.Stat, "stat", "Describe a region: sizes, generation, owner, who maps it, any pending shrink.", [Json], ExistingRegion(Operand("NAME")));
        Add(
            Verb.Resize,
            "resize",
            "Grow a region (committed at once) or shrink it (committed once every mapper released the tail).",
            [ExpectGeneration],
            ExistingRegion(Operand("NAME")),
            Operand("SIZE"));
        Add(Verb.Remove, "rm", "Delete a region: the name goes now, the memory once nobody maps it.", [], ExistingRegion(Operand("NAME")));
        Add(Verb.Sessions, "sessions", "List the daemon's client sessions (all of them for root, else yours).", [Json, NoHeaders]);
        Add(
            Verb.Watch,
            "watch",
            "Print region events as they happen, one per line: the current state first, then RESIZED, SHRINK_PENDING, DELETED. No NAME follows every region. Runs until Ctrl-C (exit 0).",
            [Json],
            ExistingRegion(new Argument<string[]>("NAME") { Arity = ArgumentArity.ZeroOrMore }));
        Add(Verb.Status, "status", "Describe the daemon: version, uptime, capacity and use, regions, sessions, pending shrinks, health, storage.", [Json]);
        Add(Verb.Version, "version", "Print mapctl's version.", []);
        var topic = new Argument<string>("COMMAND") { HelpName = "COMMAND", Arity = ArgumentArity.ZeroOrOne };
        Add(Verb.Help, "help", "Print mapctl's help, or one command's.", [], topic);
        var shell = Operand("SHELL");
        shell.CompletionSources.Add([.. Shells]);
        Add(Verb.Completions, "completions", "Print the completion script for bash, zsh or fish, generated from mapctl's commands.", [], shell);
        topic.CompletionSources.Add([.. Commands.Select(c => c.Name)]);
    }

    /// <summary>The shells <c>completions</c> writes scripts for (before <see cref="Instance"/>, which reads them).</summary>
    public static IReadOnlyList<string> Shells { get; } = ["bash", "zsh", "fish"];

    /// <summary>The one tree.</summary>
    public static CommandTree Instance { get; } = new();

    /// <summary>The root: every option (recursive) and every command.</summary>
    public RootCommand Root { get; }

    /// <summary><c>--socket PATH</c>, accepted with every command.</summary>
    public Option<string> Socket { get; } = Value("--socket", "PATH", "the daemon's socket directory, or its mapd.sock; default $MAPD_SOCKET_DIR, else your own daemon's directory when one serves there, else /run/mapd");

    /// <summary><c>-h</c>, <c>--help</c>, accepted with every command.</summary>
    public Option<bool> Help { get; } = Flag("--help", "print this help", "-h");

    /// <summary><c>--version</c>, accepted with every command.</summary>
    public Option<bool> Version { get; } = Flag("--version", "print mapctl's version");

    /// <summary><c>--json</c>.</summary>
    public Option<bool> Json { get; } = Flag("--json", "print snake_case JSON with the proto's field names (watch: one object per line)");

    /// <summary><c>--names</c>.</summary>
    public Option<bool> Names { get; } = Flag("--names", "print region names only, one per line");

    /// <summary><c>--no-headers</c>.</summary>
    public Option<bool> NoHeaders { get; } = Flag("--no-headers", "print the table's rows without its header line");

    /// <summary><c>--prefix P</c>.</summary>
    public Option<string> Prefix { get; } = Value("--prefix", "P", "only regions whose names start with P");

    /// <summary><c>--mode MODE</c>.</summary>
    public Option<string> Mode { get; } = Value("--mode", "MODE", "permission bits in octal, as chmod takes them; default 0600");

    /// <summary><c>--max-size SIZE</c>.</summary>
    public Option<string> MaxSize { get; } = Value("--max-size", "SIZE", "the largest size the region may grow to: mappers reserve that much address space and grow in place");

    /// <summary><c>--expect-generation N</c>.</summary>
    public Option<string> ExpectGeneration { get; } = Value("--expect-generation", "N", "resize only if the region is still at generation N (as 'mapctl stat' shows it)");

    /// <summary>The options every command accepts.</summary>
    public IReadOnlyList<Option> Global => [Socket, Help, Version];

    /// <summary>Every option, global ones first.</summary>
    public IReadOnlyList<Option> AllOptions => [Socket, Help, Version, Json, Names, NoHeaders, Prefix, Mode, MaxSize, ExpectGeneration];

    /// <summary>The commands in the order help lists them.</summary>
    public IEnumerable<Command> Commands => Root.Subcommands;

    /// <summary>The command of <paramref name="verb"/>.</summary>
    public Command CommandOf(Verb verb) => _commands[verb];

    /// <summary>The verb of <paramref name="command"/>; null for the root.</summary>
    public Verb? VerbOf(Command command) => _verbs.TryGetValue(command, out var verb) ? verb : null;

    /// <summary>The verb named <paramref name="name"/> as typed (<c>ls</c>, <c>rm</c>...); null when there is none.</summary>
    public Verb? VerbNamed(string name) => Commands.FirstOrDefault(c => c.Name == name) is { } command ? _verbs[command] : null;

    /// <summary>True when <paramref name="option"/> means something to <paramref name="verb"/>.</summary>
    public bool AppliesTo(Option option, Verb verb) => Global.Contains(option) || _commands[verb].Options.Contains(option);

    /// <summary>The option spelled <paramref name="name"/> (<c>--json</c>, <c>-h</c>); null when mapctl has none.</summary>
    public Option? OptionNamed(string name) => AllOptions.FirstOrDefault(o => o.Name == name || o.Aliases.Contains(name));

    /// <summary>True when <paramref name="option"/> takes a value (<c>--socket PATH</c>), false for a flag.</summary>
    public static bool TakesValue(Option option) => option.Arity.MaximumNumberOfValues > 0;

    /// <summary>True when <paramref name="argument"/> names regions that exist, which completion offers from <c>mapctl ls --names</c>.</summary>
    public bool IsExistingRegion(Argument argument) => _regionNames.Contains(argument);

    /// <summary>The fixed values completion offers for <paramref name="symbol"/> (<c>--mode</c>, SHELL, COMMAND); empty when none.</summary>
    public static IReadOnlyList<string> ChoicesOf(Symbol symbol) =>
        [.. symbol.GetCompletions(CompletionContext.Empty).Select(c => c.Label)];

    private static Option<string> Value(string name, string valueName, string description) =>
        new(name) { HelpName = valueName, Description = description, Arity = ArgumentArity.ExactlyOne };

    private static Option<bool> Flag(string name, string description, params string[] aliases) =>
        new(name, aliases) { Description = description, Arity = ArgumentArity.Zero };

    private static Argument<string> Operand(string name) => new(name) { HelpName = name };

    private Argument ExistingRegion(Argument argument)
    {
        _regionNames.Add(argument);
        return argument;
    }

    private void Add(Verb verb, string name, string description, Option[] options, params Argument[] arguments)
    {
        var command = new Command(name, description);
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        foreach (var argument in arguments)
        {
            command.Arguments.Add(argument);
        }

        Root.Subcommands.Add(command);
        _commands[verb] = command;
        _verbs[command] = verb;
    }
}
