namespace Mapd.Cli.Tests;

/// <summary>The command line of what issue 10 added: status, per-command help, completions, --no-headers, ls --prefix.</summary>
public class OperatorCommandLineTests
{
    private static Invocation Parse(params string[] args) => CommandLine.Parse(args);

    private static string UsageError(params string[] args) => Assert.Throws<UsageException>(() => CommandLine.Parse(args)).Message;

    [Fact]
    public void Status_parses_with_or_without_json()
    {
        Assert.Equal(new Invocation(Verb.Status), Parse("status"));
        Assert.Equal(new Invocation(Verb.Status, SocketDirectory: "/s", Format: OutputFormat.Json), Parse("status", "--socket=/s", "--json"));
        Assert.StartsWith("status takes no arguments; unexpected 'x'", UsageError("status", "x"), StringComparison.Ordinal);
        Assert.StartsWith("--names does not apply to status", UsageError("status", "--names"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("help ls", nameof(Verb.List))]
    [InlineData("ls --help", nameof(Verb.List))]
    [InlineData("--help ls", nameof(Verb.List))]
    [InlineData("rm x y -h", nameof(Verb.Remove))]
    [InlineData("help status", nameof(Verb.Status))]
    [InlineData("help help", nameof(Verb.Help))]
    [InlineData("help completions", nameof(Verb.Completions))]
    [InlineData("--socket /s help watch extra", nameof(Verb.Watch))]
    [InlineData("help ls --help", nameof(Verb.List))]
    public void Help_names_the_command_it_is_about(string line, string topic)
    {
        Assert.Equal(new Invocation(Verb.Help, Topic: Enum.Parse<Verb>(topic)), Parse(line.Split(' ')));
    }

    [Theory]
    [InlineData("help")]
    [InlineData("--help")]
    [InlineData("help frobnicate")]
    [InlineData("frobnicate --help")]
    public void Help_without_a_known_command_is_mapctls_whole_help(string line)
    {
        Assert.Equal(new Invocation(Verb.Help), Parse(line.Split(' ')));
    }

    [Fact]
    public void A_stray_word_before_help_is_still_an_unknown_command()
    {
        Assert.StartsWith("unknown command 'frob'", UsageError("frob", "help"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("zsh")]
    [InlineData("fish")]
    public void Completions_takes_a_shell(string shell)
    {
        Assert.Equal(new Invocation(Verb.Completions, Shell: shell), Parse("completions", shell));
    }

    [Fact]
    public void Completions_refuses_other_shells_and_needs_one()
    {
        Assert.Equal("mapctl has no completions for 'ksh'; give bash, zsh or fish (usage: mapctl completions bash|zsh|fish)", UsageError("completions", "ksh"));
        Assert.StartsWith("completions needs SHELL", UsageError("completions"), StringComparison.Ordinal);
        Assert.StartsWith("completions takes SHELL; unexpected 'zsh'", UsageError("completions", "bash", "zsh"), StringComparison.Ordinal);
    }

    [Fact]
    public void No_headers_applies_to_the_tables()
    {
        Assert.Equal(new Invocation(Verb.List, NoHeaders: true), Parse("ls", "--no-headers"));
        Assert.Equal(new Invocation(Verb.Sessions, NoHeaders: true), Parse("--no-headers", "sessions"));
        Assert.Equal(new Invocation(Verb.List, Format: OutputFormat.Names, NoHeaders: true), Parse("ls", "--names", "--no-headers"));
        Assert.StartsWith("--no-headers does not apply to stat", UsageError("stat", "x", "--no-headers"), StringComparison.Ordinal);
        Assert.StartsWith("--no-headers does not apply to status", UsageError("status", "--no-headers"), StringComparison.Ordinal);
        Assert.StartsWith("--json and --no-headers exclude each other", UsageError("ls", "--json", "--no-headers"), StringComparison.Ordinal);
        Assert.StartsWith("--no-headers takes no value", UsageError("ls", "--no-headers=1"), StringComparison.Ordinal);
    }

    [Fact]
    public void Ls_takes_a_name_prefix()
    {
        Assert.Equal(new Invocation(Verb.List, Prefix: "ord"), Parse("ls", "--prefix", "ord"));
        Assert.Equal("ord", Parse("--prefix=ord", "ls", "--json").Prefix);
        Assert.Equal("", Parse("ls", "--prefix=").Prefix);
        Assert.Equal("ls", Parse("ls", "--prefix", "ls").Prefix);
        Assert.StartsWith("prefix: region name '.o' starts with '.'", UsageError("ls", "--prefix", ".o"), StringComparison.Ordinal);
        Assert.StartsWith("--prefix does not apply to watch", UsageError("watch", "--prefix", "o"), StringComparison.Ordinal);
        Assert.StartsWith("--prefix given twice (usage: mapctl [--socket PATH] ls ", UsageError("ls", "--prefix", "a", "--prefix", "b"), StringComparison.Ordinal);
        Assert.StartsWith("--prefix needs a value", UsageError("ls", "--prefix"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("@file ls", "unknown command '@file'")]
    [InlineData("[diagram] ls", "unknown command '[diagram]'")]
    [InlineData("ls -abc", "unknown option '-abc'")]
    [InlineData("ls /?", "ls takes no arguments; unexpected '/?'")]
    [InlineData("ls --json true", "ls takes no arguments; unexpected 'true'")]
    [InlineData("--mode 1 create a 1M --mode 2", "--mode given twice")]
    [InlineData("--bogus --json=1 ls", "unknown option '--bogus'")]
    [InlineData("ls --socket -- ", "--socket needs a value")]
    public void System_CommandLine_extensions_mapctl_never_had_are_refused(string line, string problem)
    {
        Assert.StartsWith(problem, UsageError(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_double_dash_before_the_command_still_leaves_it_the_command()
    {
        Assert.Equal(new Invocation(Verb.Remove, Name: "-x"), Parse("--", "rm", "-x"));
        Assert.Equal(new Invocation(Verb.List), Parse("--", "ls"));
        Assert.Equal(new Invocation(Verb.Remove, SocketDirectory: "/s", Name: "-x"), Parse("--socket", "/s", "--", "rm", "-x"));
        Assert.StartsWith("no command given", UsageError("--"), StringComparison.Ordinal);
        Assert.StartsWith("unknown command '-x'", UsageError("--", "-x"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_option_takes_the_next_word_whatever_it_looks_like()
    {
        Assert.Equal(CommandLine.SocketDirectoryOf("--json"), Parse("--socket", "--json", "ls").SocketDirectory);
        Assert.Equal("ls", Parse("ls", "--prefix", "ls").Prefix);
        Assert.StartsWith("no command given", UsageError("--socket", "ls"), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_option_of_the_tree_is_in_the_whole_help_and_in_its_commands_synopsis()
    {
        var tree = CommandTree.Instance;
        foreach (var option in tree.AllOptions)
        {
            Assert.Contains(option.Name, Usage.Help, StringComparison.Ordinal);
        }

        foreach (var command in tree.Commands)
        {
            var verb = tree.VerbOf(command)!.Value;
            foreach (var option in command.Options)
            {
                Assert.Contains(option.Name, Usage.Of(verb), StringComparison.Ordinal);
            }
        }
    }
}
