namespace Mapd.Cli.Tests;

/// <summary>
/// The zsh completion script, run by zsh. zsh's completion system needs a terminal, so the
/// builtins the script answers with (<c>compadd</c>, <c>_files</c>, <c>compset</c>, <c>compdef</c>)
/// are stand-ins that record what the script offered; the script's own logic runs as written.
/// </summary>
public sealed class ZshCompletionTests : IDisposable
{
    // compadd: words after --, or the array -a names; _files stands for file completion.
    private const string Harness = """
        typeset -ga offered
        compadd() {
            local array=''
            while (( $# )); do
                case $1 in
                    (--) shift; offered+=("$@"); return ;;
                    (-a) array=$2; shift 2 ;;
                    (-d) shift 2 ;;
                    (*) shift ;;
                esac
            done
            [[ -n $array ]] && offered+=("${(@P)array}")
        }
        _files() { offered+=(FILES) }
        compset() { : }
        compdef() { print -r -- "compdef $*" }
        """;

    private readonly StubMapctl _stub = new();

    public void Dispose() => _stub.Dispose();

    /// <summary>What the script offers for the last of <paramref name="words"/>, filtered by it as zsh would.</summary>
    private async Task<string[]> Complete(params string[] words)
    {
        var quoted = string.Join(' ', words.Prepend("mapctl").Select(StubMapctl.Quote));
        var output = await _stub.RunAsync(
            "zsh",
            "-f",
            "-c",
            $"{Harness}\nsource {StubMapctl.Quote(StubMapctl.Script("zsh"))} >/dev/null\nwords=({quoted}); CURRENT={words.Length + 1}\n_mapctl\nprint -rl -- $offered");
        var current = words[^1];
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w == "FILES" || w.StartsWith(current, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
    }

    [RequiresToolsFact("zsh")]
    public async Task Sourcing_registers_the_function_for_mapctl()
    {
        Assert.Equal("compdef _mapctl mapctl\n", await _stub.RunAsync("zsh", "-f", "-c", $"{Harness}\nsource {StubMapctl.Quote(StubMapctl.Script("zsh"))}"));
    }

    [RequiresToolsFact("zsh")]
    public async Task Commands_and_each_commands_options()
    {
        Assert.Equal(["completions", "create", "help", "ls", "resize", "rm", "sessions", "stat", "status", "version", "watch"], await Complete(""));
        Assert.Equal(["--help", "--json", "--names", "--no-headers", "--prefix", "--socket"], await Complete("ls", "--"));
        Assert.Equal(["--expect-generation", "--help", "--socket"], await Complete("resize", "--"));
        Assert.Equal(["--help", "--socket", "--version"], await Complete("--"));
    }

    [RequiresToolsFact("zsh")]
    public async Task Region_names_for_the_operands_that_name_regions_asked_of_the_named_socket()
    {
        Assert.Equal(["orders"], await Complete("--socket", "/run/x", "resize", "o"));
        Assert.Empty(await Complete("resize", "orders", ""));
        Assert.Equal(["alpha"], await Complete("watch", "orders", "a"));
        Assert.Empty(await Complete("create", "a"));
        Assert.Equal(["--socket /run/x ls --names", "ls --names"], _stub.Calls);
    }

    [RequiresToolsFact("zsh")]
    public async Task Option_values()
    {
        Assert.Equal(["0640", "0644"], await Complete("create", "--mode", "064"));
        Assert.Empty(await Complete("resize", "--expect-generation", ""));
        Assert.Equal(["beta"], await Complete("resize", "--expect-generation", "3", "b"));
        Assert.Equal(["FILES"], await Complete("--socket", ""));
        Assert.Equal(["FILES"], await Complete("--socket=/ru"));
        Assert.Equal(["bash", "fish", "zsh"], await Complete("completions", ""));
    }
}
