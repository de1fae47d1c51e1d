using System.Diagnostics;

namespace Mapd.Cli.Tests;

/// <summary>
/// The bash completion script, run by bash itself: COMP_WORDS as bash would split the line, and a
/// stand-in mapctl that answers <c>ls --names</c> and records how it was asked.
/// </summary>
public sealed class CompletionTests : IDisposable
{
    private static readonly string Script = Path.Join(AppContext.BaseDirectory, "completions", "mapctl.bash");

    private readonly string _directory = Directory.CreateTempSubdirectory("mapctl-completion-").FullName;

    public CompletionTests()
    {
        File.WriteAllText(Stub, "#!/bin/sh\necho \"$*\" >> \"$(dirname \"$0\")/calls\"\nprintf 'alpha\\nbeta\\norders\\n'\n");
        File.SetUnixFileMode(Stub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private string Stub => Path.Join(_directory, "mapctl");

    private string[] StubCalls => File.Exists(Path.Join(_directory, "calls")) ? File.ReadAllLines(Path.Join(_directory, "calls")) : [];

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Completes the last of <paramref name="words"/> (the word under the cursor, "" for a fresh one).</summary>
    private async Task<string[]> Complete(params string[] words)
    {
        var quoted = string.Join(' ', words.Prepend(Stub).Select(w => "'" + w.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"source '{Script}'; COMP_WORDS=({quoted}); COMP_CWORD={words.Length}; _mapctl; printf '%s\\n' \"${{COMPREPLY[@]}}\"");
        using var bash = Process.Start(start)!;
        var output = await bash.StandardOutput.ReadToEndAsync();
        var error = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0, error);
        Assert.Empty(error);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task Commands_include_sessions_and_watch()
    {
        Assert.Equal(["create", "help", "ls", "resize", "rm", "sessions", "stat", "version", "watch"], await Complete(""));
        Assert.Equal(["sessions", "stat"], await Complete("s"));
        Assert.Equal(["watch"], await Complete("w"));
    }

    [Theory]
    [InlineData("sessions", "--help --json --socket")]
    [InlineData("watch", "--help --json --socket")]
    [InlineData("stat", "--help --json --socket")]
    [InlineData("resize", "--expect-generation --help --socket")]
    [InlineData("create", "--help --max-size --mode --socket")]
    [InlineData("rm", "--help --socket")]
    [InlineData("ls", "--help --json --names --socket")]
    public async Task Each_command_offers_its_options(string command, string options)
    {
        Assert.Equal(options.Split(' '), await Complete(command, "--"));
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
}
