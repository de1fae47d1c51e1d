namespace Mapd.Cli.Tests;

public class CommandHelpTests
{
    [Fact]
    public void A_commands_help_has_its_synopsis_description_and_options()
    {
        var help = CommandHelp.Of(Verb.List, CommandTree.Instance);

        Assert.StartsWith($"usage: {Usage.Of(Verb.List)}\n\nList regions in name order", help, StringComparison.Ordinal);
        foreach (var option in new[] { "--json", "--names", "--no-headers", "--prefix P", "--socket PATH", "-h, --help" })
        {
            Assert.Contains($"\n  {option} ", help, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("--mode", help, StringComparison.Ordinal);
        Assert.EndsWith("\n", help, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_command_has_help_within_100_columns()
    {
        foreach (var verb in Enum.GetValues<Verb>())
        {
            var help = CommandHelp.Of(verb, CommandTree.Instance);

            Assert.StartsWith($"usage: {Usage.Of(verb)}\n", help, StringComparison.Ordinal);
            Assert.All(help.Split('\n'), line => Assert.True(line.Length <= 100 || line.StartsWith("usage: ", StringComparison.Ordinal), line));
            Assert.All(help.Split('\n'), line => Assert.Equal(line.TrimEnd(), line));
        }
    }

    [Fact]
    public void Commands_that_never_reach_the_daemon_do_not_offer_socket()
    {
        Assert.DoesNotContain("--socket", CommandHelp.Of(Verb.Version, CommandTree.Instance), StringComparison.Ordinal);
        Assert.DoesNotContain("--socket", CommandHelp.Of(Verb.Completions, CommandTree.Instance), StringComparison.Ordinal);
        Assert.Contains("--socket PATH", CommandHelp.Of(Verb.Status, CommandTree.Instance), StringComparison.Ordinal);
    }
}
