using Grpc.Core;
using Mapd.Client;

namespace Mapd.Cli.Tests;

public sealed class MapctlTests : IAsyncDisposable
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

    private Task<int> Run(params string[] args) => Run(_out, CancellationToken.None, args);

    private async Task<int> Run(TextWriter output, CancellationToken cancellationToken, params string[] args)
    {
        var mapctl = new Mapctl(
            (directory, _) =>
            {
                _socketDirectories.Add(directory);
                return Task.FromResult<IRegionService>(_daemon);
            },
            output,
            _error,
            Regions.Accounts,
            new FakeTimeProvider(Regions.Now));
        return await mapctl.RunAsync(args, cancellationToken);
    }

    private string ErrorLine()
    {
        var text = _error.ToString();
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("mapctl: ", text, StringComparison.Ordinal);
        return text.TrimEnd('\n');
    }

    [Fact]
    public async Task Create_sends_name_size_and_mode_then_confirms()
    {
        Assert.Equal(ExitCode.Success, await Run("create", "orders", "64M", "--mode", "0640"));

        Assert.Equal(["Create orders 67108864 416 0"], _daemon.Calls);
        Assert.Equal("created region 'orders': 64M, mode 0640\n", _out.ToString());
        Assert.Empty(_error.ToString());
        Assert.True(_daemon.Disposed);
    }

    [Fact]
    public async Task A_duplicate_create_is_refused_with_exit_1_and_the_daemons_message()
    {
        _daemon.Add(Regions.Make("orders"));

        Assert.Equal(ExitCode.Refused, await Run("create", "orders", "1M"));

        Assert.Equal("mapctl: region 'orders' already exists; open it instead, or delete it first", ErrorLine());
        Assert.Empty(_out.ToString());
    }

    [Fact]
    public async Task Rm_of_a_missing_region_exits_1()
    {
        Assert.Equal(ExitCode.Refused, await Run("rm", "ghost"));

        Assert.Contains("region 'ghost' does not exist", ErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rm_deletes_and_confirms()
    {
        _daemon.Add(Regions.Make("orders"));

        Assert.Equal(ExitCode.Success, await Run("rm", "orders"));

        Assert.Equal(["Delete orders"], _daemon.Calls);
        Assert.Equal("deleted region 'orders'\n", _out.ToString());
    }

    [Fact]
    public async Task Ls_prints_the_table_json_or_names()
    {
        _daemon.Add(Regions.Make("b"));
        _daemon.Add(Regions.Make("a"));

        Assert.Equal(ExitCode.Success, await Run("ls"));
        Assert.Equal(RegionTable.Render([Regions.Make("a"), Regions.Make("b")], Regions.Accounts()), _out.ToString());

        _out.GetStringBuilder().Clear();
        Assert.Equal(ExitCode.Success, await Run("ls", "--json"));
        Assert.Equal(RegionJson.Render([Regions.Make("a"), Regions.Make("b")]), _out.ToString());

        _out.GetStringBuilder().Clear();
        Assert.Equal(ExitCode.Success, await Run("ls", "--names"));
        Assert.Equal("a\nb\n", _out.ToString());
    }

    [Fact]
    public async Task Stat_prints_details_or_json_with_ages_counted_to_now()
    {
        var status = Regions.Shrinking();
        _daemon.Add(status);

        Assert.Equal(ExitCode.Success, await Run("stat", "orders"));
        Assert.Equal(RegionDetails.Render(status, Regions.Accounts(), Regions.Now), _out.ToString());
        Assert.Contains("(12.3s ago)", _out.ToString(), StringComparison.Ordinal);

        _out.GetStringBuilder().Clear();
        Assert.Equal(ExitCode.Success, await Run("stat", "--json", "orders"));
        Assert.Equal(RegionJson.Render(status, Regions.Now), _out.ToString());
        Assert.Equal(["Get orders", "Get orders"], _daemon.Calls);
    }

    [Fact]
    public async Task Stat_of_a_missing_region_exits_1()
    {
        Assert.Equal(ExitCode.Refused, await Run("stat", "ghost"));

        Assert.Equal("mapctl: region 'ghost' does not exist; list regions with 'mapctl ls' or create it first", ErrorLine());
        Assert.Empty(_out.ToString());
    }

    [Fact]
    public async Task Create_passes_max_size_and_confirms_it()
    {
        Assert.Equal(ExitCode.Success, await Run("create", "orders", "64M", "--max-size", "1G"));

        Assert.Equal(["Create orders 67108864 0 1073741824"], _daemon.Calls);
        Assert.Equal("created region 'orders': 64M, mode 0600, max size 1G\n", _out.ToString());
    }

    [Fact]
    public async Task Resize_passes_the_expected_generation_and_a_mismatch_exits_1()
    {
        _daemon.Add(Regions.Make("orders", size: 64L << 20, generation: 3));

        Assert.Equal(ExitCode.Refused, await Run("resize", "orders", "128M", "--expect-generation", "2"));
        Assert.Equal("mapctl: region 'orders' is at generation 3, not 2; read it again and retry", ErrorLine());
        Assert.Empty(_out.ToString());

        Assert.Equal(ExitCode.Success, await Run("resize", "orders", "128M", "--expect-generation", "3"));
        Assert.Equal("resized region 'orders' to 128M (generation 4)\n", _out.ToString());
        Assert.Equal(["Resize orders 134217728 2", "Resize orders 134217728 3"], _daemon.Calls);
    }

    [Fact]
    public async Task Sessions_prints_the_table_or_json()
    {
        _daemon.Sessions.Add(Regions.Session("aaaaaaaa", pid: 10, uid: 0, regions: ["b", "a"]));
        _daemon.Sessions.Add(Regions.Session("bbbbbbbb", pid: 20, since: Regions.Now));

        Assert.Equal(ExitCode.Success, await Run("sessions"));
        Assert.Equal(SessionTable.Render(_daemon.Sessions, Regions.Accounts()), _out.ToString());
        Assert.Contains("aaaaaaaa   10  0 (root)", _out.ToString(), StringComparison.Ordinal);

        _out.GetStringBuilder().Clear();
        Assert.Equal(ExitCode.Success, await Run("sessions", "--json"));
        Assert.Equal(SessionTable.RenderJson(_daemon.Sessions), _out.ToString());
        Assert.Equal(["ListSessions", "ListSessions"], _daemon.Calls);
        Assert.Empty(_error.ToString());
    }

    [Fact]
    public async Task Resize_reports_a_grow_and_a_pending_shrink()
    {
        _daemon.Add(Regions.Make("orders", size: 64L << 20, generation: 1));

        Assert.Equal(ExitCode.Success, await Run("resize", "orders", "128M"));
        Assert.Equal("resized region 'orders' to 128M (generation 2)\n", _out.ToString());

        _out.GetStringBuilder().Clear();
        Assert.Equal(ExitCode.Success, await Run("resize", "orders", "32M"));
        Assert.Equal("region 'orders' shrinks from 128M to 32M (generation 3) once every mapper has released the tail\n", _out.ToString());
    }

    [Fact]
    public async Task An_unimplemented_resize_is_one_clean_line()
    {
        _daemon.Add(Regions.Make("orders"));
        _daemon.Failure = new MapdException(StatusCode.Unimplemented, "Service is unimplemented.");

        Assert.Equal(ExitCode.Refused, await Run("resize", "orders", "1G"));

        Assert.Equal("mapctl: Service is unimplemented.", ErrorLine());
    }

    [Fact]
    public async Task A_daemon_without_resize_answers_unimplemented_without_a_message_and_mapctl_words_it()
    {
        _daemon.Add(Regions.Make("orders"));
        _daemon.Failure = new MapdException(StatusCode.Unimplemented, "");

        Assert.Equal(ExitCode.Refused, await Run("resize", "orders", "1G"));

        Assert.Equal("mapctl: this mapd does not implement resize (UNIMPLEMENTED); upgrade the daemon", ErrorLine());
    }

    [Fact]
    public async Task Other_statuses_without_a_message_are_named_as_in_the_contract()
    {
        _daemon.Failure = new MapdException(StatusCode.ResourceExhausted, " ");

        Assert.Equal(ExitCode.Refused, await Run("create", "big", "1T"));

        Assert.Equal("mapctl: mapd answered create with RESOURCE_EXHAUSTED and no message; its log may say more", ErrorLine());
    }

    [Fact]
    public async Task An_unavailable_daemon_exits_3()
    {
        _daemon.Failure = new MapdException(StatusCode.Unavailable, "mapd is shutting down; retry against the restarted daemon");

        Assert.Equal(ExitCode.Unreachable, await Run("ls"));

        Assert.Equal("mapctl: mapd is shutting down; retry against the restarted daemon", ErrorLine());
    }

    [Fact]
    public async Task A_multi_line_message_still_prints_as_one_line()
    {
        _daemon.Failure = new MapdException(StatusCode.PermissionDenied, "first line\r\n  second line\n");

        Assert.Equal(ExitCode.Refused, await Run("rm", "x"));

        Assert.Equal("mapctl: first line second line", ErrorLine());
    }

    [Fact]
    public async Task A_local_io_failure_after_the_daemon_answered_is_one_line()
    {
        var mapctl = new Mapctl((_, _) => throw new IOException("mmap(region 'x') failed: ENOMEM"), _out, _error, Regions.Accounts);

        Assert.Equal(ExitCode.Refused, await mapctl.RunAsync(["create", "x", "1M"], CancellationToken.None));

        Assert.Equal("mapctl: mmap(region 'x') failed: ENOMEM", ErrorLine());
    }

    [Fact]
    public async Task Usage_errors_exit_2_without_connecting()
    {
        Assert.Equal(ExitCode.Usage, await Run("create", "orders", "12X"));

        Assert.StartsWith("mapctl: '12X' is not a size", ErrorLine(), StringComparison.Ordinal);
        Assert.Empty(_socketDirectories);
        Assert.Empty(_out.ToString());
    }

    [Fact]
    public async Task Help_and_version_print_to_stdout_without_connecting()
    {
        Assert.Equal(ExitCode.Success, await Run("--help"));
        Assert.Equal(Usage.Help, _out.ToString());

        _out.GetStringBuilder().Clear();
        Assert.Equal(ExitCode.Success, await Run("version"));
        Assert.Matches(@"^mapctl \d+\.\d+\.\d+\S* \(protocol mapd\.v1\)\n$", _out.ToString());

        Assert.Empty(_socketDirectories);
        Assert.Empty(_error.ToString());
    }

    [Fact]
    public async Task Socket_reaches_the_connection_as_a_directory()
    {
        await Run("--socket", "/run/mapd/mapd.sock", "ls");
        await Run("ls");

        Assert.Equal(["/run/mapd", null], _socketDirectories);
    }

    [Fact]
    public async Task Cancellation_exits_130_with_one_line()
    {
        using var interrupt = new CancellationTokenSource();
        var mapctl = new Mapctl(
            async (_, token) =>
            {
                await interrupt.CancelAsync();
                token.ThrowIfCancellationRequested();
                return _daemon;
            },
            _out,
            _error,
            Regions.Accounts);

        Assert.Equal(ExitCode.Interrupted, await mapctl.RunAsync(["ls"], interrupt.Token));

        Assert.Equal("mapctl: interrupted", ErrorLine());
    }

    [Fact]
    public async Task The_real_client_reports_a_missing_daemon_with_exit_3_and_the_path()
    {
        var directory = Path.Join(Path.GetTempPath(), $"mapctl-test-{Guid.NewGuid():N}");
        var mapctl = new Mapctl(GrpcRegionService.ConnectAsync, _out, _error, Regions.Accounts);

        Assert.Equal(ExitCode.Unreachable, await mapctl.RunAsync(["--socket", directory, "ls"], CancellationToken.None));

        var line = ErrorLine();
        Assert.Contains($"{directory}/mapd-fd.sock (ENOENT)", line, StringComparison.Ordinal);
        Assert.Contains("--socket", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_real_client_reports_a_socket_path_under_a_file_as_unreachable()
    {
        var file = Path.GetTempFileName();
        try
        {
            var mapctl = new Mapctl(GrpcRegionService.ConnectAsync, _out, _error, Regions.Accounts);

            Assert.Equal(ExitCode.Unreachable, await mapctl.RunAsync(["--socket", file, "stat", "x"], CancellationToken.None));

            Assert.Contains("(ENOTDIR)", ErrorLine(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
