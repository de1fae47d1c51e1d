namespace Mapd.Cli.Tests;

/// <summary>The fish completion script, asked by fish itself (<c>complete -C</c>), with a stand-in mapctl first on PATH.</summary>
public sealed class FishCompletionTests : IDisposable
{
    private readonly StubMapctl _stub = new();

    public void Dispose() => _stub.Dispose();

    /// <summary>The candidates fish offers for <paramref name="line"/> (the cursor at its end), without their descriptions.</summary>
    private async Task<string[]> Complete(string line)
    {
        var output = await _stub.RunAsync(
            "fish",
            "--no-config",
            "-c",
            $"source {StubMapctl.Quote(StubMapctl.Script("fish"))}; complete -C {StubMapctl.Quote(line)}");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0]).Order(StringComparer.Ordinal)];
    }

    [RequiresToolsFact("fish")]
    public async Task Commands_and_each_commands_options()
    {
        Assert.Equal(["completions", "create", "help", "ls", "resize", "rm", "sessions", "stat", "status", "version", "watch"], await Complete("mapctl "));
        Assert.Equal(["--help", "--json", "--names", "--no-headers", "--prefix", "--socket"], await Complete("mapctl ls --"));
        Assert.Equal(["--help", "--json", "--no-headers", "--socket"], await Complete("mapctl sessions --"));
    }

    [RequiresToolsFact("fish")]
    public async Task Region_names_for_the_operands_that_name_regions_asked_of_the_named_socket()
    {
        Assert.Equal(["alpha", "beta", "orders"], await Complete("mapctl stat "));
        Assert.Equal(["orders"], await Complete("mapctl --socket /run/x resize o"));
        Assert.Empty(await Complete("mapctl resize orders "));
        Assert.Equal(["alpha", "beta", "orders"], await Complete("mapctl watch alpha "));
        Assert.Equal(["orders"], await Complete("mapctl --socket=/run/y rm or"));
        Assert.Equal(["ls --names", "--socket /run/x ls --names", "ls --names", "--socket /run/y ls --names"], _stub.Calls);
    }

    [RequiresToolsFact("fish")]
    public async Task Option_values()
    {
        Assert.Equal(["0640", "0644"], await Complete("mapctl create --mode 064"));
        Assert.Empty(await Complete("mapctl resize --expect-generation "));
        Assert.Equal(["beta"], await Complete("mapctl resize --expect-generation 3 b"));
        Assert.Equal(["bash", "fish", "zsh"], await Complete("mapctl completions "));
    }
}
