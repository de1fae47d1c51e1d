using System.Text.Json;
using Grpc.Core;
using Mapd.Client;

namespace Mapd.Cli.Tests;

public sealed class MapctlWatchTests : IAsyncDisposable
{
    private readonly FakeRegionService _daemon = new();
    private readonly FlushRecorder _out = new();
    private readonly StringWriter _error = new();
    private readonly FakeTimeProvider _time = new(Regions.Now) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(250) };
    private readonly CancellationTokenSource _interrupt = new();

    public MapctlWatchTests()
    {
        _daemon.WatchEvents.Add(new WatchEvent("CURRENT", Regions.Make("orders", size: 64L << 20, generation: 1)));
        _daemon.WatchEvents.Add(new WatchEvent("RESIZED", Regions.Make("orders", size: 128L << 20, generation: 2)));
    }

    public async ValueTask DisposeAsync()
    {
        _interrupt.Dispose();
        await _out.DisposeAsync();
        await _error.DisposeAsync();
    }

    private Task<int> Run(params string[] args) =>
        new Mapctl((_, _) => Task.FromResult<IRegionService>(_daemon), _out, _error, Regions.Accounts, _time).RunAsync(args, _interrupt.Token);

    /// <summary>A mapctl whose user presses Ctrl-C while it is still connecting.</summary>
    private Mapctl InterruptedWhileConnecting() => new(
        async (_, token) =>
        {
            await _interrupt.CancelAsync();
            token.ThrowIfCancellationRequested();
            return _daemon;
        },
        _out,
        _error,
        Regions.Accounts,
        _time);

    /// <summary>Events, then Ctrl-C once the stream is idle.</summary>
    private void InterruptWhenIdle()
    {
        _daemon.WatchUntilCancelled = true;
        _daemon.WatchIdle = _interrupt.Cancel;
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
    public async Task Each_event_is_a_line_stamped_when_received_and_flushed_before_the_next()
    {
        InterruptWhenIdle();

        Assert.Equal(ExitCode.Success, await Run("watch", "orders", "prices"));

        const string first = "22:21:16.000 CURRENT orders size=64M pending=0 generation=1\n";
        const string second = "22:21:16.250 RESIZED orders size=128M pending=0 generation=2\n";
        Assert.Equal(first + second, _out.ToString());
        Assert.Equal([first, first + second], _out.Flushed);
        Assert.Equal(["Watch [orders prices]"], _daemon.Calls);
        Assert.True(_daemon.Disposed);
    }

    [Fact]
    public async Task Ctrl_c_ends_a_watch_with_exit_0_and_nothing_on_stderr()
    {
        InterruptWhenIdle();

        Assert.Equal(ExitCode.Success, await Run("watch"));

        Assert.Empty(_error.ToString());
        Assert.Equal(["Watch []"], _daemon.Calls);
    }

    [Fact]
    public async Task Ctrl_c_while_connecting_also_ends_a_watch_with_0()
    {
        Assert.Equal(ExitCode.Success, await InterruptedWhileConnecting().RunAsync(["watch"], _interrupt.Token));

        Assert.Empty(_error.ToString());
        Assert.Empty(_out.ToString());
    }

    [Fact]
    public async Task Json_prints_one_object_per_line()
    {
        InterruptWhenIdle();

        Assert.Equal(ExitCode.Success, await Run("watch", "--json"));

        var lines = _out.ToString().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal("", lines[2]);
        Assert.Equal(WatchLine.RenderJson(_daemon.WatchEvents[0], Regions.Now), lines[0] + "\n");
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal("RESIZED", second.RootElement.GetProperty("kind").GetString());
        Assert.Equal("2025-11-25T22:21:16.25Z", second.RootElement.GetProperty("time").GetString());
        Assert.Equal(128L << 20, second.RootElement.GetProperty("region").GetProperty("size").GetInt64());
        Assert.Equal(2, _out.Flushed.Count);
    }

    [Fact]
    public async Task A_stream_the_daemon_closes_exits_3_after_printing_what_came()
    {
        Assert.Equal(ExitCode.Unreachable, await Run("watch", "orders"));

        Assert.Equal(2, _out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal("mapctl: mapd closed the watch; it may have stopped or restarted: run mapctl watch again once it is back", ErrorLine());
    }

    [Fact]
    public async Task A_watch_the_daemon_ends_with_a_status_exits_3_with_its_reason()
    {
        _daemon.WatchEnd = new MapdException(StatusCode.Unavailable, "mapd ended the watch (UNAVAILABLE): mapd is shutting down\nretry later");

        Assert.Equal(ExitCode.Unreachable, await Run("watch"));

        Assert.Equal("mapctl: mapd ended the watch (UNAVAILABLE): mapd is shutting down retry later", ErrorLine());
    }

    [Fact]
    public async Task A_watch_refused_at_the_start_exits_1_and_prints_nothing()
    {
        _daemon.Failure = new MapdException(StatusCode.PermissionDenied, "uid 1000 may not watch region 'secret'");

        Assert.Equal(ExitCode.Refused, await Run("watch", "secret"));

        Assert.Equal("mapctl: uid 1000 may not watch region 'secret'", ErrorLine());
        Assert.Empty(_out.ToString());
    }

    [Fact]
    public async Task A_daemon_without_watch_is_named()
    {
        _daemon.Failure = new MapdException(StatusCode.Unimplemented, "");

        Assert.Equal(ExitCode.Refused, await Run("watch"));

        Assert.Equal("mapctl: this mapd does not implement watch (UNIMPLEMENTED); upgrade the daemon", ErrorLine());
    }

    [Fact]
    public async Task Ctrl_c_on_other_commands_still_exits_130()
    {
        Assert.Equal(ExitCode.Interrupted, await InterruptedWhileConnecting().RunAsync(["sessions"], _interrupt.Token));

        Assert.Equal("mapctl: interrupted", ErrorLine());
    }

    /// <summary>stdout that remembers what it held at each flush.</summary>
    private sealed class FlushRecorder : StringWriter
    {
        public List<string> Flushed { get; } = [];

        public override void Flush() => Flushed.Add(ToString());

        public override Task FlushAsync()
        {
            Flush();
            return Task.CompletedTask;
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flush();
            return Task.CompletedTask;
        }
    }
}
