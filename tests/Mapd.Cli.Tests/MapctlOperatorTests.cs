using Grpc.Core;
using Mapd.Client;

namespace Mapd.Cli.Tests;

/// <summary>What issue 10 added, run through mapctl's runner against the in-memory daemon.</summary>
public sealed class MapctlOperatorTests : IAsyncDisposable
{
    private readonly FakeRegionService _daemon = new();
    private readonly List<string?> _socketDirectories = [];
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();

    public async ValueTask DisposeAsync()
    {
        await _daemon.DisposeAsync();
        await _out.DisposeAsync();
        await _error.DisposeAsync();
    }

    private Task<int> Run(params string[] args) =>
        new Mapctl(
            (directory, _) =>
            {
                _socketDirectories.Add(directory);
                return Task.FromResult<IRegionService>(_daemon);
            },
            _out,
            _error,
            Regions.Accounts,
            new FakeTimeProvider(Regions.Now)).RunAsync(args, CancellationToken.None);

    [Fact]
    public async Task Status_prints_the_report_or_json()
    {
        Assert.Equal(ExitCode.Success, await Run("status"));
        Assert.Equal(StatusReport.Render(_daemon.Status, Regions.Now), _out.ToString());

        _out.GetStringBuilder().Clear();
        Assert.Equal(ExitCode.Success, await Run("status", "--json"));
        Assert.Equal(StatusReport.RenderJson(_daemon.Status, Regions.Now), _out.ToString());
        Assert.Equal(["Status", "Status"], _daemon.Calls);
        Assert.Empty(_error.ToString());
    }

    [Fact]
    public async Task A_daemon_without_status_is_named()
    {
        _daemon.Failure = new MapdException(StatusCode.Unimplemented, "");

        Assert.Equal(ExitCode.Refused, await Run("status"));

        Assert.Equal("mapctl: this mapd does not implement status (UNIMPLEMENTED); upgrade the daemon\n", _error.ToString());
    }

    [Fact]
    public async Task Ls_passes_the_prefix_and_prints_only_those()
    {
        _daemon.Add(Regions.Make("orders"));
        _daemon.Add(Regions.Make("prices"));

        Assert.Equal(ExitCode.Success, await Run("ls", "--prefix", "ord", "--names"));

        Assert.Equal("orders\n", _out.ToString());
        Assert.Equal(["List ord"], _daemon.Calls);
    }

    [Fact]
    public async Task No_headers_prints_the_same_rows_without_the_header()
    {
        _daemon.Add(Regions.Make("orders"));
        _daemon.Sessions.Add(Regions.Session());

        Assert.Equal(ExitCode.Success, await Run("ls", "--no-headers"));
        Assert.Equal(string.Concat(RegionTable.Render([Regions.Make("orders")], Regions.Accounts()).Split('\n', 2)[1]), _out.ToString());

        _out.GetStringBuilder().Clear();
        Assert.Equal(ExitCode.Success, await Run("sessions", "--no-headers"));
        Assert.Equal(SessionTable.Render(_daemon.Sessions, Regions.Accounts()).Split('\n', 2)[1], _out.ToString());
    }

    [Theory]
    [InlineData("help", "ls")]
    [InlineData("ls", "--help")]
    [InlineData("status", "-h")]
    public async Task A_commands_help_prints_and_exits_0_without_connecting(string first, string second)
    {
        Assert.Equal(ExitCode.Success, await Run(first, second));

        var verb = first == "help" ? CommandTree.Instance.VerbNamed(second)!.Value : CommandTree.Instance.VerbNamed(first)!.Value;
        Assert.Equal(CommandHelp.Of(verb, CommandTree.Instance), _out.ToString());
        Assert.Empty(_socketDirectories);
        Assert.Empty(_error.ToString());
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("zsh")]
    [InlineData("fish")]
    public async Task Completions_print_the_script_without_connecting(string shell)
    {
        Assert.Equal(ExitCode.Success, await Run("completions", shell));

        Assert.Equal(CompletionScripts.Of(shell), _out.ToString());
        Assert.Empty(_socketDirectories);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("--socket", "/nowhere", "version")]
    [InlineData("ls", "--version")]
    public async Task Version_prints_without_touching_a_socket(params string[] args)
    {
        Assert.Equal(ExitCode.Success, await Run(args));

        Assert.Matches(@"^mapctl \d+\.\d+\.\d+\S* \(protocol mapd\.v1\)\n$", _out.ToString());
        Assert.Empty(_socketDirectories);
        Assert.Empty(_daemon.Calls);
    }

    [Fact]
    public async Task A_watch_of_a_missing_region_is_refused_with_exit_1_and_one_line()
    {
        _daemon.Failure = new MapdException(StatusCode.NotFound, "region 'ghost' does not exist; list regions with 'mapctl ls' or create it first");

        Assert.Equal(ExitCode.Refused, await Run("watch", "ghost"));

        Assert.Equal("mapctl: region 'ghost' does not exist; list regions with 'mapctl ls' or create it first\n", _error.ToString());
        Assert.Empty(_out.ToString());
    }
}
