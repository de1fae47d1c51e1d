using System.Threading.Channels;
using Mapd.Client.Internal.Tracking;
using Mapd.Client.Tests.Fakes;
using Mapd.Protocol.V1;

namespace Mapd.Client.Tests.Internal.Tracking;

public sealed class RegionTableTests : IDisposable
{
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(100);
    private readonly SteppedTime _time = new();
    private readonly Channel<string> _closes = Channel.CreateUnbounded<string>();
    private readonly ScratchFile _file = new(4096);
    private readonly TrackingHost _host;
    private Func<string, Task> _sendClose;

    public RegionTableTests()
    {
        _sendClose = name =>
        {
            _closes.Writer.TryWrite(name);
            return Task.CompletedTask;
        };
        _host = new TrackingHost(new RegionTable(Linger, _time, name => _sendClose(name)));
    }

    private RegionTable Table => _host.Table;

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task The_last_mapping_disposed_is_closed_after_the_linger_and_not_before()
    {
        var region = _host.Open("a", _file);

        region.Dispose();
        var due = await _time.NextTimerAsync();
        _time.Advance(due - TimeSpan.FromMilliseconds(1));
        var closedEarly = _closes.Reader.TryRead(out _);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(Linger, due);
        Assert.False(closedEarly);
        Assert.Equal("a", await NextCloseAsync());
    }

    [Fact]
    public async Task Opening_the_name_again_within_the_linger_calls_the_close_off()
    {
        _host.Open("a", _file).Dispose();
        await _time.NextTimerAsync();

        var again = _host.Open("a", _file);
        _time.Advance(TimeSpan.FromSeconds(10));
        var closedWhileInUse = _closes.Reader.TryRead(out _);
        again.Dispose();
        _time.Advance(await _time.NextTimerAsync());

        Assert.False(closedWhileInUse);
        Assert.Equal("a", await NextCloseAsync());
    }

    [Fact]
    public void Disposing_one_of_two_mappings_of_a_name_closes_nothing()
    {
        var first = _host.Open("a", _file);
        using var second = _host.Open("a", _file);

        first.Dispose();

        Assert.False(_time.TimerPending);
        Assert.Equal([second], Table.Snapshot("a"));
    }

    [Fact]
    public async Task A_shrink_announced_while_the_close_lingers_closes_at_once()
    {
        _host.Open("a", _file).Dispose();
        await _time.NextTimerAsync();

        var used = Table.Observe(new Region { Name = "a", Size = 4096, PendingSize = 1024, Generation = 2 }, RegionEvent.Types.Kind.ShrinkPending);

        Assert.True(used);
        Assert.Equal("a", await NextCloseAsync());
    }

    [Fact]
    public void An_open_the_daemon_refused_leaves_nothing_to_close()
    {
        var ticket = Table.BeginOpen("a");
        Table.EndOpen(ticket);

        Assert.False(_time.TimerPending);
        Assert.False(Table.Observe(new Region { Name = "a", Generation = 2 }, RegionEvent.Types.Kind.Resized));
    }

    [Fact]
    public async Task An_open_that_failed_after_the_daemon_answered_is_closed_after_the_linger()
    {
        // R2: the daemon counts this session as a mapper from its answer on.
        var ticket = Table.BeginOpen("a");
        Table.Replied(ticket);
        Table.EndOpen(ticket);

        _time.Advance(await _time.NextTimerAsync());

        Assert.Equal("a", await NextCloseAsync());
    }

    [Fact]
    public async Task An_open_waits_for_a_close_of_the_name_already_on_its_way()
    {
        var closing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _sendClose = name =>
        {
            _closes.Writer.TryWrite(name);
            return closing.Task;
        };
        _host.Open("a", _file).Dispose();
        _time.Advance(await _time.NextTimerAsync());
        await NextCloseAsync();

        var ticket = Table.BeginOpen("a");
        var waitedForClose = !ticket.Closing.IsCompleted;
        closing.SetResult();
        await ticket.Closing.WaitAsync(TimeSpan.FromSeconds(30));
        Table.EndOpen(ticket);

        Assert.True(waitedForClose);
    }

    [Fact]
    public void A_newer_state_seen_while_an_open_was_on_its_way_is_handed_to_the_open()
    {
        var ticket = Table.BeginOpen("a");
        Table.Replied(ticket);
        Table.Observe(new Region { Name = "a", Size = 8192, Generation = 5 }, RegionEvent.Types.Kind.Resized);
        using var region = MappedRegion.Map(_host, _file.OpenAgain(writable: true), new Region { Name = "a", Size = 4096, Generation = 1 }, RegionAccess.ReadWrite);

        var newer = Table.Add(ticket, region);
        Table.EndOpen(ticket);

        Assert.Equal(5UL, newer?.Generation);
    }

    [Fact]
    public void Once_stopped_nothing_lingers()
    {
        var region = _host.Open("a", _file);
        Table.Stop();

        region.Dispose();

        Assert.False(_time.TimerPending);
    }

    [Fact]
    public void Re_attach_sees_each_name_once_with_the_widest_access()
    {
        using var first = _host.Open("a", _file);
        using var second = _host.Open("a", _file);
        using var other = _host.Open("b", _file);

        var mapped = Table.Mapped().OrderBy(m => m.Name, StringComparer.Ordinal).ToList();

        Assert.Equal(["a", "b"], mapped.Select(m => m.Name));
        Assert.All(mapped, m => Assert.Equal(RegionAccess.ReadWrite, m.Access));
        Assert.Same(first, mapped[0].Sample);
    }

    private async Task<string> NextCloseAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _closes.Reader.ReadAsync(deadline.Token);
    }
}
