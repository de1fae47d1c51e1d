namespace Mapd.Cli.Tests;

/// <summary>The committed scripts are the generated ones, and the generated ones cover the command tree.</summary>
public class CompletionScriptsTests
{
    public static TheoryData<string> Shells => [.. CommandTree.Shells];

    [Theory]
    [MemberData(nameof(Shells))]
    public void The_committed_script_is_what_mapctl_generates(string shell)
    {
        var committed = File.ReadAllText(StubMapctl.Script(shell));

        Assert.True(
            committed == CompletionScripts.Of(shell),
            $"src/Mapd.Cli/completions/{CompletionScripts.FileName(shell)} is stale: regenerate it with `mapctl completions {shell} > src/Mapd.Cli/completions/{CompletionScripts.FileName(shell)}`");
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public void Every_command_and_option_appears_in_every_script(string shell)
    {
        var script = CompletionScripts.Of(shell);
        var tree = CommandTree.Instance;

        foreach (var command in tree.Commands)
        {
            Assert.Contains(command.Name, script, StringComparison.Ordinal);
        }

        foreach (var option in tree.AllOptions)
        {
            Assert.Contains(shell == "fish" ? "-l " + option.Name[2..] : option.Name, script, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_model_says_which_operands_name_existing_regions()
    {
        var model = CompletionModel.Of(CommandTree.Instance);
        ValueKind[] KindsOf(string command) => [.. model.Commands.Single(c => c.Name == command).Operands.Select(o => o.Kind)];

        Assert.Equal([ValueKind.Regions], KindsOf("stat"));
        Assert.Equal([ValueKind.Regions, ValueKind.None], KindsOf("resize"));
        Assert.Equal([ValueKind.None, ValueKind.None], KindsOf("create"));
        Assert.Equal([ValueKind.Regions], KindsOf("watch"));
        Assert.True(model.Commands.Single(c => c.Name == "watch").LastRepeats);
        Assert.Equal([ValueKind.Choices], KindsOf("completions"));
        Assert.Equal(["bash", "fish", "zsh"], model.Commands.Single(c => c.Name == "completions").Operands[0].Choices);
        Assert.Equal(ValueKind.Path, model.ValueOptions.Single(o => o.Name == "--socket").Value!.Kind);
    }
}
