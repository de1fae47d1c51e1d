namespace Mapd.Cli.Tests;

/// <summary>
/// The bash completion script, run by bash itself: COMP_WORDS as bash would split the line, and a
/// stand-in mapctl that answers <c>ls --names</c> and records how it was asked.
/// </summary>
public sealed class CompletionTests : IDisposable
{
    private readonly StubMapctl _stub = new();

    private string[] StubCalls => _stub.Calls;

    public void Dispose() => _stub.Dispose();

    /// <summary>Completes the last of <paramref name="words"/> (the word under the cursor, "" for a fresh one).</summary>
    private async Task<string[]> Complete(params string[] words)
    {
        var quoted = string.Join(' ', words.Prepend(_stub.Path).Select(StubMapctl.Quote));
        var output = await _stub.RunAsync(
            "bash",
            "-c",
            $"source '{StubMapctl.Script("bash")}'; COMP_WORDS=({quoted}); COMP_CWORD={words.Length}; _mapctl; printf '%s\\n' \"${{COMPREPLY[@]}}\"");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task Commands_include_sessions_and_watch()
    {
        Assert.Equal(["completions", "create", "help", "ls", "resize", "rm", "sessions", "stat", "status", "version", "watch"], await Complete(""));
        Assert.Equal(["sessions", "stat", "status"], await Complete("s"));
        Assert.Equal(["watch"], await Complete("w"));
    }

    [Theory]
    [InlineData("sessions", "--help --json --no-headers --socket")]
    [InlineData("watch", "--help --json --socket")]
    [InlineData("stat", "--help --json --socket")]
    [InlineData("resize", "--expect-generation --help --socket")]
    [InlineData("create", "--help --max-size --mode --socket")]
    [InlineData("rm", "--help --socket")]
    [InlineData("ls", "--help --json --names --no-headers --prefix --socket")]
    [InlineData("status", "--help --json --socket")]
    [InlineData("", "--help --socket --version")]
    public async Task Each_command_offers_its_options(string command, string options)
    {
        Assert.Equal(options.Split(' '), await Complete([.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--"]));
    }

    [Fact]
    public async Task Watch_completes_region_names_for_every_operand()
    {
        Assert.Equal(["alpha", "beta", "orders"], await Complete("watch", ""));
        Assert.Equal(["alpha"], await Complete("watch", "orders", "a"));
        Assert.Equal(["ls --names", "ls --names"], StubCalls);
    }

    [Fact]
    public async Task Stat_rm_and_resize_complete_only_the_first_operand_and_ask_the_named_socket()
    {
        Assert.Equal(["orders"], await Complete("--socket", "/run/x", "resize", "o"));
        Assert.Empty(await Complete("resize", "orders", ""));
        Assert.Equal(["--socket /run/x ls --names"], StubCalls);
    }

    [Fact]
    public async Task Values_of_size_and_generation_options_are_not_completed_and_do_not_count_as_operands()
    {
        Assert.Empty(await Complete("resize", "--expect-generation", ""));
        Assert.Empty(await Complete("create", "x", "1M", "--max-size", ""));
        Assert.Equal(["beta"], await Complete("resize", "--expect-generation", "3", "b"));
        Assert.Equal(["0640", "0644"], await Complete("create", "--mode", "064"));
    }

    [Fact]
    public async Task New_commands_complete_their_operands_and_values()
    {
        Assert.Equal(["bash", "fish", "zsh"], await Complete("completions", ""));
        Assert.Empty(await Complete("completions", "bash", ""));
        Assert.Equal(["stat", "status"], await Complete("help", "sta"));
        Assert.Equal(["orders"], await Complete("ls", "--prefix", "or"));
        Assert.Equal(["orders"], await Complete("--socket", "=", "/run/y", "stat", "o"));
        Assert.Equal(["ls --names", "--socket /run/y ls --names"], StubCalls);
    }

    [Fact]
    public async Task Operands_after_a_double_dash_are_counted_and_options_are_not_offered()
    {
        Assert.Empty(await Complete("rm", "--", "-x", ""));
        Assert.Empty(await Complete("stat", "--", "--j"));
        Assert.Equal(["alpha", "beta", "orders"], await Complete("stat", "--", ""));
    }
}
